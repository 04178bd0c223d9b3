import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Label } from '../../src/core/labels.js';
import { planDeploy } from '../../src/core/plan.js';
import { buildDesiredState, type DesiredState } from '../../src/core/service-specs.js';
import type { DeployTarget, TargetChange } from '../../src/ports/deploy-target.js';
import type { DockerEngine } from '../../src/ports/docker-engine.js';
import { silentProgress } from '../../src/ports/progress.js';
import { antreanManifest } from '../unit/deploy/fixtures.js';
import { rejection } from '../support/rejection.js';

/** The healthcheck that never passes; a fake is told to treat containers using it as unhealthy. */
export const TARGET_FAILING_CHECK = ['false'];

/** What the contract needs from a target under test. */
export interface TargetSubject {
  target: DeployTarget;
  /** The engine behind it, to clean up by label. */
  engine: DockerEngine;
  /** A busybox image pinned by digest (`repo@sha256:…`) that the engine has. */
  image: string;
  /** Pinned by digest in the same repository, but no registry has it. */
  missingImage: string;
  /** Removes what the target keeps of `app` beyond containers, networks and volumes (swarm services). */
  removeApp?(app: string): Promise<void>;
  cleanup(): Promise<void>;
}

/** db (healthy, a data volume) ← web (health from `check`, `VERSION` in its environment). */
function desiredOf(
  target: DeployTarget,
  app: string,
  image: string,
  version: string,
  check: string[],
): DesiredState {
  const manifest = antreanManifest((m) => {
    m.name = app;
    m.config = {};
    m.secrets = {};
    m.services = {
      db: {
        image,
        command: ['sleep', '300'],
        volumes: [{ name: 'data', path: '/data' }],
        healthcheck: { test: ['true'], interval: '1s', retries: 1 },
        init: true,
        stopGracePeriod: '1s',
      },
      web: {
        image,
        command: ['sleep', '300'],
        environment: { VERSION: version },
        healthcheck: { test: check, interval: '1s', retries: 1 },
        dependsOn: { db: { condition: 'service_healthy' } },
        init: true,
        stopGracePeriod: '1s',
      },
    };
  });
  return buildDesiredState({
    manifest,
    manifestDigest: `sha256:${'e'.repeat(64)}`,
    config: {},
    secrets: {},
    region: { code: '52.04', name: 'Kabupaten Sumbawa' },
    revision: 1,
    serviceName: target.serviceName,
  });
}

/**
 * The behaviour every DeployTarget must show at the level of a release, run against the Docker
 * host target on the fake engine (unit project) and on a real engine (integration project).
 */
