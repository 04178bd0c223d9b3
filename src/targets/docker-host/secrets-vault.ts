import { KsadError } from '../../core/errors.js';
import { sha256Hex } from '../../core/hash.js';
import { Label, managedLabels, names } from '../../core/labels.js';
import type { DockerEngine } from '../../ports/docker-engine.js';

/** Where the vault volume is mounted in its marker container. */
const VAULT_DIR = '/vault';
/** Two slots: a write goes to the one not holding the newest generation. */
const SLOTS = ['slot-0.json', 'slot-1.json'] as const;

/** One sealed generation of an app's secrets, as a vault file holds it. */
interface Sealed {
  generation: number;
  values: Record<string, string>;
  sha256: string;
}

/** What the vault of an app holds: its newest intact generation, or why there is none. */
export type VaultContent =
  | { state: 'absent' }
  | { state: 'present'; generation: number; values: Record<string, string> }
  | { state: 'damaged' };

/**
 * An app's secrets on a Docker host: files in a volume (`ksad-vault-<app>`) that only a never-
 * started marker container (`ksad-vault-<app>`, no network, no process) mounts. Nothing of them is
 * in a label, so `docker volume inspect` and label listings show none; reading them takes a
 * deliberate archive read through the Engine API (which is root-equivalent on the host anyway).
 *
 * A file is written in place, so each write goes to the slot that does not hold the newest
 * generation and carries its own checksum: killed mid-write, the half-written slot fails its
 * checksum and the previous generation, untouched in the other slot, is read.
 */
export class SecretsVault {
  constructor(private readonly engine: DockerEngine) {}

  async read(app: string): Promise<VaultContent> {
    const files = await this.engine.readFiles(names.vault(app), VAULT_DIR);
    if (files === null) return { state: 'absent' };
    const sealed = SLOTS.flatMap((slot) => {
      const content = files[slot];
      return content === undefined ? [] : [unseal(content.toString('utf8'))];
    });
    if (sealed.length === 0) return { state: 'absent' };
    const intact = sealed.filter((s): s is Sealed => s !== null);
    const newest = intact.sort((a, b) => b.generation - a.generation)[0];
    return newest
      ? { state: 'present', generation: newest.generation, values: newest.values }
      : { state: 'damaged' };
  }

  /** Seals `values` as the generation after `previous` into the slot that does not hold it. */
  async write(app: string, values: Record<string, string>, previous: number): Promise<void> {
    await this.ensure(app);
    const generation = previous + 1;
    const body = { generation, values };
    const sealed: Sealed = { ...body, sha256: sha256Hex(JSON.stringify(body)) };
    await this.engine.putFiles(names.vault(app), VAULT_DIR, [
      {
        name: SLOTS[generation % 2] ?? SLOTS[0],
        content: Buffer.from(JSON.stringify(sealed)),
        mode: 0o600,
      },
    ]);
  }

  async remove(app: string): Promise<void> {
    await this.engine.removeContainer(names.vault(app), { force: true });
    await this.engine.removeVolume(names.vault(app));
  }

  /** The vault's volume and marker, created when missing (a kill may have left either alone). */
  private async ensure(app: string): Promise<void> {
    const name = names.vault(app);
    if (await this.engine.inspectContainer(name)) return;
    const labels = managedLabels('vault', { [Label.app]: app });
    const volume = await this.engine.createVolume(name, labels);
    if (volume.labels[Label.kind] !== 'vault' || volume.labels[Label.app] !== app) {
      throw new KsadError('INTEGRITY', `volume "${name}" exists but was not made by ksad`, {
        suggestions: [`inspect it: docker volume inspect ${name}; rename or remove it`],
      });
    }
    try {
      await this.engine.createMarker(name, labels, [
        { volume: name, target: VAULT_DIR, readOnly: false },
      ]);
    } catch (error) {
      // Made meanwhile by another ksad: the same vault.
      if (!(error instanceof KsadError) || error.code !== 'LOCKED') throw error;
    }
  }
}

function unseal(text: string): Sealed | null {
  try {
    const s = JSON.parse(text) as Partial<Sealed>;
    if (typeof s.generation !== 'number' || typeof s.values !== 'object' || s.values === null)
      return null;
    const body = { generation: s.generation, values: s.values };
    if (s.sha256 !== sha256Hex(JSON.stringify(body))) return null;
    return Object.values(s.values).every((v) => typeof v === 'string') ? (body as Sealed) : null;
  } catch {
    return null;
  }
}
