/**
 * Where releases run, at the level of a release: the target's facts, an app's actual state,
 * applying a plan, removing an app. The Docker host is `targets/docker-host/target.ts`; a new kind
 * of target (a Docker Swarm) is a folder of its own under `src/targets/` implementing this port and
 * `ReleaseStore`. `test/contract/deploy-target.contract.ts` runs against the fake and a real engine.
 */
import type { ContainerInfo, EngineInfo, ImageInfo, PublishedPort } from '../core/engine-model.js';
import type { ActualState, Plan } from '../core/plan.js';
import type { TargetKind } from '../core/release.js';
import type { DesiredState } from '../core/service-specs.js';
import type { SwarmNode } from '../core/swarm-model.js';
import type { ExecIO } from './docker-engine.js';
import type { Progress } from './progress.js';

/** A plan to apply, with what it was worked out against. */
export interface TargetChange {
  app: string;
  desired: DesiredState;
  plan: Plan;
  actual: ActualState;
  /** Image references the target already has. */
  imagesPresent: ReadonlySet<string>;
  /** The revision that runs now (null on a first install). */
  currentRevision: number | null;
  /** How long a service may take to become healthy (or running, without a healthcheck). */
  healthTimeoutMs: number;
  /** Values masked in any log line shown on failure. */
  secretValues: readonly string[];
  /** The app's secret values by name, for a target that hands them to services as files. */
  secrets?: Readonly<Record<string, string>>;
  /** The region's certificate and key for the app's route, to keep where the proxy loads them. */
  tls?: { certificate: string; key: string };
}

/**
 * The result of applying a change. Applied: every service runs its new spec; `finish` retires what
 * the change replaced (kept old containers, removed services), which the use-case does while it
 * records the revision. Failed: the target restored the previous state (or says why it could not).
 */
export type ApplyOutcome =
  { ok: true; finish(): Promise<void> } | { ok: false; error: unknown; restoreError?: unknown };

export interface Removal {
  removedContainers: string[];
  removedNetwork: boolean;
  /** Data volumes of the app, kept or (with purgeData) removed. */
  volumes: string[];
}

/** Which part of a release's output `logs` reads. */
export interface LogOptions {
  /** Keep reading new output until the services stop or `signal` aborts. */
  follow: boolean;
  /** Only the last N lines of each service (all when absent). */
  tail?: number;
  /** Only output written at or after this time (Unix seconds). */
  since?: number;
  signal?: AbortSignal;
}

/** Receives a release's output, service by service, as it comes. */
export type LogSink = (service: string, stream: 'stdout' | 'stderr', data: Uint8Array) => void;

/** Which services of a release an operation is about, and the order they start in. */
export interface ServiceSelection {
  /** The release's start order (from its record); services stop in reverse. */
  levels: readonly string[][];
  /** Only these services (all of the release when absent). */
  services?: readonly string[];
}

/** Who holds a host port a release wants. */
export type PortHolder =
  | { kind: 'release'; app: string; container: string }
  | { kind: 'container'; container: string }
  | { kind: 'process' };

export interface PortHolding {
  port: PublishedPort;
  holder: PortHolder;
}

export interface DeployTarget {
  readonly kind: TargetKind;
  /** The target's name for a service of an app (`ksad-<app>-<service>`, `<app>_<service>`). */
  readonly serviceName: (app: string, service: string) => string;
  /** Reachability and versions. */
  facts(): Promise<EngineInfo>;
  /** The machines of a target of several (a swarm's nodes); absent for a single host. */
  nodes?(): Promise<SwarmNode[]>;
  /** What ksad runs for `app`, or for every app. */
  actual(app?: string): Promise<ActualState>;
  /** Everything carrying ksad's labels that is not the release store's own: what audit judges. */
  inventory(): Promise<ActualState>;
  /** Which of `refs` the target already has. */
  imagesPresent(refs: readonly string[]): Promise<Set<string>>;
  /** The target's view of each image reference (null: not present). */
  images(refs: readonly string[]): Promise<Record<string, ImageInfo | null>>;
  /**
   * Which of `ports` something other than `app` holds: another release's container (running or
   * stopped: it comes back with a start), another running container, or (where the target can
   * tell) a process listening on the host. Reads only.
   */
  portHolders(app: string, ports: readonly PublishedPort[]): Promise<PortHolding[]>;
  /** Containers found by name that lost ksad's labels (recreated by hand), by name. */
  unlabelled(names: readonly string[]): Promise<Record<string, ContainerInfo>>;

  /** True when `actual` shows a change that was interrupted (a kill mid-deploy). */
  interrupted(actual: ActualState): boolean;
  /**
   * Brings back the last good state an interrupted change left, each restored service ready
   * (healthy, or running without a healthcheck) within `healthTimeoutMs`; returns how many.
   */
  recover(actual: ActualState, healthTimeoutMs: number, progress: Progress): Promise<number>;
  /** Brings in the images `change` starts that the target lacks, each checked against its digest. */
  provideImages(change: TargetChange, progress: Progress): Promise<void>;
  /**
   * Applies `change` (its images provided): network and volumes, then services level by level,
   * health-gated; on a failure the previous state is restored.
   */
  apply(change: TargetChange, progress: Progress): Promise<ApplyOutcome>;
  /**
   * The output of `app`'s services (`services`, or all), each chunk given to `sink` with its
   * service; with `follow`, until the services stop or the signal aborts.
   */
  logs(
    app: string,
    services: readonly string[] | undefined,
    opts: LogOptions,
    sink: LogSink,
  ): Promise<void>;
  /** Runs `cmd` in the running `service` of `app`, attached to `io`; returns its exit code. */
  exec(app: string, service: string, cmd: readonly string[], io: ExecIO): Promise<number>;
  /** Stops the selected services (reverse start order); returns the services it stopped. */
  stop(app: string, selection: ServiceSelection, progress: Progress): Promise<string[]>;
  /**
   * Starts the selected services in start order, each ready (healthy, or running without a
   * healthcheck) within `healthTimeoutMs` before the next level; returns the services it started.
   */
  start(
    app: string,
    selection: ServiceSelection & { healthTimeoutMs: number },
    progress: Progress,
  ): Promise<string[]>;
  /** Stops and removes the app's services (reverse `levels`) and network; volumes only with purgeData. */
  remove(
    app: string,
    opts: { levels: readonly string[][]; purgeData: boolean },
    progress: Progress,
  ): Promise<Removal>;
}
