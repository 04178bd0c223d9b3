// A bounded load loop for availability measures: `rate` requests a second against one URL, each
// on a fresh connection (as the outside measure was), counting failures, the version each
// answer came from (the sample web page's APP_VERSION), the longest gap without a good answer,
// and latencies. Used by bench/ingress-bench.js and test/integration/ingress.test.ts.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * Starts the loop; `stop()` ends it and resolves with the counts.
 * @param {{ url: string, host?: string, ca?: string, rate: number, timeoutMs?: number }} o
 */
export function startLoad(o) {
  const target = new URL(o.url);
  const https = target.protocol === 'https:';
  const stats = {
    sent: 0,
    ok: 0,
    failed: 0,
    errors: {},
    versions: {},
    latencies: [],
    longestGapMs: 0,
  };
  let lastGood = Date.now();
  let running = true;
  const inflight = new Set();
  const once = () =>
    new Promise((resolve) => {
      const started = process.hrtime.bigint();
      stats.sent += 1;
      const fail = (why) => {
        stats.failed += 1;
        stats.errors[why] = (stats.errors[why] ?? 0) + 1;
        resolve();
      };
      const req = (https ? httpsRequest : httpRequest)(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'GET',
          agent: false,
          timeout: o.timeoutMs ?? 5000,
          headers: o.host ? { host: o.host } : {},
          ...(https ? { servername: o.host ?? target.hostname, ca: o.ca } : {}),
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (body += d));
          res.on('end', () => {
            if (res.statusCode !== 200) return fail(`HTTP ${res.statusCode}`);
            const now = Date.now();
            stats.longestGapMs = Math.max(stats.longestGapMs, now - lastGood);
            lastGood = now;
            stats.ok += 1;
            stats.latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
            const version = /id="APP_VERSION">([^<]*)</.exec(body)?.[1] ?? 'unknown';
            stats.versions[version] = (stats.versions[version] ?? 0) + 1;
            resolve();
          });
          res.on('error', (e) => fail(e.code ?? e.message));
        },
      );
      req.on('timeout', () =>
        req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })),
      );
      req.on('error', (e) => fail(e.code ?? e.message));
      req.end();
    });
  const interval = 1000 / o.rate;
  const timer = setInterval(() => {
    if (!running) return;
    const p = once();
    inflight.add(p);
    p.then(() => inflight.delete(p));
  }, interval);
  return {
    stats,
    async stop() {
      running = false;
      clearInterval(timer);
      await Promise.all([...inflight]);
      stats.longestGapMs = Math.max(stats.longestGapMs, Date.now() - lastGood);
      return stats;
    },
  };
}

/** The p-th percentile (0-100) of `values`, in the same unit. */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
