import { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import { isKsadError, KsadError } from '../core/errors.js';
import type { Labels, NetworkInfo } from '../core/engine-model.js';
import type {
  SwarmEngine,
  SwarmMembership,
  SwarmNode,
  SwarmObject,
  SwarmServiceInfo,
  SwarmServiceSpec,
  SwarmTask,
} from '../ports/swarm-engine.js';
import type { LogStreamOptions } from '../ports/docker-engine.js';
import { demultiplexLogs, fromNetwork, labelFilters } from './docker-mapping.js';
import { pumpLogs } from './docker-streams.js';
import type { DockerodeEngine } from './dockerode-engine.js';
import {
  fromNode,
  fromService,
  fromSwarmInfo,
  fromSwarmObject,
  fromTask,
  toServiceSpec,
  type RawNode,
  type RawService,
  type RawTask,
} from './swarm-mapping.js';

type StatusWords = Partial<Record<number, (message: string) => KsadError>>;

const missing = (): KsadError => new KsadError('NOT_FOUND', 'not found');
const isMissing = (error: unknown): boolean => isKsadError(error) && error.message === 'not found';

/**
 * The SwarmEngine port over dockerode, through the DockerodeEngine's own connection, deadlines and
 * failure classification (`DockerodeEngine.request`), so a swarm call fails in the same words as
 * any other engine call.
 */
export class DockerodeSwarm implements SwarmEngine {
  constructor(private readonly engine: DockerodeEngine) {}

  private get endpoint(): string {
    return this.engine.endpoint;
  }

  private read<T>(action: string, run: (d: Dockerode) => Promise<T>, s?: StatusWords): Promise<T> {
    return this.engine.request(action, 'read', run, s);
  }

  private write<T>(action: string, run: (d: Dockerode) => Promise<T>, s?: StatusWords): Promise<T> {
    return this.engine.request(action, 'write', run, s);
  }

  /** A 503 on a Swarm endpoint: this engine is no manager of a swarm. */
  private notManager(): StatusWords {
    const words = (message: string): KsadError =>
      new KsadError(
        'ENGINE_UNAVAILABLE',
        `the Docker engine at ${this.endpoint} is not a swarm manager: ${message}`,
        {
          suggestions: [
            'run ksad against a manager node (docker node ls there shows the swarm)',
            'make this engine a swarm: docker swarm init --advertise-addr <ADDRESS>',
          ],
        },
      );
    return { 503: words, 406: words };
  }

  async membership(): Promise<SwarmMembership> {
    const info = (await this.read('report its swarm state', (d) => d.info())) as {
      Swarm?: Parameters<typeof fromSwarmInfo>[0];
    };
    return fromSwarmInfo(info.Swarm);
  }

  async listNodes(): Promise<SwarmNode[]> {
    const nodes = (await this.read(
      'list swarm nodes',
      (d) => d.listNodes(),
      this.notManager(),
    )) as RawNode[];
    return nodes.map(fromNode).sort((a, b) => a.hostname.localeCompare(b.hostname));
  }

  async listServices(labels: Labels): Promise<SwarmServiceInfo[]> {
    const raw = (await this.read(
      'list swarm services',
      (d) => d.listServices({ filters: { label: labelFilters(labels) } }),
      this.notManager(),
    )) as unknown as RawService[];
    return raw.map(fromService).sort((a, b) => a.name.localeCompare(b.name));
  }

  async inspectService(idOrName: string): Promise<SwarmServiceInfo | null> {
    try {
      const raw = (await this.read(
        `inspect service "${idOrName}"`,
        (d) => d.getService(idOrName).inspect(),
        { 404: missing, ...this.notManager() },
      )) as RawService;
      return fromService(raw);
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async createService(spec: SwarmServiceSpec): Promise<string> {
    const body = toServiceSpec(spec, await this.secretIds(spec));
    const created = (await this.write(
      `create service "${spec.name}"`,
      (d) => d.createService(body as unknown as Dockerode.CreateServiceOptions),
      {
        409: () =>
          new KsadError(
            'ENGINE_UNAVAILABLE',
            `service "${spec.name}" already exists on the swarm at ${this.endpoint}`,
            {
              suggestions: [
                `remove it (docker service rm ${spec.name}) or let ksad deploy its own`,
              ],
            },
          ),
        ...this.notManager(),
      },
    )) as { ID?: string; id?: string };
    return created.ID ?? created.id ?? '';
  }

  async updateService(id: string, version: number, spec: SwarmServiceSpec): Promise<void> {
    const body = toServiceSpec(spec, await this.secretIds(spec));
    await this.update(id, version, body, `update service "${spec.name}"`);
  }

  async restoreService(id: string, version: number, raw: unknown): Promise<void> {
    await this.update(id, version, raw, `restore service "${id}"`);
  }

  private async update(id: string, version: number, body: unknown, action: string): Promise<void> {
    await this.write(
      action,
      (d) => d.getService(id).update({ _query: { version }, _body: body }),
      this.notManager(),
    );
  }

  async scaleService(
    id: string,
    version: number,
    replicas: number,
    labels: Readonly<Record<string, string | null>>,
  ): Promise<void> {
    const raw = (await this.read(`inspect service "${id}"`, (d) => d.getService(id).inspect(), {
      404: () => this.noSuchService(id),
      ...this.notManager(),
    })) as RawService;
    const kept = { ...(raw.Spec.Labels ?? {}) };
    for (const [key, value] of Object.entries(labels)) {
      if (value === null) delete kept[key];
      else kept[key] = value;
    }
    // The spec as the engine gave it, but for its mode and labels: no task is replaced for this.
    const spec = { ...raw.Spec, Labels: kept, Mode: { Replicated: { Replicas: replicas } } };
    await this.update(id, version, spec, `scale service "${raw.Spec.Name}" to ${replicas}`);
  }

  async removeService(idOrName: string): Promise<void> {
    try {
      await this.write(`remove service "${idOrName}"`, (d) => d.getService(idOrName).remove(), {
        404: missing,
        ...this.notManager(),
      });
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }

  async listTasks(serviceId: string): Promise<SwarmTask[]> {
    const raw = (await this.read(
      `list the tasks of service "${serviceId}"`,
      (d) => d.listTasks({ filters: { service: [serviceId] } }),
      this.notManager(),
    )) as RawTask[];
    return raw
      .map(fromTask)
      .filter((t) => t.serviceId === serviceId)
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  }

  async serviceLogs(serviceId: string, tail: number): Promise<string> {
    const body = await this.read(
      `read the logs of service "${serviceId}"`,
      (d) =>
        d
          .getService(serviceId)
          .logs({ stdout: true, stderr: true, tail, follow: false }) as Promise<unknown>,
      this.notManager(),
    );
    return demultiplexLogs(Buffer.isBuffer(body) ? body : Buffer.from(String(body)));
  }

  async streamServiceLogs(
    serviceId: string,
    opts: LogStreamOptions,
    onData: (stream: 'stdout' | 'stderr', data: Uint8Array) => void,
  ): Promise<void> {
    const call = `read the logs of service "${serviceId}"`;
    const query = {
      stdout: true,
      stderr: true,
      follow: opts.follow,
      ...(opts.tail === undefined ? {} : { tail: opts.tail }),
      ...(opts.since === undefined ? {} : { since: opts.since }),
    };
    // Opening the stream is a read under its deadline; following it has none.
    const body = await this.read(
      call,
      (d) => d.getService(serviceId).logs(query) as Promise<unknown>,
      { 404: () => this.noSuchService(serviceId), ...this.notManager() },
    );
    try {
      await pumpLogs(
        Buffer.isBuffer(body) || body instanceof Readable ? body : Buffer.from(String(body)),
        onData,
        opts.signal,
      );
    } catch (error) {
      throw new KsadError(
        'ENGINE_UNAVAILABLE',
        `could not ${call} from the Docker engine at ${this.endpoint}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  }

  async listConfigs(labels: Labels): Promise<SwarmObject[]> {
    const raw = (await this.read(
      'list swarm configs',
      (d) => d.listConfigs({ filters: { label: labelFilters(labels) } }),
      this.notManager(),
    )) as Array<Parameters<typeof fromSwarmObject>[0]>;
    return raw.map(fromSwarmObject);
  }

  async inspectConfig(name: string): Promise<SwarmObject | null> {
    const raw = (await this.read(
      `inspect config "${name}"`,
      (d) => d.listConfigs({ filters: { name: [name] } }),
      this.notManager(),
    )) as Array<Parameters<typeof fromSwarmObject>[0]>;
    return raw.map(fromSwarmObject).find((c) => c.name === name) ?? null;
  }

  async createConfig(name: string, labels: Labels, data: Buffer): Promise<void> {
    await this.write(
      `create config "${name}"`,
      (d) => d.createConfig({ Name: name, Labels: { ...labels }, Data: data.toString('base64') }),
      { 409: () => this.taken('config', name), ...this.notManager() },
    );
  }

  async removeConfig(name: string): Promise<void> {
    try {
      await this.write(`remove config "${name}"`, (d) => d.getConfig(name).remove(), {
        404: missing,
        ...this.notManager(),
      });
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }

  async listSecrets(labels: Labels): Promise<SwarmObject[]> {
    const raw = (await this.read(
      'list swarm secrets',
      (d) => d.listSecrets({ filters: { label: labelFilters(labels) } }),
      this.notManager(),
    )) as Array<Parameters<typeof fromSwarmObject>[0]>;
    return raw.map(fromSwarmObject);
  }

  async createSecret(name: string, labels: Labels, data: Buffer): Promise<void> {
    await this.write(
      `create secret "${name}"`,
      (d) => d.createSecret({ Name: name, Labels: { ...labels }, Data: data.toString('base64') }),
      { 409: () => this.taken('secret', name), ...this.notManager() },
    );
  }

  async removeSecret(name: string): Promise<void> {
    try {
      await this.write(`remove secret "${name}"`, (d) => d.getSecret(name).remove(), {
        404: missing,
        400: (message) =>
          new KsadError('ENGINE_UNAVAILABLE', `cannot remove secret "${name}": ${message}`, {
            suggestions: ['remove the services that still mount it first'],
          }),
        ...this.notManager(),
      });
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }

  async listOverlayNetworks(labels: Labels): Promise<NetworkInfo[]> {
    const raw = (await this.read('list networks', (d) =>
      d.listNetworks({ filters: { label: labelFilters(labels), scope: ['swarm'] } }),
    )) as Array<Parameters<typeof fromNetwork>[0]>;
    return raw.map(fromNetwork).sort((a, b) => a.name.localeCompare(b.name));
  }

  async createOverlayNetwork(name: string, labels: Labels): Promise<NetworkInfo> {
    const network = await this.write(
      `create network "${name}"`,
      (d) =>
        d.createNetwork({
          Name: name,
          Driver: 'overlay',
          Attachable: true,
          Labels: { ...labels },
          CheckDuplicate: true,
        }),
      {
        409: () =>
          new KsadError(
            'ENGINE_UNAVAILABLE',
            `network "${name}" already exists on the swarm at ${this.endpoint}`,
            {
              suggestions: [
                `remove the existing network (docker network rm ${name}) or let ksad reuse it`,
              ],
            },
          ),
      },
    );
    return { id: network.id, name, labels: { ...labels } };
  }

  private noSuchService(id: string): KsadError {
    return new KsadError(
      'NOT_FOUND',
      `service "${id}" does not exist on the swarm at ${this.endpoint}`,
    );
  }

  private taken(kind: 'config' | 'secret', name: string): KsadError {
    return new KsadError(
      'LOCKED',
      `${kind} "${name}" already exists on the swarm at ${this.endpoint}`,
    );
  }

  /** The id of each secret the spec mounts, by name (the API needs both). */
  private async secretIds(spec: SwarmServiceSpec): Promise<Record<string, string>> {
    if (spec.secrets.length === 0) return {};
    const raw = (await this.read(
      'list swarm secrets',
      (d) => d.listSecrets({ filters: { name: spec.secrets.map((s) => s.secret) } }),
      this.notManager(),
    )) as Array<Parameters<typeof fromSwarmObject>[0]>;
    return Object.fromEntries(raw.map(fromSwarmObject).map((s) => [s.name, s.id]));
  }
}
