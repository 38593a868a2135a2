// The Driver contract: the one seam between the control plane and a place where replicas run
// (the embedded local fleet, a Kubernetes cluster). Controllers only ever see this interface.
//
// Shapes are plain JSON-safe data so that an agent can publish a ClusterReport into the
// Cluster's status unchanged (see docs/adr/0006-local-driver.md).

/** Identifies one workload: its namespace and name. */
export interface WorkloadKey {
  namespace: string;
  name: string;
}

/** `namespace/name`: the map key used in reports and in Cluster `status.workloads`. */
export function workloadKeyString(k: WorkloadKey): string {
  return `${k.namespace}/${k.name}`;
}

/** Parses `namespace/name` back into a key; undefined when it has no slash. */
export function parseWorkloadKey(s: string): WorkloadKey | undefined {
  const i = s.indexOf('/');
  if (i <= 0 || i === s.length - 1) return undefined;
  return { namespace: s.slice(0, i), name: s.slice(i + 1) };
}

/** A readiness check, compiled at the boundary: durations in milliseconds. */
export interface HealthCheck {
  /** HTTP path probed with GET; a 2xx or 3xx answer is a success. */
  path: string;
  intervalMs: number;
  timeoutMs: number;
  /** Consecutive failures that turn a ready replica not-ready. */
  failureThreshold: number;
  /** Consecutive successes that make a replica ready. */
  successThreshold: number;
}

/**
 * The desired set of replicas of ONE workload on ONE cluster: what a driver converges to.
 * Everything is already validated and parsed (quantities as numbers, durations in ms).
 */
export interface ClusterWork {
  workload: WorkloadKey;
  /** Workload `metadata.generation` this work was derived from (reported back). */
  generation: number;
  /** Desired replica count on this cluster (0 keeps the entry but runs nothing). */
  replicas: number;
  /** Container image (Kubernetes driver); the local driver runs `command` instead. */
  image?: string;
  /** argv of each replica process (local driver, real mode). Not run through a shell. */
  command: string[];
  /** Extra environment from the workload spec. */
  env: Record<string, string>;
  /** Declared ports; the local driver binds the first one to a free loopback `$PORT`. */
  ports: { name?: string; port: number; protocol: 'http' | 'tcp' }[];
  /** Readiness check; absent = ready once running (and listening, when ports are declared). */
  healthCheck?: HealthCheck;
  /** Requests per replica: cpu in cores, memory in bytes (counted in `allocated`). */
  resources: { cpu: number; memory: number };
  /** Run as in-process simulated replicas (HTTP responders) instead of OS processes. */
  simulated: boolean;
}

/** Lifecycle of one replica, Kubernetes-pod style. `ready` is reported separately. */
export const ReplicaPhase = {
  /** Accepted, not started yet. */
  Pending: 'Pending',
  /** Running, has not passed readiness since it (re)started. */
  Starting: 'Starting',
  /** Running and has passed readiness since it (re)started (may flap not-ready). */
  Running: 'Running',
  /** Exited and waiting out its restart backoff (`backoffMs`, `nextRestartTime`). */
  CrashLoop: 'CrashLoop',
  /** Cannot be started at all (no command, spawn error); not retried until the work changes. */
  Failed: 'Failed',
  /** Being stopped (scale down, rollout, remove). */
  Terminating: 'Terminating',
} as const;
export type ReplicaPhase = (typeof ReplicaPhase)[keyof typeof ReplicaPhase];

/** Why a replica's last run ended. */
export interface Termination {
  /** ISO-8601 time of the exit. */
  time: string;
  exitCode: number | null;
  /** `SIGKILL` etc. when the process died of a signal. */
  signal: string | null;
  /** `Error` (non-zero exit), `Completed` (exit 0), `Killed` (signal), `SpawnError`. */
  reason: 'Error' | 'Completed' | 'Killed' | 'SpawnError';
  /** Last lines of output (up to 20), for `describe` and events. */
  message?: string;
}

/** Observed state of one replica. */
export interface ReplicaReport {
  /** Stable, unique name (`workload-<templateHash>-<ordinal>`), also `$TRUSTSTRAM_REPLICA`. */
  name: string;
  ordinal: number;
  /** Hash of the replica template; differs from the workload's during a rolling replace. */
  templateHash: string;
  phase: ReplicaPhase;
  ready: boolean;
  /** Restarts since the replica was created (never reset). */
  restartCount: number;
  /** Current restart delay while in CrashLoop. */
  backoffMs?: number;
  nextRestartTime?: string;
  /** `127.0.0.1:PORT` while running. */
  endpoint?: string;
  /** The replica's own process id (real mode) and its process group. */
  pid?: number;
  pgid?: number;
  startedAt?: string;
  lastTermination?: Termination;
  /** Measured (real) or synthetic (simulated): cpu in cores, memory in bytes. */
  usage?: { cpu: number; memory: number };
  simulated: boolean;
  message?: string;
}

/** Observed state of one workload on the cluster. */
export interface WorkloadReport {
  workload: WorkloadKey;
  /** Generation of the last work applied. */
  generation: number;
  /** Template hash of the last work applied: replicas with it are "updated". */
  templateHash: string;
  desiredReplicas: number;
  /** Replicas that exist (any phase except Terminating). */
  replicas: number;
  readyReplicas: number;
  updatedReplicas: number;
  /** True when exactly `desiredReplicas` updated replicas are ready and nothing else runs. */
  converged: boolean;
  replicaStatus: ReplicaReport[];
}

/** cpu in cores, memory in bytes, pods as a count. */
export interface Resources {
  cpu: number;
  memory: number;
  pods: number;
}

/** Everything a driver knows about its cluster, at one instant. */
export interface ClusterReport {
  cluster: string;
  /** ISO-8601 time of the report. */
  time: string;
  allocatable: Resources;
  /** Sum of requests of desired replicas. */
  allocated: Resources;
  /** Sum of measured usage of running replicas (pods = running replicas). */
  usage: Resources;
  workloads: WorkloadReport[];
}

/** One address a gateway can route to. */
export interface Endpoint {
  workload: WorkloadKey;
  cluster: string;
  replica: string;
  /** `127.0.0.1:PORT`. */
  address: string;
  ready: boolean;
}

export interface DriverHealth {
  ok: boolean;
  message: string;
}

/**
 * Where replicas run. Implementations converge asynchronously: `apply` records the desired
 * state and starts converging; `status` tells how far it got. Every method is idempotent.
 * @example
 * const d = createLocalDriver({ cluster: 'aws-eu-1' });
 * await d.apply(work);                 // 3 replicas of team-a/api
 * const r = await d.status();          // r.workloads[0].readyReplicas
 * await d.remove({ namespace: 'team-a', name: 'api' });
 * await d.close();                     // stops every replica
 */
export interface Driver {
  /** Sets the desired replicas of one workload (scale, rolling replace or nothing at all). */
  apply(work: ClusterWork): Promise<void>;
  /** Stops and forgets every replica of a workload; resolves when they are gone. */
  remove(workload: WorkloadKey): Promise<void>;
  /** Workloads this driver currently holds work for. */
  workloads(): WorkloadKey[];
  status(): Promise<ClusterReport>;
  /** Endpoints of every running replica, ready or not (filter on `ready`). */
  endpoints(): Promise<Endpoint[]>;
  health(): Promise<DriverHealth>;
  /** Registers a callback run (coalesced) whenever replica state changes; returns an unsubscribe. */
  onChange(listener: () => void): () => void;
  /** Stops every replica and releases resources; the driver is unusable afterwards. */
  close(): Promise<void>;
}
