// The supervisor of one replica slot: starts it through a runtime, probes readiness, restarts
// it with exponential backoff when it exits (CrashLoop), and stops it on request. It owns no
// policy about how many replicas exist; the driver's rollout plan decides that.
import { ReplicaPhase, type HealthCheck, type ReplicaReport, type Termination } from '../contract.js';
import { backoffDelay, nextCrashCount, type BackoffOptions } from './backoff.js';
import { httpProbe, tcpProbe } from './net.js';
import type { ExitInfo, ReplicaRuntime, RunningReplica, StartSpec } from './runtime.js';

/** Probe period until the first success: fast, so a fresh replica turns ready promptly. */
const STARTUP_PROBE_MS = 100;

export interface ReplicaOptions {
  runtime: ReplicaRuntime;
  spec: StartSpec;
  ordinal: number;
  templateHash: string;
  simulated: boolean;
  healthCheck?: HealthCheck;
  /** Probe a TCP connect when ports are declared but no health check is. */
  hasPorts: boolean;
  backoff: BackoffOptions;
  onChange: () => void;
}

export interface Replica {
  readonly name: string;
  readonly ordinal: number;
  readonly templateHash: string;
  phase(): ReplicaPhase;
  ready(): boolean;
  /** The running instance, if any (for usage sampling). */
  current(): RunningReplica | undefined;
  report(): ReplicaReport;
  /** Graceful stop; the slot never restarts afterwards. */
  stop(graceMs: number): Promise<void>;
  /** Synchronous hard kill for process exit. */
  killNow(): void;
  /** Failure injection; false when nothing is running. */
  crash(): boolean;
}

/** Creates a replica slot and starts it at once. */
export function startReplica(o: ReplicaOptions): Replica {
  let phase: ReplicaPhase = ReplicaPhase.Pending;
  let ready = false;
  let everReady = false;
  let restartCount = 0;
  let crashes = 0;
  let backoffMs: number | undefined;
  let nextRestartAt: number | undefined;
  let startedAt: number | undefined;
  let lastTermination: Termination | undefined;
  let message: string | undefined;
  let current: RunningReplica | undefined;
  let stopping = false;
  let starting: Promise<void> | undefined;
  let restartTimer: NodeJS.Timeout | undefined;
  let probeTimer: NodeJS.Timeout | undefined;
  let successes = 0;
  let failures = 0;
  const successThreshold = o.healthCheck?.successThreshold ?? 1;
  const failureThreshold = o.healthCheck?.failureThreshold ?? 3;

  const set = (p: ReplicaPhase, r: boolean) => {
    if (p === phase && r === ready) return;
    phase = p;
    ready = r;
    o.onChange();
  };

  const run = async () => {
    restartTimer = undefined;
    if (stopping) return;
    if (!o.simulated && o.spec.command.length === 0) {
      message = 'the workload has no command to run';
      set(ReplicaPhase.Failed, false);
      return;
    }
    let inst: RunningReplica;
    try {
      inst = await o.runtime.start(o.spec);
    } catch (err) {
      onExit(undefined, { exitCode: null, signal: null, spawnError: (err as Error).message });
      return;
    }
    if (stopping) {
      await inst.stop(0);
      return;
    }
    current = inst;
    startedAt = Date.now();
    everReady = false;
    successes = 0;
    failures = 0;
    message = undefined;
    set(ReplicaPhase.Starting, false);
    inst.exited.then((info) => onExit(inst, info)).catch(() => undefined);
    scheduleProbe(0);
  };

  const onExit = (inst: RunningReplica | undefined, info: ExitInfo) => {
    if (inst && inst !== current) return;
    clearTimeout(probeTimer);
    const ranMs = startedAt !== undefined ? Date.now() - startedAt : 0;
    lastTermination = termination(info, inst?.outputTail());
    current = undefined;
    startedAt = undefined;
    if (stopping) return;
    crashes = nextCrashCount(crashes, ranMs, o.backoff);
    backoffMs = backoffDelay(crashes, o.backoff);
    nextRestartAt = Date.now() + backoffMs;
    restartCount++;
    phase = ReplicaPhase.Pending; // force a change notification even if already CrashLoop
    set(ReplicaPhase.CrashLoop, false);
    restartTimer = setTimeout(() => {
      starting = run();
    }, backoffMs);
  };

  const scheduleProbe = (delay: number) => {
    probeTimer = setTimeout(() => void probeOnce(), delay);
  };

  const probeOnce = async () => {
    const inst = current;
    if (!inst || stopping) return;
    const ok = await probe(inst);
    if (inst !== current || stopping) return;
    if (ok) {
      failures = 0;
      successes++;
      if (!ready && successes >= successThreshold) {
        everReady = true;
        set(ReplicaPhase.Running, true);
      }
    } else {
      successes = 0;
      failures++;
      if (ready && failures >= failureThreshold) set(phase, false);
    }
    const interval = o.healthCheck?.intervalMs ?? 1000;
    scheduleProbe(everReady ? interval : Math.min(interval, STARTUP_PROBE_MS));
  };

  const probe = async (inst: RunningReplica): Promise<boolean> => {
    if (inst.selfReady) return inst.selfReady();
    if (o.healthCheck) return httpProbe(inst.port, o.healthCheck.path, o.healthCheck.timeoutMs);
    if (o.hasPorts) return tcpProbe(inst.port, 1000);
    return true;
  };

  starting = run();

  return {
    name: o.spec.replica,
    ordinal: o.ordinal,
    templateHash: o.templateHash,
    phase: () => phase,
    ready: () => ready,
    current: () => current,
    report() {
      const r: ReplicaReport = { name: o.spec.replica, ordinal: o.ordinal, templateHash: o.templateHash, phase, ready, restartCount, simulated: o.simulated };
      if (phase === ReplicaPhase.CrashLoop && backoffMs !== undefined && nextRestartAt !== undefined) {
        r.backoffMs = backoffMs;
        r.nextRestartTime = new Date(nextRestartAt).toISOString();
      }
      if (current) {
        r.endpoint = `127.0.0.1:${current.port}`;
        if (current.pid !== undefined) r.pid = current.pid;
        if (current.pgid !== undefined) r.pgid = current.pgid;
      }
      if (startedAt !== undefined) r.startedAt = new Date(startedAt).toISOString();
      if (lastTermination) r.lastTermination = lastTermination;
      if (message) r.message = message;
      return r;
    },
    async stop(graceMs) {
      stopping = true;
      clearTimeout(restartTimer);
      clearTimeout(probeTimer);
      set(ReplicaPhase.Terminating, false);
      await starting;
      await current?.stop(graceMs);
    },
    killNow() {
      stopping = true;
      clearTimeout(restartTimer);
      clearTimeout(probeTimer);
      current?.killNow();
    },
    crash() {
      if (!current) return false;
      current.crash();
      return true;
    },
  };
}

function termination(info: ExitInfo, output: string | undefined): Termination {
  const reason: Termination['reason'] = info.spawnError ? 'SpawnError' : info.signal ? 'Killed' : info.exitCode === 0 ? 'Completed' : 'Error';
  const t: Termination = { time: new Date().toISOString(), exitCode: info.exitCode, signal: info.signal, reason };
  // Twenty lines: enough to reach the error line above a stack trace (events quote that line).
  const text = info.spawnError ?? output?.trim().split('\n').slice(-20).join('\n');
  if (text) t.message = text.slice(-2048);
  return t;
}
