import { Args, loadHelpClass } from '@oclif/core';
import { KsadError } from '../core/errors.js';
import { KsadCommand } from '../ui/base-command.js';
import { unknownCommandMessage } from '../ui/not-found.js';

export default class Help extends KsadCommand {
  static override summary = 'Show help for ksad, a topic or a command.';
  static override examples = [
    '<%= config.bin %> help deploy',
    '<%= config.bin %> help catalog add',
  ];
  static override enableJsonFlag = false;
  static override strict = false;
  static override args = {
    command: Args.string({ description: 'the command or topic, e.g. deploy or catalog add' }),
  };

  async run(): Promise<void> {
    const { argv } = await this.parse(Help);
    const words = (argv as string[]).filter((a) => !a.startsWith('-'));
    const id = words.join(':');
    if (id !== '' && !this.config.findCommand(id) && !this.config.findTopic(id)) {
      throw new KsadError('USAGE', unknownCommandMessage(this.config, words), {
        suggestions: [`see: ${this.config.bin} help`],
      });
    }
    const HelpClass = await loadHelpClass(this.config);
    await new HelpClass(this.config, this.config.pjson.oclif.helpOptions).showHelp(words);
  }
}
