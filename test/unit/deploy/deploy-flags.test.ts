import { Parser } from '@oclif/core';
import { describe, expect, it } from 'vitest';
import { appRefArg, configFlags } from '../../../src/ui/deploy-flags.js';

describe('render, plan and deploy flags', () => {
  it.each([
    [['-f', 'a.yaml', 'antrean-daring']],
    [['antrean-daring', '-f', 'a.yaml']],
    [['--set', 'config.HTTP_PORT=8081', '-f', 'a.yaml', 'antrean-daring']],
  ])('take the app wherever the flags are: %j', async (argv) => {
    const { args, flags } = await Parser.parse(argv, {
      args: { app: appRefArg },
      flags: configFlags,
    });
    expect(args.app).toBe('antrean-daring');
    expect(flags.file).toEqual(['a.yaml']);
  });
});
