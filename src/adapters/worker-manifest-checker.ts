import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SourceFile } from '../core/catalog-model.js';
import { checkCatalogManifest, type LintOptions, type ManifestCheck } from '../core/lint/index.js';
import type { ManifestChecker } from '../ports/manifest-checker.js';

/** A batch of files sent to a worker thread (see manifest-check-worker.ts). */
export interface CheckRequest {
  batch: number;
  files: SourceFile[];
  opts: LintOptions;
}

export type CheckReply =
  { batch: number; checks: ManifestCheck[] } | { batch: number; error: string };

export interface WorkerManifestCheckerOptions {
  /** The bundled worker entry (dist/ksad-worker.cjs); checks run in this thread when it is missing. */
  script: string;
  /** Threads to check on, this one included; the machine's available parallelism by default. */
  threads?: number;
  /**
   * Fewest files worth a thread: starting one costs about as much as checking a couple of hundred
   * manifests, so a small catalog is checked in this thread alone.
   */
  filesPerThread?: number;
}

/** Files per batch: a thread asks for more after each, so all of them finish close together. */
const BATCH = 64;

/**
 * Checks a catalog's manifests on this thread and on worker threads together. The files go out
 * in batches, in order, to whichever thread is free; each worker holds a second batch so it never
 * waits for this thread, which takes messages only between two of its own batches.
 */
export class WorkerManifestChecker implements ManifestChecker {
  private readonly script: string;
  private readonly threads: number;
  private readonly filesPerThread: number;

  constructor(options: WorkerManifestCheckerOptions) {
    this.script = options.script;
    this.threads = options.threads ?? availableParallelism();
    this.filesPerThread = options.filesPerThread ?? 250;
  }

  async checkManifests(files: readonly SourceFile[], opts: LintOptions): Promise<ManifestCheck[]> {
    const threads = Math.min(this.threads, Math.floor(files.length / this.filesPerThread));
    if (threads < 2 || !existsSync(this.script)) {
      return files.map((f) => checkCatalogManifest(f, opts));
    }
    return checkOnThreads(this.script, threads - 1, files, opts);
  }
}

function checkOnThreads(
  script: string,
  workerCount: number,
  files: readonly SourceFile[],
  opts: LintOptions,
): Promise<ManifestCheck[]> {
  const batches = Math.ceil(files.length / BATCH);
  const results = new Array<ManifestCheck>(files.length);
  const workers: Worker[] = [];
  let next = 0;
  let done = 0;
  let settled = false;
  const slice = (batch: number): SourceFile[] => files.slice(batch * BATCH, (batch + 1) * BATCH);
  const store = (batch: number, checks: readonly ManifestCheck[]): void => {
    checks.forEach((check, j) => {
      results[batch * BATCH + j] = check;
    });
    done++;
  };

  return new Promise<ManifestCheck[]>((resolve, reject) => {
    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      for (const w of workers) void w.terminate();
      if (error) reject(error);
      else resolve(results);
    };
    const send = (worker: Worker): void => {
      if (next >= batches) return;
      const batch = next++;
      const request: CheckRequest = { batch, files: slice(batch), opts };
      worker.postMessage(request);
    };
    for (let i = 0; i < workerCount; i++) {
      const worker = new Worker(script);
      workers.push(worker);
      worker.on('message', (reply: CheckReply) => {
        if (settled) return;
        if ('error' in reply) {
          finish(new Error(`checking manifests on a worker thread failed: ${reply.error}`));
          return;
        }
        store(reply.batch, reply.checks);
        if (done === batches) finish();
        else send(worker);
      });
      worker.on('error', (error) => finish(error));
      worker.on('exit', (code) => {
        if (!settled) finish(new Error(`a manifest-checking thread stopped (exit code ${code})`));
      });
      send(worker);
      send(worker);
    }
    // This thread's share: one batch at a time, letting the workers' replies in between.
    const work = (): void => {
      if (settled || next >= batches) return;
      const batch = next++;
      try {
        store(
          batch,
          slice(batch).map((f) => checkCatalogManifest(f, opts)),
        );
      } catch (error) {
        finish(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      if (done === batches) finish();
      else setImmediate(work);
    };
    setImmediate(work);
  });
}
