// `chaos run`: waits for the fleet to be ready, drives the load through a gateway, fails and
// restores targets on the scenario's timeline through the chaos API, samples placements and
// status while it runs, and builds the report from what it saw.
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { findRegion, fromStatus, isUserError, type Cluster, type Placement, type Workload } from '../api/index.js';
import { apiSource, startGateway, type AccessLogEntry, type DataPlane } from '../gateway/index.js';
import { createFailbackWatch } from './failbacks.js';
import type { Fault, FaultTarget } from './faults.js';
import { startLoad } from './load.js';
import { buildReport, type FaultRecord, type GameDayReport, type ReplicaViolation } from './report.js';
import { checkTargets, type Scenario } from './scenario.js';

/**
 * Gateway options TrustStram runs its gateways with (control plane, `truststram gateway`, GameDays).
 * A killed cluster resets every request in flight to it at once; at 1,000 requests/s that is
 * more than the default 10 concurrent retries, and the excess became 502s (bench:failover).
 * Retrying a GET whose connection died is what hides the outage; 64 still bounds a storm.
 */
export const FAILOVER_GATEWAY_OPTIONS = { retry: { minRetryConcurrency: 64 } } as const;

/** A gateway the runner can drive and whose finished requests it can hear about. */
export interface ObservedGateway {
  url: string;
  onAccess(fn: (e: AccessLogEntry) => void): () => void;
  /** Resolves once every request answered so far has been passed to `onAccess` (RunningGateway.flush). */
  flush?(): Promise<void>;
}

export interface RunOptions {
  /** API server URL. */
  server: string;
  scenario: Scenario;
  /** Default: a gateway started in this process over the API (what `truststram gateway` runs). */
  gateway?: ObservedGateway;
  /** Bearer token, when the server has auth on. */
  token?: string;
  /** Data plane of the gateway the runner starts (ignored with `gateway`). Default `node`. */
  dataPlane?: DataPlane;
  /** Sampling period of placements and status. Default 100 ms. */
  sampleMs?: number;
  log?: (line: string) => void;
}

const API = '/apis/truststram.io/v1alpha1';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const keyOf = (o: { metadata: { namespace?: string; name: string } }) => `${o.metadata.namespace ?? 'default'}/${o.metadata.name}`;

interface Snapshot {
  time: number;
  clusters: Cluster[];
  workloads: Workload[];
  placements: Placement[];
}

/**
 * Runs a GameDay scenario against a running control plane and returns its report. Every
 * target is checked against the fleet before anything starts (a ValidationError naming the
 * step's field). Whatever happens — the last step, an error mid-run — the load is stopped and
 * the faults the run injected are restored, so the fleet is left as it was found.
 */
