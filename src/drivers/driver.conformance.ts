// The conformance suite every Driver implementation runs (local real, local simulated, and
// later Kubernetes): the behaviour a controller may rely on, stated once. Wait bounds below
// are failure deadlines, not timing assertions.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ReplicaPhase, workloadKeyString, type ClusterReport, type ClusterWork, type Driver, type ReplicaReport, type WorkloadKey, type WorkloadReport } from './contract.js';

export interface DriverConformanceHarness {
  /** A fresh driver for one test; the suite closes it. */
  create(): Promise<Driver>;
  /**
   * Work for a test workload of `replicas` replicas that serves HTTP (`GET /` answers JSON with
   * `replica` and `cluster`, `/healthz` answers 200). `crashing`: every replica exits at once.
   * `variant` changes the template (forces a rolling replace).
   */
  work(name: string, replicas: number, opts?: { crashing?: boolean; variant?: string }): ClusterWork;
  /** True when replicas are OS processes whose `pid`/`pgid` are reported. */
  processes: boolean;
  /** Makes one replica die as a crash would (SIGKILL of its pid, or failure injection). */
  crash(driver: Driver, workload: WorkloadKey, replica: ReplicaReport): Promise<void>;
  /** Deadline for convergence waits. Default 20 s. */
  timeoutMs?: number;
}

/** True while the process exists and is not a zombie. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readStatState(pid);
    return stat !== 'Z' && stat !== 'X';
  } catch {
    return true;
  }
}

function readStatState(pid: number): string | undefined {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ')[0];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Registers the Driver conformance tests under `describe(name)`.
 * @example describeDriverConformance('local (real processes)', { create: async () => createLocalDriver(...), ... })
 */
