/**
 * A pass-through proxy on a unix socket in front of a real Docker engine's socket, for fault
 * injection: point ksad at `proxy.dockerHost` and every Engine API request goes through it.
 *
 * The proxy splits the byte stream of each connection into HTTP/1.1 requests (request line,
 * headers, then a `Content-Length` or chunked body; several requests may share one keep-alive
 * connection), numbers them in the order they arrive over all connections, and asks `decide`
 * what to do with each before a byte of it reaches the engine:
 *
 * - `forward`: pass it on, and the engine's answer back;
 * - `stall`: never pass it on and never answer; the connection stays open and silent;
 * - `stall-answer`: pass it on, pass back the answer's status line and headers, then nothing more;
 * - `drop`: close the connection at once, as a dockerd that dies mid-request;
 * - `{ status }`: answer it with that status and a JSON `{message}` body, without the engine.
 *
 * `die()` is a dockerd that is gone: every connection drops and the socket is removed, so new
 * ones fail with ENOENT. A harness that kills ksad right after its N-th API call kills it in
 * `decide` when request N + 1 arrives (answer N has then been read) and returns `stall`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One request ksad sent, as the proxy saw it. */
export interface ProxiedRequest {
  /** 1-based, in the order the request heads arrived, over every connection. */
  n: number;
  method: string;
  /** Path and query as sent, e.g. `/v1.41/containers/json?all=true`. */
  path: string;
  /** Which client connection (1-based) carried it. */
  connection: number;
}

export type ProxyAction =
  'forward' | 'stall' | 'stall-answer' | 'drop' | { status: number; message?: string };

export type Decide = (request: ProxiedRequest) => ProxyAction;

export interface EngineProxy {
  /** The socket the proxy listens on. */
  readonly socketPath: string;
  /** `unix://` + socketPath: what DOCKER_HOST or `--docker-host` takes. */
  readonly dockerHost: string;
  /** Every request seen so far, in order. */
  readonly requests: readonly ProxiedRequest[];
  /** Replaces the decision for the requests to come. */
  decide(decide: Decide): void;
  /** Drops every connection and removes the socket: the engine is gone until `close`. */
  die(): Promise<void>;
  /** Stops listening and drops every connection, stalled ones too; removes the socket. */
  close(): Promise<void>;
}

/** `forward` the first `n` requests, then `action` for every later one. */
export function afterRequests(n: number, action: ProxyAction): Decide {
  return (r) => (r.n <= n ? 'forward' : action);
}

/**
 * Forwards the first `n` requests; when request `n + 1` arrives (so answer `n` has been read, for
 * a client that waits for each answer) calls `kill` once and stalls that request and every later
 * one: ksad killed right after its N-th API call.
 */
export function killAfterRequests(n: number, kill: () => void): Decide {
  let killed = false;
  return (r) => {
    if (r.n <= n) return 'forward';
    if (!killed) {
      killed = true;
      kill();
    }
    return 'stall';
  };
}

/** `action` for the requests `match` picks (only the first `times` of them, if given); `forward` for the rest. */
export function onRequests(
  match: (r: ProxiedRequest) => boolean,
  action: ProxyAction,
  times = Infinity,
): Decide {
  let hits = 0;
  return (r) => {
    if (hits >= times || !match(r)) return 'forward';
    hits += 1;
    return action;
  };
}

const REASONS: Record<number, string> = {
  404: 'Not Found',
  409: 'Conflict',
  500: 'Internal Server Error',
};

interface Head {
  method: string;
  path: string;
  /** Body framing: a byte count, chunked, or everything that follows (after an upgrade). */
  body: { kind: 'length'; bytes: number } | { kind: 'chunked' } | { kind: 'raw' };
}

function parseHead(head: string): Head {
  const [line = '', ...headerLines] = head.split('\r\n');
  const [method = '', path = ''] = line.split(' ');
  const headers = new Map<string, string>();
  for (const h of headerLines) {
    const colon = h.indexOf(':');
    if (colon > 0) headers.set(h.slice(0, colon).trim().toLowerCase(), h.slice(colon + 1).trim());
  }
  const upgrade = /upgrade/i.test(headers.get('connection') ?? '') && headers.has('upgrade');
  const chunked = /chunked/i.test(headers.get('transfer-encoding') ?? '');
  return {
    method,
    path,
    body: upgrade
      ? { kind: 'raw' }
      : chunked
        ? { kind: 'chunked' }
        : { kind: 'length', bytes: Number(headers.get('content-length') ?? 0) },
  };
}

type State =
  | { at: 'head' }
  | { at: 'length'; left: number }
  | { at: 'chunk-size' }
  | { at: 'chunk-data'; left: number }
  | { at: 'trailer' }
  | { at: 'raw' };

/**
 * Splits one connection's bytes into requests: `onHead` is told of each request (with its head's
 * bytes), `onBytes` gets every later byte of it, in order.
 */
class RequestSplitter {
  private buffer: Buffer = Buffer.alloc(0);
  private state: State = { at: 'head' };