export async function runScenario(o: RunOptions): Promise<GameDayReport> {
  const log = o.log ?? (() => {});
  const base = o.server.replace(/\/+$/, '');
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(base + path, {
      method,
      headers: { accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}), ...(o.token ? { authorization: `Bearer ${o.token}` } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    const parsed = text ? (JSON.parse(text) as T) : (undefined as T);
    if (!res.ok) throw fromStatus((parsed ?? { code: res.status, message: `${method} ${path}: HTTP ${res.status}` }) as never);
    return parsed;
  };
  const snapshot = async (): Promise<Snapshot> => {
    const [c, w, p] = await Promise.all([call<{ items: Cluster[] }>('GET', `${API}/clusters`), call<{ items: Workload[] }>('GET', `${API}/workloads`), call<{ items: Placement[] }>('GET', `${API}/placements`)]);
    return { time: Date.now(), clusters: c.items, workloads: w.items, placements: p.items };
  };
  const s = o.scenario;
  // Before a gateway, a load or a fault: a target that matches nothing must not fail mid-run.
  checkTargets(s, (await call<{ items: Cluster[] }>('GET', `${API}/clusters`)).items);
  const runId = randomUUID().slice(0, 8);
  const access: AccessLogEntry[] = [];
  const listen = (e: AccessLogEntry) => void (e.path.includes(`gameday=${runId}-`) && access.push(e));
  const own = o.gateway ? undefined : await startGateway({ ...FAILOVER_GATEWAY_OPTIONS, ...(o.dataPlane ? { dataPlane: o.dataPlane } : {}), listen: '127.0.0.1:0', source: apiSource(base, o.token ? { token: o.token } : {}), onAccess: listen, log: (m) => log(`gateway: ${m}`) });
  const gw: ObservedGateway = o.gateway ?? { url: own!.url, onAccess: () => () => {} };
  const unsubscribe = o.gateway ? o.gateway.onAccess(listen) : () => {};
  const faults: FaultRecord[] = [];
  const violations: ReplicaViolation[] = [];
  const failbacks = createFailbackWatch();
  // Targets this run may have failed and not restored (a fail whose answer was lost included).
  const injected: FaultTarget[] = [];
  let sampling = false;
  let sampler: Promise<void> = Promise.resolve();
  try {
    let snap = await waitReady(snapshot, s.waitReadyMs, log);
    const hosts = s.load.hosts ?? [...new Set(snap.workloads.map((w) => (w.spec as { traffic?: { host?: string } }).traffic?.host).filter((h): h is string => !!h))].sort();
    if (!hosts.length) throw new Error('no workload has spec.traffic.host and the scenario names no spec.load.hosts: nothing to send load to');
    await waitRoutable(gw.url, hosts, s.waitReadyMs, log);

    sampling = true;
    const observe = (x: Snapshot) => {
      snap = x;
      violations.push(...replicaViolations(x));
      failbacks.observe(x.time, x.placements);
      for (const f of faults) {
        if (f.capacityRestoredAt === null && restored(f, x)) f.capacityRestoredAt = x.time;
        if (f.detectedAt === null && f.clusters.every((c) => (x.clusters.find((k) => k.metadata.name === c)?.status as { phase?: string } | undefined)?.phase !== 'Ready')) f.detectedAt = x.time;
        if (f.replacedAt === null && f.restoredAt === undefined && !x.placements.some((p) => f.affected.includes(`${p.metadata.namespace ?? 'default'}/${p.spec.workload}`) && p.spec.clusters.some((e) => e.replicas > 0 && f.clusters.includes(e.cluster)))) f.replacedAt = x.time;
      }
    };
    sampler = (async () => {
      while (sampling) {
        const t = Date.now();
        try {
          observe(await snapshot());
        } catch (err) {
          log(`sample failed: ${(err as Error).message}`);
        }
        await sleep((o.sampleMs ?? 100) - (Date.now() - t));
      }
    })();

    const load = startLoad({ url: gw.url, hosts, rate: s.load.rate, path: s.load.path, connections: s.load.connections, timeoutMs: s.load.timeoutMs, runId });
    await load.started;
    const startedAt = Date.now();
    log(`load: ${s.load.rate}/s for ${s.load.durationMs} ms through ${gw.url} (${hosts.join(', ')})`);
    try {
      for (const step of s.timeline) {
        await sleep(startedAt + step.atMs - Date.now());
        const at = Date.now();
        if (step.action === 'fail') {
          injected.push(step.target);
          const { fault } = await call<{ fault: Fault }>('POST', '/api/v1alpha1/chaos/fail', step.target).catch((err: unknown) => {
            // Refused (4xx): nothing was failed. Otherwise (a timeout) it may have been: restore it at the end.
            if (isUserError(err)) injected.pop();
            throw err;
          });
          const affected = snap.placements.filter((p) => p.spec.clusters.some((e) => e.replicas > 0 && fault.clusters.includes(e.cluster))).map((p) => `${p.metadata.namespace ?? 'default'}/${p.spec.workload}`).sort();
          failbacks.fault(fault.clusters, affected);
          faults.push({ kind: step.target.kind, name: step.target.name, clusters: fault.clusters, at, restoredAt: undefined, affected, allowUnaffected: step.allowUnaffected, capacityRestoredAt: affected.length ? null : at, detectedAt: null, replacedAt: affected.length ? null : at, degraded: [] });
          log(`+${at - startedAt} ms: failed ${step.target.kind} ${step.target.name} (${fault.clusters.join(', ')}); ${affected.length ? `${affected.length} workload(s) affected` : `no workload had a replica there${step.allowUnaffected ? ' (allowed by the scenario)' : ''}`}`);
        } else {
          await call('POST', '/api/v1alpha1/chaos/restore', step.target);
          const i = injected.findIndex((t) => t.kind === step.target.kind && t.name === step.target.name);
          if (i >= 0) injected.splice(i, 1);
          for (const f of faults) if (f.restoredAt === undefined && f.kind === step.target.kind && f.name === step.target.name) f.restoredAt = at;
          log(`+${at - startedAt} ms: restored ${step.target.kind} ${step.target.name}`);
        }
      }
      await sleep(startedAt + s.load.durationMs - Date.now());
    } finally {
      await load.stop();
    }
    // The report counts the gateway's log: every request of the load must be in it first.
    await (own ?? gw).flush?.();
    const loadEndedAt = startedAt + s.load.durationMs;
    const deadline = Date.now() + s.recoveryTimeoutMs;
    while (faults.some((f) => f.capacityRestoredAt === null) && Date.now() < deadline) await sleep(100);
    sampling = false;
    await sampler;
    for (const f of faults) if (f.capacityRestoredAt === null) f.degraded = shortOf(f, snap);
    return buildReport({ scenario: s, gateway: gw.url, startedAt, hosts, results: load.results, access, faults, replicaViolations: violations, loadEndedAt, failbacks: failbacks.failbacks() });
  } finally {
    // An error anywhere above lands here: the sampler must stop too, or it keeps the process alive for ever.
    sampling = false;
    await sampler;
    unsubscribe();
    // Leave the fleet as we found it.
    for (const t of injected) {
      await call('POST', '/api/v1alpha1/chaos/restore', t).then(
        () => log(`restored ${t.kind} ${t.name} (still failed when the run ended)`),
        (err: unknown) => log(`could not restore ${t.kind} ${t.name}: ${(err as Error).message}`),
      );
    }
    await own?.close();
  }
}

async function waitReady(snapshot: () => Promise<Snapshot>, ms: number, log: (l: string) => void): Promise<Snapshot> {
  const end = Date.now() + ms;
  for (;;) {
    const s = await snapshot();
    const short = s.workloads.filter((w) => readyOf(w) < w.spec.replicas);
    if (!short.length) return s;
    if (Date.now() > end) {
      log(`not every workload is ready (${short.map(keyOf).join(', ')}); starting anyway`);
      return s;
    }
    await sleep(250);
  }
}

// The gateway learns routes through its own watch: wait until each host answers once.
async function waitRoutable(url: string, hosts: string[], ms: number, log: (l: string) => void): Promise<void> {
  const end = Date.now() + ms;
  for (const host of hosts) {
    for (;;) {
      // fetch() drops the Host header (a forbidden header name); undici's request keeps it.
      const status = await request(url + '/', { headers: { host }, headersTimeout: 2000, bodyTimeout: 2000 }).then(
        async (r) => (await r.body.dump(), r.statusCode),
        () => 0,
      );
      if (status > 0 && status < 500 && status !== 404) break;
      if (Date.now() > end) {
        log(`host ${host} does not answer through ${url} yet (last status ${status}); starting anyway`);
        break;
      }
      await sleep(100);
    }
  }
}

const readyOf = (w: Workload) => (w.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0;

/** Ready replicas of a workload outside the failed clusters (their last reports are stale) — all of them once restored. */
function restored(f: FaultRecord, s: Snapshot): boolean {
  const byKey = new Map(s.workloads.map((w) => [keyOf(w), w]));
  return f.affected.every((k) => {
    const w = byKey.get(k);
    if (!w) return true;
    const rows = (w.status as { clusters?: { cluster: string; readyReplicas: number }[] } | undefined)?.clusters ?? [];
    const ready = rows.filter((r) => f.restoredAt !== undefined || !f.clusters.includes(r.cluster)).reduce((a, r) => a + r.readyReplicas, 0);
    const want = w.spec.placement.mode === 'Duplicated' ? (w.status as { desiredReplicas?: number } | undefined)?.desiredReplicas ?? w.spec.replicas : w.spec.replicas;
    return ready >= want;
  });
}

function shortOf(f: FaultRecord, s: Snapshot): { workload: string; reason: string }[] {
  const placements = new Map(s.placements.map((p) => [`${p.metadata.namespace ?? 'default'}/${p.spec.workload}`, p]));
  return f.affected
    .filter((k) => !restored({ ...f, affected: [k] }, s))
    .map((k) => {
      const w = s.workloads.find((x) => keyOf(x) === k);
      const p = placements.get(k);
      const cond = ((w?.status as { conditions?: { type: string; status: string; message?: string }[] } | undefined)?.conditions ?? []).find((c) => c.type === 'Degraded' && c.status === 'True');
      return { workload: k, reason: p?.spec.unschedulable?.message ?? cond?.message ?? `${w ? readyOf(w) : 0}/${w?.spec.replicas ?? '?'} replicas ready` };
    });
}

/** Replicas placed on clusters outside their workload's residency, counted from placements. */
export function replicaViolations(s: { time: number; clusters: Cluster[]; workloads: Workload[]; placements: Placement[] }): ReplicaViolation[] {
  const jurisdiction = new Map(s.clusters.map((c) => [c.metadata.name, c.spec.residency ?? findRegion(c.spec.region)?.jurisdiction ?? 'unknown']));
  const workloads = new Map(s.workloads.map((w) => [keyOf(w), w]));
  const out: ReplicaViolation[] = [];
  for (const p of s.placements) {
    const key = `${p.metadata.namespace ?? 'default'}/${p.spec.workload}`;
    const residency = workloads.get(key)?.spec.placement.residency;
    if (!residency?.length) continue;
    for (const e of p.spec.clusters) {
      const j = jurisdiction.get(e.cluster) ?? 'unknown';
      if (e.replicas > 0 && !residency.includes(j)) out.push({ time: s.time, workload: key, cluster: e.cluster, jurisdiction: j });
    }
  }
  return out;
}
