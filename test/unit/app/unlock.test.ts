/**
 * `ksad unlock` against the in-memory engine: a lock whose holder still runs on this machine is
 * kept unless forced; a dead holder's or another machine's lock is cleared plainly.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { holderState, takeLock } from '../../../src/app/lock.js';
import { unlockApp, type UnlockContext } from '../../../src/app/unlock.js';
import type { LockHolder } from '../../../src/ports/release-store.js';
import { FakeEngine } from '../../fakes/fake-engine.js';
import { dockerHost } from '../../support/host.js';
import { rejection } from '../../support/rejection.js';

const APP = 'uji-kunci';
const me = { user: 'budi', hostname: 'diskominfo-sumbawa', pid: 4242 };
const holder: LockHolder = {
  user: 'siti',
  hostname: 'diskominfo-sumbawa',
  pid: 777,
  command: 'ksad deploy uji-kunci',
  since: '2026-06-01T07:00:00.000Z',
};

let ctx: UnlockContext;
let alive: Set<number>;

beforeEach(() => {
  alive = new Set([777, 4242]);
  ctx = {
    store: dockerHost(new FakeEngine()).store,
    operator: me,
    probe: { isAlive: (pid) => alive.has(pid) },
  };
});

describe('holderState', () => {
  it.each([
    ['running', { hostname: 'diskominfo-sumbawa', pid: 777 }],
    ['gone', { hostname: 'diskominfo-sumbawa', pid: 778 }],
    ['elsewhere', { hostname: 'laptop-siti', pid: 777 }],
    ['elsewhere', { hostname: 'laptop-siti', pid: 778 }],
  ] as const)('%s: %o', (state, who) => {
    expect(holderState({ ...holder, ...who }, me, ctx.probe)).toBe(state);
  });
});

describe('unlockApp', () => {
  it('answers null when the app is not locked', async () => {
    expect(await unlockApp(ctx, APP, { force: false })).toEqual({ app: APP, cleared: null });
  });

  it('refuses to clear the lock of a holder still running here, naming it and what --force risks', async () => {
    await ctx.store.lock(APP, holder);
    const refused = await rejection(unlockApp(ctx, APP, { force: false }));
    expect(refused.code).toBe('LOCKED');
    expect(refused.message).toBe(
      `${APP} is locked by siti@diskominfo-sumbawa (pid 777, "ksad deploy uji-kunci") since 2026-06-01T07:00:00.000Z, and that process is still running on this machine: the lock is not stale`,
    );
    expect(refused.suggestions[0]).toContain('kill 777');
    expect(refused.suggestions[1]).toMatch(/^ksad unlock uji-kunci --force clears it anyway: /);
    expect(refused.suggestions[1]).toContain('at the same time');
    // Still held.
    expect(await ctx.store.lockHolder(APP)).toEqual(holder);
  });

  it('clears a running holder’s lock with --force, and says it was forced', async () => {
    await ctx.store.lock(APP, holder);
    expect(await unlockApp(ctx, APP, { force: true })).toEqual({
      app: APP,
      cleared: holder,
      holder: 'running',
      forced: true,
    });
    expect(await ctx.store.lockHolder(APP)).toBeNull();
  });

  it('clears plainly the lock of a holder whose process is gone', async () => {
    await ctx.store.lock(APP, holder);
    alive.delete(777);
    expect(await unlockApp(ctx, APP, { force: false })).toEqual({
      app: APP,
      cleared: holder,
      holder: 'gone',
      forced: false,
    });
    expect(await ctx.store.lockHolder(APP)).toBeNull();
  });

  it('clears plainly the lock of a holder on another machine, whose process ksad cannot check', async () => {
    const foreign = { ...holder, hostname: 'laptop-siti' };
    await ctx.store.lock(APP, foreign);
    expect(await unlockApp(ctx, APP, { force: false })).toMatchObject({
      cleared: foreign,
      holder: 'elsewhere',
      forced: false,
    });
  });

  it('agrees with takeLock on what is stale', async () => {
    await ctx.store.lock(APP, holder);
    const who = { operator: me, probe: ctx.probe, command: 'ksad deploy', now: new Date() };
    expect((await rejection(takeLock(ctx.store, APP, who))).message).not.toContain('stale');
    alive.delete(777);
    expect((await rejection(takeLock(ctx.store, APP, who))).message).toContain('stale');
  });
});