export function deployTargetContract(name: string, make: () => Promise<TargetSubject>): void {
  describe(`DeployTarget contract: ${name}`, () => {
    const app = `ctr-${randomBytes(4).toString('hex')}`;
    let subject: TargetSubject | undefined;
    const s = (): TargetSubject => {
      if (!subject) throw new Error('make() failed; see the beforeAll error');
      return subject;
    };
    const change = async (version: string, check = ['true']): Promise<TargetChange> => {
      const desired = desiredOf(s().target, app, s().image, version, check);
      const actual = await s().target.actual(app);
      const running = actual.containers.length > 0 ? 1 : null;
      return {
        app,
        desired,
        plan: planDeploy(desired, actual),
        actual,
        imagesPresent: await s().target.imagesPresent([s().image]),
        currentRevision: running,
        healthTimeoutMs: 30_000,
        secretValues: [],
      };
    };
    const versions = async (): Promise<Record<string, string | undefined>> => {
      const { containers } = await s().target.actual(app);
      return Object.fromEntries(containers.map((c) => [c.name, c.env.VERSION]));
    };

    beforeAll(async () => {
      subject = await make();
    });
    afterAll(async () => {
      if (!subject) return;
      await subject.removeApp?.(app);
      const e = subject.engine;
      const mine = { [Label.app]: app };
      for (const c of await e.listContainers(mine)) await e.removeContainer(c.id, { force: true });
      for (const n of await e.listNetworks(mine)) await e.removeNetwork(n.id);
      for (const v of await e.listVolumes(mine)) await e.removeVolume(v.name);
      await subject.cleanup();
    });

    const db = (): string => s().target.serviceName(app, 'db');
    const web = (): string => s().target.serviceName(app, 'web');

    it('installs a release: every service runs, with its network and data volume', async () => {
      const c = await change('1');
      await s().target.provideImages(c, silentProgress);
      const outcome = await s().target.apply(c, silentProgress);
      expect(outcome.ok).toBe(true);
      if (outcome.ok) await outcome.finish();
      const actual = await s().target.actual(app);
      expect(actual.containers.map((x) => [x.name, x.state]).sort()).toEqual([
        [db(), 'running'],
        [web(), 'running'],
      ]);
      expect(actual.networks.map((n) => n.name)).toEqual([`ksad-${app}`]);
      expect(actual.volumes.map((v) => v.name)).toEqual([`ksad-${app}-data`]);
      expect(s().target.interrupted(actual)).toBe(false);
    });

    it('upgrades a service health-gated, retiring its old container once finished', async () => {
      const c = await change('2');
      expect(c.plan.services.map((x) => [x.service, x.action])).toEqual([
        ['db', 'keep'],
        ['web', 'recreate'],
      ]);
      const outcome = await s().target.apply(c, silentProgress);
      expect(outcome.ok).toBe(true);
      if (outcome.ok) await outcome.finish();
      expect(await versions()).toEqual({ [db()]: undefined, [web()]: '2' });
    });

    it('restores the running release when a new container never becomes healthy', async () => {
      const c = await change('3', TARGET_FAILING_CHECK);
      const outcome = await s().target.apply(c, silentProgress);
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) expect(outcome.restoreError).toBeUndefined();
      expect(await versions()).toEqual({ [db()]: undefined, [web()]: '2' });
      const actual = await s().target.actual(app);
      expect(actual.containers.every((x) => x.state === 'running')).toBe(true);
      expect(s().target.interrupted(actual)).toBe(false);
    });

    it('refuses an image no source can provide, before anything changes', async () => {
      const c = await change('4');
      const webService = c.desired.services.find((x) => x.service === 'web');
      if (webService) webService.spec.image = s().missingImage;
      const error = await rejection(s().target.provideImages(c, silentProgress));
      expect(error.code).toBe('DEPLOY_FAILED');
      expect(await versions()).toEqual({ [db()]: undefined, [web()]: '2' });
    });

    it('names who holds a host port: a container of its own is no conflict, another is', async () => {
      const hostPort = 20000 + Math.floor(Math.random() * 9000);
      const port = { container: 80, protocol: 'tcp' as const, hostIp: '127.0.0.1', hostPort };
      const id = await s().engine.createContainer({
        name: `${app}-foreign`,
        image: s().image,
        command: ['sleep', '300'],
        env: {},
        // Only the app label, for the cleanup: not ksad's managed labels, so not a release.
        labels: { [Label.app]: app },
        ports: [port],
        mounts: [],
        network: 'bridge',
        aliases: [],
        restartPolicy: 'no',
        init: true,
        readOnlyRootFilesystem: false,
        stopTimeoutSec: 1,
      });
      await s().engine.startContainer(id);
      const free = { ...port, hostPort: hostPort + 1 };
      expect(await s().target.portHolders(app, [port, free])).toEqual([
        { port, holder: { kind: 'container', container: `${app}-foreign` } },
      ]);
      // Any address clashes with a wildcard binding.
      const wildcard = { ...port, hostIp: '0.0.0.0' };
      expect(await s().target.portHolders(app, [wildcard])).toHaveLength(1);
      expect(await s().target.portHolders(app, [])).toEqual([]);
      await s().engine.removeContainer(id, { force: true });
      expect(await s().target.portHolders(app, [port])).toEqual([]);
    });

    it('runs a command in a service, and stops and starts services in order, health-gated', async () => {
      const out: string[] = [];
      const io = {
        tty: false,
        stdout: (d: Uint8Array) => out.push(Buffer.from(d).toString()),
        stderr: (d: Uint8Array) => out.push(`err:${Buffer.from(d).toString()}`),
      };
      expect(await s().target.exec(app, 'web', ['sh', '-c', 'echo $VERSION'], io)).toBe(0);
      expect(await s().target.exec(app, 'web', ['sh', '-c', 'exit 3'], io)).toBe(3);
      expect(out.join('')).toBe('2\n');
      const unknown = await rejection(s().target.exec(app, 'cache', ['true'], io));
      expect(unknown.code).toBe('NOT_FOUND');
      expect(unknown.suggestions).toEqual(['its services: db, web']);

      const levels = [['db'], ['web']];
      const order: string[] = [];
      const progress = {
        ...silentProgress,
        step: <T>(title: string, run: (detail: (text: string) => void) => Promise<T>) => {
          order.push(title);
          return run(() => undefined);
        },
      };
      expect(await s().target.stop(app, { levels }, progress)).toEqual(['db', 'web']);
      expect(order).toEqual(['Stop web', 'Stop db']);
      const stopped = await s().target.actual(app);
      expect(stopped.containers.map((c) => c.state)).toEqual(['exited', 'exited']);
      const notRunning = await rejection(s().target.exec(app, 'web', ['true'], io));
      expect(notRunning.code).toBe('USAGE');

      order.length = 0;
      const started = await s().target.start(app, { levels, healthTimeoutMs: 30_000 }, progress);
      expect(started).toEqual(['db', 'web']);
      expect(order).toEqual(['Start db', 'Start web']);
      expect(await s().target.stop(app, { levels, services: ['web'] }, silentProgress)).toEqual([
        'web',
      ]);
      const chunks: string[] = [];
      await s().target.logs(app, ['db'], { follow: false, tail: 5 }, (service, stream) =>
        chunks.push(`${service}/${stream}`),
      );
      expect(chunks.every((c) => c === 'db/stdout' || c === 'db/stderr')).toBe(true);
      expect(
        await s().target.start(app, { levels, healthTimeoutMs: 30_000 }, silentProgress),
      ).toEqual(['web']);
      expect(await versions()).toEqual({ [db()]: undefined, [web()]: '2' });
    });

    it('removes the services and network, keeping the data volume unless purged', async () => {
      const kept = await s().target.remove(
        app,
        { levels: [['db'], ['web']], purgeData: false },
        silentProgress,
      );
      expect(kept.removedContainers).toEqual([db(), web()]);
      expect(kept.removedNetwork).toBe(true);
      expect((await s().target.actual(app)).volumes.map((v) => v.name)).toEqual([
        `ksad-${app}-data`,
      ]);
      const purged = await s().target.remove(app, { levels: [], purgeData: true }, silentProgress);
      expect(purged.volumes).toEqual([`ksad-${app}-data`]);
      expect(await s().target.actual(app)).toEqual({ containers: [], networks: [], volumes: [] });
    });
  });
}
