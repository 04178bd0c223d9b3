import { Args } from '@oclif/core';
import { KsadCommand } from '../ui/base-command.js';
import { completionScript, type CompletionCommand } from '../ui/completion-script.js';

export default class Completion extends KsadCommand {
  static override summary = 'Print a shell completion script for ksad: commands and their flags.';
  static override description =
    "bash: add `source <(ksad completion bash)` to ~/.bashrc. zsh: add `source <(ksad completion zsh)` to ~/.zshrc (it uses zsh's bashcompinit).";
  static override examples = ['source <(<%= config.bin %> completion bash)'];
  static override enableJsonFlag = false;
  static override args = {
    shell: Args.string({ required: true, options: ['bash', 'zsh'], description: 'the shell' }),
  };

  async run(): Promise<void> {
    const { args } = await this.parse(Completion);
    const commands: CompletionCommand[] = this.config.commands
      .filter((c) => !c.hidden)
      .map((c) => ({
        words: c.id.replaceAll(':', ' '),
        flags: Object.entries(c.flags)
          .filter(([, f]) => !f.hidden)
          .flatMap(([name, f]) => [`--${name}`, ...(f.char ? [`-${f.char}`] : [])]),
      }));
    process.stdout.write(completionScript(this.config.bin, args.shell as 'bash' | 'zsh', commands));
  }
}
