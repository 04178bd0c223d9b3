/**
 * The Engine API's attached streams: a container's log stream and an exec session. Each lasts as
 * long as the user wants (a followed log, an interactive shell), so none runs under a deadline;
 * the calls that set them up do (see DockerodeEngine).
 */
import type { Duplex, Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import type { ExecIO, LogStreamOptions } from '../ports/docker-engine.js';

type Sink = (stream: 'stdout' | 'stderr', data: Uint8Array) => void;

/**
 * Splits the engine's multiplexed stream (8-byte frames: stream id, 3 zero bytes, length) as
 * chunks arrive; a frame may span chunks.
 */
export function frameSplitter(sink: Sink): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 8) {
      const length = pending.readUInt32BE(4);
      if (pending.length < 8 + length) break;
      const payload = pending.subarray(8, 8 + length);
      sink(pending[0] === 2 ? 'stderr' : 'stdout', payload);
      pending = pending.subarray(8 + length);
    }
  };
}

/** Reads `stream` to its end (or until `signal` aborts), feeding each chunk to `onChunk`. */
function drain(
  stream: Readable,
  onChunk: (chunk: Buffer) => void,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = (): void => {
      stream.destroy();
      resolve();
    };
    if (signal?.aborted) return stop();
    signal?.addEventListener('abort', stop, { once: true });
    stream.on('data', (chunk: Buffer) => onChunk(chunk));
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', (error) => (signal?.aborted ? resolve() : reject(error)));
  });
}

/** Opens the log stream of `container` (the opening call is the caller's to put a deadline on). */
export function openLogs(
  container: Dockerode.Container,
  opts: LogStreamOptions,
): Promise<Readable | Buffer> {
  const common = {
    stdout: true,
    stderr: true,
    ...(opts.tail === undefined ? {} : { tail: opts.tail }),
    ...(opts.since === undefined ? {} : { since: opts.since }),
  };
  // The engine streams a followed log; a plain one comes as one body.
  return opts.follow
    ? (container.logs({ ...common, follow: true }) as Promise<Readable>)
    : container.logs({ ...common, follow: false });
}

/** Feeds an opened log (stream or body) to `onData`, frame by frame. */
export async function pumpLogs(
  body: Readable | Buffer,
  onData: Sink,
  signal?: AbortSignal,
): Promise<void> {
  const split = frameSplitter(onData);
  if (Buffer.isBuffer(body)) return split(body);
  await drain(body, split, signal);
}

/** Creates and starts an exec session of `cmd`, attached; the caller puts a deadline on this. */
export async function openExec(
  container: Dockerode.Container,
  cmd: readonly string[],
  io: ExecIO,
): Promise<{ exec: Dockerode.Exec; stream: Duplex }> {
  const exec = await container.exec({
    Cmd: [...cmd],
    AttachStdin: io.stdin !== undefined,
    AttachStdout: true,
    AttachStderr: true,
    Tty: io.tty,
  });
  const stream = await exec.start({ hijack: true, stdin: io.stdin !== undefined, Tty: io.tty });
  return { exec, stream };
}

/**
 * Runs an opened exec session to its end: stdin goes in (its end half-closes the session's input),
 * output comes out (one raw stream with a terminal, frames without). Returns the exit code.
 */
export async function runExec(
  stream: Duplex,
  io: ExecIO,
  inspect: () => Promise<{ ExitCode: number | null }>,
): Promise<number> {
  const done = drain(stream, io.tty ? (c) => io.stdout(c) : frameSplitter((s, d) => io[s](d)));
  const input = io.stdin;
  if (input !== undefined) {
    // Not awaited: a command may end before its input does (an interactive shell's `exit`).
    void (async () => {
      for await (const chunk of input) {
        if (stream.destroyed || !stream.writable) break;
        stream.write(chunk);
      }
      if (!stream.destroyed) stream.end();
    })().catch(() => undefined);
  }
  await done;
  const info = await inspect();
  return info.ExitCode ?? 0;
}
