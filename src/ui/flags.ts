import { Flags } from '@oclif/core';

/** `--catalog NAME|PATH`: which catalog a command reads. */
export const catalogFlag = Flags.string({
  char: 'c',
  summary: 'Catalog to read: an added catalog name, "sample", or a catalog folder path.',
  description:
    'Defaults to the default added catalog, else the first added one, else the sample catalog shipped with ksad.',
  helpValue: 'NAME|PATH',
});

/**
 * The `defaultHelp` of a list flag that defaults to none (`default: []`): help shows no
 * `[default: ]` for it.
 */
export const noDefaultHelp = (): Promise<undefined> => Promise.resolve(undefined);