export function describeDriverConformance(name: string, h: DriverConformanceHarness): void {
  const timeout = h.timeoutMs ?? 20_000;
  const open: Driver[] = [];
  const seenPids = new Set<number>();

  const newDriver = async () => {
    const d = await h.create();
    open.push(d);
    return d;
  };

  /** Polls status until `pred` holds; fails with the last report when the deadline passes. */
  const waitFor = async (d: Driver, what: string, pred: (r: ClusterReport) => boolean): Promise<ClusterReport> => {
    const deadline = Date.now() + timeout;
    let last: ClusterReport | undefined;
    while (Date.now() < deadline) {
      last = await d.status();
      for (const w of last.workloads) for (const r of w.replicaStatus) if (r.pid) seenPids.add(r.pid);
      if (pred(last)) return last;
      await sleep(50);
    }
    throw new Error(`timed out waiting for ${what}; last status: ${JSON.stringify(last, null, 1)}`);
  };

  const wl = (r: ClusterReport, key: WorkloadKey): WorkloadReport | undefined => r.workloads.find((w) => workloadKeyString(w.workload) === workloadKeyString(key));
  const readyReplicas = (r: ClusterReport, key: WorkloadKey) => wl(r, key)?.replicaStatus.filter((x) => x.ready) ?? [];
  const converged = (key: WorkloadKey, n: number) => (r: ClusterReport) => {
    const w = wl(r, key);
    return w !== undefined && w.converged && w.readyReplicas === n;
  };

  const waitGone = async (pids: number[]) => {
    const deadline = Date.now() + timeout;
    while (Date.now() < deadline && pids.some(processAlive)) await sleep(50);
    expect(pids.filter(processAlive)).toEqual([]);
  };

  describe(name, () => {
    afterEach(async () => {
      await Promise.all(open.splice(0).map((d) => d.close()));
      // Whatever a test started must be gone once its driver is closed.
      if (h.processes) await waitGone([...seenPids]);
      seenPids.clear();
    });

    it('runs the desired replicas, ready, with endpoints that answer HTTP', async () => {
      const d = await newDriver();
      const work = h.work('web', 2);
      await d.apply(work);
      const r = await waitFor(d, '2 ready replicas', converged(work.workload, 2));
      const reps = readyReplicas(r, work.workload);
      expect(new Set(reps.map((x) => x.name)).size).toBe(2);
      for (const rep of reps) {
        expect(rep.endpoint).toMatch(/^127\.0\.0\.1:\d+$/);
        const res = await fetch(`http://${rep.endpoint}/hello`);
        const body = (await res.json()) as { replica: string; cluster: string };
        expect(body.replica).toBe(rep.name);
        expect(body.cluster).toBe(r.cluster);
        if (h.processes) expect(processAlive(rep.pid!)).toBe(true);
      }
      const eps = await d.endpoints();
      expect(eps.filter((e) => e.ready).map((e) => e.address).sort()).toEqual(reps.map((x) => x.endpoint).sort());
      expect(r.allocated.pods).toBe(2);
    });

    it('scales up without touching running replicas, and scales down stopping only the extra ones', async () => {
      const d = await newDriver();
      await d.apply(h.work('scale', 1));
      const one = readyReplicas(await waitFor(d, '1 ready', converged(h.work('scale', 1).workload, 1)), h.work('scale', 1).workload);
      await d.apply(h.work('scale', 3));
      const three = readyReplicas(await waitFor(d, '3 ready', converged(h.work('scale', 3).workload, 3)), h.work('scale', 3).workload);
      expect(three.map((x) => x.name)).toContain(one[0]!.name);
      expect(three.find((x) => x.name === one[0]!.name)?.pid).toBe(one[0]!.pid);
      await d.apply(h.work('scale', 1));
      const after = readyReplicas(await waitFor(d, 'back to 1', converged(h.work('scale', 1).workload, 1)), h.work('scale', 1).workload);
      expect(after.map((x) => x.name)).toEqual([one[0]!.name]);
      if (h.processes) await waitGone(three.filter((x) => x.name !== one[0]!.name).map((x) => x.pid!));
    });

    it('removes a workload: its replicas and processes are gone', async () => {
      const d = await newDriver();
      const work = h.work('gone', 2);
      await d.apply(work);
      const reps = readyReplicas(await waitFor(d, '2 ready', converged(work.workload, 2)), work.workload);
      await d.remove(work.workload);
      const r = await d.status();
      expect(wl(r, work.workload)).toBeUndefined();
      expect(d.workloads()).toEqual([]);
      if (h.processes) {
        expect(reps.every((x) => x.pid && x.pgid)).toBe(true);
        await waitGone(reps.map((x) => x.pid!));
      }
      for (const rep of reps) await expect(fetch(`http://${rep.endpoint}/`)).rejects.toThrow();
    });

    it('restarts a replica that dies, with its restart count incremented', async () => {
      const d = await newDriver();
      const work = h.work('phoenix', 1);
      await d.apply(work);
      const [before] = readyReplicas(await waitFor(d, '1 ready', converged(work.workload, 1)), work.workload);
      await h.crash(d, work.workload, before!);
      const r = await waitFor(d, 'restarted and ready', (s) => converged(work.workload, 1)(s) && (readyReplicas(s, work.workload)[0]?.restartCount ?? 0) >= 1);
      const [after] = readyReplicas(r, work.workload);
      expect(after!.name).toBe(before!.name);
      expect(after!.restartCount).toBe(before!.restartCount + 1);
      expect(after!.lastTermination).toBeDefined();
      if (h.processes) expect(after!.pid).not.toBe(before!.pid);
    });

    it('reports CrashLoop with a growing backoff for a command that keeps crashing', async () => {
      const d = await newDriver();
      const work = h.work('crashy', 1, { crashing: true });
      await d.apply(work);
      const r = await waitFor(d, 'CrashLoop after repeated crashes', (s) => {
        const rep = wl(s, work.workload)?.replicaStatus[0];
        return rep !== undefined && rep.phase === ReplicaPhase.CrashLoop && rep.restartCount >= 3;
      });
      const rep = wl(r, work.workload)!.replicaStatus[0]!;
      expect(rep.ready).toBe(false);
      expect(rep.backoffMs).toBeGreaterThan(0);
      expect(rep.lastTermination?.reason).not.toBe('Completed');
      expect(wl(r, work.workload)!.readyReplicas).toBe(0);
    });

    it('does nothing when the same work is applied again', async () => {
      const d = await newDriver();
      const work = h.work('same', 2);
      await d.apply(work);
      const first = readyReplicas(await waitFor(d, '2 ready', converged(work.workload, 2)), work.workload);
      await d.apply(h.work('same', 2));
      await d.apply(h.work('same', 2));
      await sleep(300);
      const again = readyReplicas(await waitFor(d, 'still converged', converged(work.workload, 2)), work.workload);
      const ids = (xs: ReplicaReport[]) => xs.map((x) => `${x.name}:${x.pid ?? ''}:${x.restartCount}:${x.endpoint}`).sort();
      expect(ids(again)).toEqual(ids(first));
    });

    it('replaces replicas when the template changes, ending with only new ones', async () => {
      const d = await newDriver();
      const v1 = h.work('roll', 2);
      await d.apply(v1);
      const old = readyReplicas(await waitFor(d, 'v1 ready', converged(v1.workload, 2)), v1.workload);
      const v2 = h.work('roll', 2, { variant: 'v2' });
      await d.apply(v2);
      const r = await waitFor(d, 'v2 ready', (s) => converged(v2.workload, 2)(s) && wl(s, v2.workload)!.updatedReplicas === 2);
      const now = readyReplicas(r, v2.workload);
      expect(now.map((x) => x.name).filter((n) => old.some((o) => o.name === n))).toEqual([]);
      expect(wl(r, v2.workload)!.replicaStatus).toHaveLength(2);
      if (h.processes) await waitGone(old.map((x) => x.pid!));
    });
  });
}
