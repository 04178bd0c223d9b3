/**
 * Entry of the threads `WorkerManifestChecker` starts (bundled on its own as dist/ksad-worker.cjs):
 * checks each batch of manifest files it is sent with core's `checkCatalogManifest` and sends
 * the checks back, or the error that stopped it.
 */
import { parentPort } from 'node:worker_threads';
import { checkCatalogManifest } from '../core/lint/index.js';
import type { CheckReply, CheckRequest } from './worker-manifest-checker.js';

const port = parentPort;
if (port !== null) {
  port.on('message', (request: CheckRequest) => {
    let reply: CheckReply;
    try {
      reply = {
        batch: request.batch,
        checks: request.files.map((f) => checkCatalogManifest(f, request.opts)),
      };
    } catch (error) {
      reply = {
        batch: request.batch,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      };
    }
    port.postMessage(reply);
  });
}
