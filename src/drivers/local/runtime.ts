// What the replica supervisor needs from "something that runs one replica": start it, learn
// when it ends, stop it gracefully or kill it at once. Two runtimes implement it: OS
// processes (process-runtime.ts) and in-agent simulated responders (simulated-runtime.ts).
import type { WorkloadKey } from '../contract.js';

export interface StartSpec {
  cluster: string;
  workload: WorkloadKey;
  /** Replica name, exported as `$TRUSTSTRAM_REPLICA`. */
  replica: string;
  command: string[];
  /** Full environment to add on top of the agent's (PORT is added by the runtime). */
  env: Record<string, string>;
  cwd: string;
  /** Append the replica's output here when set. */
  logFile?: string;
  /** Path of the HTTP readiness check, when the workload has one. */
  healthPath?: string;
  /** Resources requested, for synthetic usage of simulated replicas. */
  resources: { cpu: number; memory: number };
}

export interface ExitInfo {
  exitCode: number | null;
  signal: string | null;
  /** Set when the replica could not be started at all. */
  spawnError?: string;
}

export interface RunningReplica {
  port: number;
  pid?: number;
  pgid?: number;
  /** Resolves once the replica no longer runs, whatever the reason. */
  readonly exited: Promise<ExitInfo>;
  /** Graceful stop: SIGTERM, then SIGKILL after `graceMs`; resolves when everything is gone. */
  stop(graceMs: number): Promise<void>;
  /** Immediate, synchronous kill (used when the agent itself is exiting). */
  killNow(): void;
  /** The last few KiB of output. */
  outputTail(): string;
  /** Synthetic usage (simulated replicas only; real ones are measured from /proc). */
  syntheticUsage?(): { cpu: number; memory: number };
  /**
   * In-process readiness (simulated replicas): asked instead of probing over HTTP, so that
   * thousands of simulated replicas cost no probe traffic.
   */
  selfReady?(): boolean;
  /** Failure injection: the replica dies as if it crashed (exit 1 / SIGKILL). */
  crash(): void;
}

export interface ReplicaRuntime {
  start(spec: StartSpec): Promise<RunningReplica>;
}

/** Keeps the last `max` characters written to it. */
export function createTail(max = 4096): { push(s: string): void; value(): string } {
  let buf = '';
  return {
    push(s) {
      buf = (buf + s).slice(-max);
    },
    value: () => buf,
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
