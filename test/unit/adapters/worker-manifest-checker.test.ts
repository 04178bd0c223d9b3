import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WorkerManifestChecker } from '../../../src/adapters/worker-manifest-checker.js';
import type { SourceFile } from '../../../src/core/catalog-model.js';
import { checkCatalogManifest } from '../../../src/core/lint/index.js';
import { manifest } from '../core/fixtures.js';

const TODAY = '2025-06-01';
const worker = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/workers/${name}.js`, import.meta.url));

function manifests(count: number): SourceFile[] {
  return Array.from({ length: count }, (_, i) =>
    manifest({ version: `1.${i}.0`, ...(i % 7 === 0 ? { services: ['  web: {}'] } : {}) }),
  );
}

describe('WorkerManifestChecker', () => {
  it('checks in this thread when the worker entry is missing', async () => {
    const files = manifests(40);
    const checker = new WorkerManifestChecker({
      script: '/nowhere/ksad-worker.cjs',
      threads: 2,
      filesPerThread: 1,
    });
    const checks = await checker.checkManifests(files, { today: TODAY });
    expect(checks).toEqual(files.map((f) => checkCatalogManifest(f, { today: TODAY })));
  });

  it('checks a small catalog in this thread alone', async () => {
    const files = manifests(10);
    const checker = new WorkerManifestChecker({
      script: worker('marking-worker'),
      threads: 2,
      filesPerThread: 100,
    });
    const checks = await checker.checkManifests(files, { today: TODAY });
    expect(checks).toEqual(files.map((f) => checkCatalogManifest(f, { today: TODAY })));
  });

  it('shares the files between this thread and the workers, keeping their order', async () => {
    const files = manifests(1000);
    const checker = new WorkerManifestChecker({
      script: worker('marking-worker'),
      threads: 3,
      filesPerThread: 1,
    });
    const counted: number[] = [];
    const checks = await checker.checkManifests(files, { today: TODAY }, (n) => counted.push(n));
    expect(checks).toHaveLength(files.length);
    // Batch by batch, from whichever thread, up to every file.
    expect(counted.length).toBeGreaterThan(1);
    expect(counted).toEqual([...counted].sort((a, b) => a - b));
    expect(counted.at(-1)).toBe(files.length);
    let onWorkers = 0;
    checks.forEach((check, i) => {
      const file = files[i]!;
      if (check.findings[0]?.rule === 'worker') {
        onWorkers++;
        expect(check.findings[0].file).toBe(file.path);
      } else {
        expect(check).toEqual(checkCatalogManifest(file, { today: TODAY }));
      }
    });
    expect(onWorkers).toBeGreaterThan(0);
    expect(onWorkers).toBeLessThan(files.length);
  });

  it('checks on the threads prepare started, and starts none for a small catalog', async () => {
    const files = manifests(600);
    const checker = new WorkerManifestChecker({
      script: worker('marking-worker'),
      threads: 2,
      filesPerThread: 100,
    });
    checker.prepare(files.length);
    const checks = await checker.checkManifests(files, { today: TODAY });
    expect(checks.some((c) => c.findings[0]?.rule === 'worker')).toBe(true);
    // A catalog found smaller than prepared for: the started thread is let go, this one checks.
    checker.prepare(files.length);
    const few = manifests(50);
    expect(await checker.checkManifests(few, { today: TODAY })).toEqual(
      few.map((f) => checkCatalogManifest(f, { today: TODAY })),
    );
  });

  it('fails with the error a worker reports', async () => {
    const checker = new WorkerManifestChecker({
      script: worker('failing-worker'),
      threads: 2,
      filesPerThread: 1,
    });
    await expect(checker.checkManifests(manifests(300), { today: TODAY })).rejects.toThrow(
      /worker thread failed: Error: boom/,
    );
  });

  it('fails when a worker stops before answering', async () => {
    const checker = new WorkerManifestChecker({
      script: worker('exiting-worker'),
      threads: 2,
      filesPerThread: 1,
    });
    await expect(checker.checkManifests(manifests(300), { today: TODAY })).rejects.toThrow(
      /exit code 3/,
    );
  });
});