  constructor(
    private readonly onHead: (head: Head, bytes: Buffer) => void,
    private readonly onBytes: (bytes: Buffer) => void,
  ) {}

  push(data: Buffer): void {
    this.buffer = this.buffer.length === 0 ? data : Buffer.concat([this.buffer, data]);
    while (this.buffer.length > 0) {
      const s = this.state;
      if (s.at === 'head') {
        const end = this.buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const bytes = this.take(end + 4);
        const head = parseHead(bytes.toString('latin1'));
        this.state =
          head.body.kind === 'raw'
            ? { at: 'raw' }
            : head.body.kind === 'chunked'
              ? { at: 'chunk-size' }
              : head.body.bytes > 0
                ? { at: 'length', left: head.body.bytes }
                : { at: 'head' };
        this.onHead(head, bytes);
      } else if (s.at === 'length' || s.at === 'chunk-data') {
        const bytes = this.take(Math.min(s.left, this.buffer.length));
        s.left -= bytes.length;
        if (s.left === 0) this.state = s.at === 'length' ? { at: 'head' } : { at: 'chunk-size' };
        this.onBytes(bytes);
      } else if (s.at === 'chunk-size' || s.at === 'trailer') {
        const end = this.buffer.indexOf('\r\n');
        if (end < 0) return;
        const bytes = this.take(end + 2);
        if (s.at === 'trailer') {
          if (end === 0) this.state = { at: 'head' };
        } else {
          const size = parseInt(bytes.toString('latin1').split(';')[0] ?? '0', 16);
          // Each chunk's data is followed by CRLF; the last (size 0) by trailers and an empty line.
          this.state = size > 0 ? { at: 'chunk-data', left: size + 2 } : { at: 'trailer' };
        }
        this.onBytes(bytes);
      } else {
        this.onBytes(this.take(this.buffer.length));
      }
    }
  }

  private take(n: number): Buffer {
    const bytes = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(n);
    return bytes;
  }
}

/** Starts a proxy in front of the engine socket `upstream` (a path, or `unix://` + path). */
export async function startEngineProxy(options: {
  upstream: string;
  decide?: Decide;
  /** Where to listen; default a socket in a fresh temp folder. */
  socketPath?: string;
}): Promise<EngineProxy> {
  const upstreamPath = options.upstream.replace(/^unix:\/\//, '');
  const folder = options.socketPath ? undefined : await mkdtemp(join(tmpdir(), 'ksad-proxy-'));
  const socketPath = options.socketPath ?? join(folder ?? '', 'engine.sock');
  let decide: Decide = options.decide ?? (() => 'forward');
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;

  const server: Server = createServer((client) => {
    const connection = ++connections;
    const engine = connect(upstreamPath);
    sockets.add(client);
    sockets.add(engine);
    // Where the current request's bytes go, and whether the engine's answer is passed back.
    let sink: (bytes: Buffer) => void = (bytes) => engine.write(bytes);
    let answer: 'pass' | 'head-only' | 'none' = 'pass';
    const drop = (): void => {
      client.destroy();
      engine.destroy();
    };

    const splitter = new RequestSplitter(
      (head, bytes) => {
        const request = {
          n: requests.length + 1,
          method: head.method,
          path: head.path,
          connection,
        };
        requests.push(request);
        const action = decide(request);
        if (action === 'forward' || action === 'stall-answer') {
          answer = action === 'forward' ? 'pass' : 'head-only';
          sink = (b) => engine.write(b);
          sink(bytes);
        } else if (action === 'stall') {
          answer = 'none';
          sink = () => undefined;
        } else if (action === 'drop') {
          sink = () => undefined;
          drop();
        } else {
          sink = () => undefined;
          const body = JSON.stringify({
            message: action.message ?? `injected by the engine proxy (request ${request.n})`,
          });
          client.write(
            `HTTP/1.1 ${action.status} ${REASONS[action.status] ?? 'Error'}\r\n` +
              `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
          );
        }
      },
      (bytes) => sink(bytes),
    );

    client.on('data', (data: Buffer) => splitter.push(data));
    engine.on('data', (data: Buffer) => {
      if (answer === 'pass') client.write(data);
      else if (answer === 'head-only') {
        const end = data.indexOf('\r\n\r\n');
        client.write(end < 0 ? data : data.subarray(0, end + 4));
        if (end >= 0) answer = 'none';
      }
    });
    client.on('end', () => engine.end());
    engine.on('end', () => client.end());
    client.on('error', drop);
    engine.on('error', drop);
    client.on('close', () => {
      sockets.delete(client);
      engine.destroy();
    });
    engine.on('close', () => sockets.delete(engine));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, resolve);
  });

  let closed: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
    return closed;
  };

  return {
    socketPath,
    dockerHost: `unix://${socketPath}`,
    requests,
    decide(next) {
      decide = next;
    },
    async die() {
      await stop();
      await rm(socketPath, { force: true });
    },
    async close() {
      await stop();
      await rm(socketPath, { force: true });
      if (folder) await rm(folder, { recursive: true, force: true });
    },
  };
}
