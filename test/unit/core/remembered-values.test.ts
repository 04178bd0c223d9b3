import { describe, expect, it } from 'vitest';
import { carryOver, rememberedValues } from '../../../src/core/remembered-values.js';
import type { ReleaseRecord } from '../../../src/core/release.js';
import type { Manifest } from '../../../src/core/schema/manifest.js';

/** The fields of a release record that its remembered values are read from. */
function record(fields: Partial<ReleaseRecord>): ReleaseRecord {
  return {
    app: 'antrean-daring',
    revision: 3,
    version: '2.0.0',
    config: {},
    secretNames: [],
    ...fields,
  } as ReleaseRecord;
}
const manifest = {
  config: { HTTP_PORT: { type: 'number', default: 8080 } },
  services: { web: {} },
} as unknown as Manifest;

describe('remembered values', () => {
  it("carry the app's route over to the next deploy, as its config values", () => {
    const ingress = { hosts: ['antrean.sumbawakab.go.id'], tls: 'internal' as const };
    const values = rememberedValues(record({ suppliedConfig: { HTTP_PORT: 18080 }, ingress }));
    const { overlay, dropped } = carryOver(values, manifest);
    expect(overlay).toEqual({ config: { HTTP_PORT: 18080 }, ingress });
    expect(dropped).toEqual([]);
  });

  it('carry no route for an app that had none', () => {
    const { overlay } = carryOver(rememberedValues(record({ suppliedConfig: {} })), manifest);
    expect(overlay).toEqual({ config: {} });
  });
});
