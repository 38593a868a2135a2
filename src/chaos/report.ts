// The GameDay report, computed from what happened — the client's answers, the gateway's access
// log and the control plane's placements and status as sampled — never from what should have.
import type { AccessLogEntry } from '../gateway/index.js';
import type { Failback } from './failbacks.js';
import { isFailure, type ClientResult } from './load.js';
import type { Scenario } from './scenario.js';

/** One injected fault as the runner observed it. */
export interface FaultRecord {
  kind: string;
  name: string;
  clusters: string[];
  /** Epoch ms the fault was requested, and restored (undefined while still in force). */
  at: number;
  restoredAt: number | undefined;
  /** Workloads with replicas on the failed clusters when the fault hit. */
  affected: string[];
  /** The scenario allows this fault to hit nothing (`allowUnaffected` on its step). */
  allowUnaffected?: boolean;
  /** First sample where every failed cluster was no longer Ready (the control plane noticed); null if never. */
  detectedAt?: number | null;
  /** First sample where no affected placement kept replicas on a failed cluster; null if never. */
  replacedAt?: number | null;
  /** When every affected workload was back to its desired ready replicas outside the failed clusters; null if never. */
  capacityRestoredAt: number | null;
  /** Affected workloads that ended short, with the control plane's reason. */
  degraded: { workload: string; reason: string }[];
}

/** A replica seen on a cluster outside its workload's residency (`ns/name` on `cluster`). */
export interface ReplicaViolation {
  time: number;
  workload: string;
  cluster: string;
  jurisdiction: string;
}

export interface FaultReport {
  kind: string;
  name: string;
  clusters: string[];
  at: string;
  /** Milliseconds from the fault to its restore, when restored during the run. */
  restoredAfterMs: number | null;
  totalRequests: number;
  failedRequests: number;
  /** Failed requests by status and reason/error (`502 upstream_connect_error`, `0 UND_ERR_HEADERS_TIMEOUT`). */
  failures: Record<string, number>;
  /** Up to five failed requests with what the gateway logged for them (its status, latency, tries), for diagnosis. */
  failedSamples: { sentAfterMs: number; client: string; gateway: Pick<AccessLogEntry, 'status' | 'latencyMs' | 'attempts' | 'tried' | 'reason' | 'cluster'> | null }[];
  /** When the failed requests were sent, relative to the fault (first, last); null when none failed. */
  failedBetweenMs: [number, number] | null;
  /** Fault until the last request the gateway routed (or retried) to a failed cluster; 0 if none was. */
  trafficRecoveredMs: number | null;
  /** Requests of the window the gateway routed (or retried) to a failed cluster. */
  routedToFailed: number;
  /** The fault hit no replica and no routed request: it proved nothing (see `allowUnaffected`). */
  unaffected: boolean;
  allowUnaffected: boolean;
  /** Null when it never came back, or when the fault affected no workload (`unaffected`). */
  capacityRestoredMs: number | null;
  /** Where capacity restoration spent its time: fault → cluster NotReady (lease expiry) → placements moved (sampled every 100 ms). */
  detectedMs: number | null;
  replacedMs: number | null;
  residencyViolations: number;
  residency: { requests: number; replicas: number };
  affectedWorkloads: string[];
  degraded: { workload: string; reason: string }[];
}

export interface Expectation {
  name: string;
  target: string;
  actual: string;
  ok: boolean;
}

export interface GameDayReport {
  scenario: string;
  startedAt: string;
  gateway: string;
  load: { rate: number; durationMs: number; hosts: string[]; sent: number; achievedRate: number };
  totals: {
    totalRequests: number;
    failedRequests: number;
    /** Failed requests of the whole run by status and reason, with when they were sent (ms after the load started). */
    failures: Record<string, { count: number; firstMs: number; lastMs: number }>;
    residencyViolations: number;
    accessLogEntries: number;
    failbacks: number;
  };
  faults: FaultReport[];
  /** Workloads moved back onto a cluster the run had failed, ms after the load started. */
  failbacks: { workload: string; cluster: string; afterMs: number }[];
  expectations: Expectation[];
  passed: boolean;
}

export interface ReportInput {
  scenario: Scenario;
  gateway: string;
  startedAt: number;
  hosts: string[];
  results: readonly ClientResult[];
  access: readonly AccessLogEntry[];
  faults: readonly FaultRecord[];
  replicaViolations: readonly ReplicaViolation[];
  /** End of the load (epoch ms): the window of a fault never restored ends here. */
  loadEndedAt: number;
  failbacks?: readonly Failback[];
}

const outside = (e: AccessLogEntry) => !!e.residency && !!e.jurisdiction && !e.residency.includes(e.jurisdiction);

/** Builds the report; pure. */
export function buildReport(i: ReportInput): GameDayReport {
  const faults = i.faults.map((f): FaultReport => {
    const end = f.restoredAt ?? i.loadEndedAt;
    const inWindow = i.results.filter((r) => r.sentAt >= f.at && r.sentAt < end);
    const failed = inWindow.filter(isFailure);
    const failures: Record<string, number> = {};
    for (const r of failed) failures[`${r.status} ${r.error ?? ''}`.trim()] = (failures[`${r.status} ${r.error ?? ''}`.trim()] ?? 0) + 1;
    const failedSet = new Set(f.clusters);
    const access = i.access.filter((e) => e.time >= f.at && e.time < end);
    let last: number | undefined;
    // A retried request whose tries are not known (the HAProxy data plane logs only the final
    // server) counts as routed to the failed target: recovery is over-, never under-estimated.
    const touchedFailed = (e: AccessLogEntry) => (e.cluster !== undefined && failedSet.has(e.cluster)) || (e.tried ? e.tried.some((c) => failedSet.has(c)) : e.attempts > 1);
    let routed = 0;
    for (const e of access) {
      if (!touchedFailed(e)) continue;
      last = Math.max(last ?? 0, e.time);
      routed++;
    }
    const unaffected = f.affected.length === 0 && routed === 0;
    const requestViolations = access.filter(outside).length;
    const replicaViolations = new Set(i.replicaViolations.filter((v) => v.time >= f.at && v.time < end).map((v) => `${v.workload}@${v.cluster}`)).size;
    return {
      kind: f.kind,
      name: f.name,
      clusters: f.clusters,
      at: new Date(f.at).toISOString(),
      restoredAfterMs: f.restoredAt !== undefined ? f.restoredAt - f.at : null,
      totalRequests: inWindow.length,
      failedRequests: failed.length,
      failures,
      failedSamples: failed.slice(0, 5).map((r) => {
        const e = i.access.find((x) => x.path.endsWith(`-${r.seq}`));
        return { sentAfterMs: r.sentAt - f.at, client: `${r.status} ${r.error ?? ''}`.trim(), gateway: e ? { status: e.status, latencyMs: Math.round(e.latencyMs), attempts: e.attempts, tried: e.tried, reason: e.reason, cluster: e.cluster } : null };
      }),
      failedBetweenMs: failed.length ? [Math.min(...failed.map((r) => r.sentAt)) - f.at, Math.max(...failed.map((r) => r.sentAt)) - f.at] : null,
      trafficRecoveredMs: access.length === 0 ? null : last === undefined ? 0 : last - f.at,
      routedToFailed: routed,
      unaffected,
      allowUnaffected: f.allowUnaffected ?? false,
      capacityRestoredMs: f.capacityRestoredAt === null || f.affected.length === 0 ? null : f.capacityRestoredAt - f.at,
      detectedMs: f.detectedAt == null ? null : f.detectedAt - f.at,
      replacedMs: f.replacedAt == null ? null : f.replacedAt - f.at,
      residencyViolations: requestViolations + replicaViolations,
      residency: { requests: requestViolations, replicas: replicaViolations },
      affectedWorkloads: f.affected,
      degraded: f.degraded,
    };
  });
  const failedAll = i.results.filter(isFailure);
  const failedTotal = failedAll.length;
  const byKind: GameDayReport['totals']['failures'] = {};
  for (const r of failedAll) {
    const k = `${r.status} ${r.error ?? ''}`.trim();
    const t = r.sentAt - i.startedAt;
    const x = (byKind[k] ??= { count: 0, firstMs: t, lastMs: t });
    x.count++;
    x.firstMs = Math.min(x.firstMs, t);
    x.lastMs = Math.max(x.lastMs, t);
  }
  const violations = i.access.filter(outside).length + new Set(i.replicaViolations.map((v) => `${v.workload}@${v.cluster}`)).size;
  const failbacks = (i.failbacks ?? []).map((b) => ({ workload: b.workload, cluster: b.cluster, afterMs: b.at - i.startedAt }));
  const expectations = judge(i.scenario, faults, failedTotal, violations, failbacks);
  const durationMs = Math.max(1, i.loadEndedAt - i.startedAt);
  return {
    scenario: i.scenario.name,
    startedAt: new Date(i.startedAt).toISOString(),
    gateway: i.gateway,
    load: { rate: i.scenario.load.rate, durationMs: i.scenario.load.durationMs, hosts: i.hosts, sent: i.results.length, achievedRate: Math.round((i.results.length / durationMs) * 1000) },
    totals: { totalRequests: i.results.length, failedRequests: failedTotal, failures: byKind, residencyViolations: violations, accessLogEntries: i.access.length, failbacks: failbacks.length },
    faults,
    failbacks,
    expectations,
    passed: expectations.every((e) => e.ok),
  };
}

/** Says why a fault proved nothing: it is the whole of what the reader needs to rerun it right. */
const unaffectedText = (r: FaultReport) => `${r.kind} ${r.name} affected no workload (no replica on ${r.clusters.join(', ')}, no request routed there)`;

function judge(s: Scenario, faults: FaultReport[], failed: number, violations: number, failbacks: GameDayReport['failbacks']): Expectation[] {
  const out: Expectation[] = [];
  // Always judged: a fault that hit nothing tests nothing, so it cannot let a GameDay pass.
  if (faults.length) {
    const idle = faults.filter((r) => r.unaffected && !r.allowUnaffected);
    out.push({ name: 'faultsAffectWorkloads', target: 'every fault hits a workload', actual: idle.length ? idle.map(unaffectedText).join('; ') : `${faults.filter((r) => !r.unaffected).length} of ${faults.length} faults did`, ok: !idle.length });
  }
  const x = s.expect;
  if (!x) return out;
  const worst = (f: (r: FaultReport) => number | null) => faults.reduce<number | null>((m, r) => (f(r) === null ? m : Math.max(m ?? 0, f(r)!)), null);
  if (x.failedRequests !== undefined) out.push({ name: 'failedRequests', target: `≤ ${x.failedRequests}`, actual: String(failed), ok: failed <= x.failedRequests });
  if (x.trafficRecoveredMs !== undefined) {
    const w = worst((r) => r.trafficRecoveredMs);
    out.push({ name: 'trafficRecoveredMs', target: `≤ ${x.trafficRecoveredMs}`, actual: String(w ?? '-'), ok: w !== null && w <= x.trafficRecoveredMs });
  }
  if (x.capacityRestoredMs !== undefined) {
    const never = faults.filter((r) => r.affectedWorkloads.length > 0 && r.capacityRestoredMs === null);
    const w = worst((r) => r.capacityRestoredMs);
    // With no workload affected there was no capacity to restore: not a pass of this target.
    const hit = faults.some((r) => r.affectedWorkloads.length > 0);
    const actual = never.length ? `never (${never.map((r) => `${r.kind} ${r.name}`).join(', ')})` : hit ? String(w ?? 0) : '- (no fault affected a workload)';
    out.push({ name: 'capacityRestoredMs', target: `≤ ${x.capacityRestoredMs}`, actual, ok: hit && !never.length && (w ?? 0) <= x.capacityRestoredMs });
  }
  if (x.failbacks !== undefined) out.push({ name: 'failbacks', target: `≤ ${x.failbacks}`, actual: failbacks.length ? `${failbacks.length} (${failbacks.map((b) => `${b.workload} → ${b.cluster}`).join(', ')})` : '0', ok: failbacks.length <= x.failbacks });
  if (x.residencyViolations !== undefined) out.push({ name: 'residencyViolations', target: `≤ ${x.residencyViolations}`, actual: String(violations), ok: violations <= x.residencyViolations });
  if (x.degraded !== undefined) {
    const seen = new Set(faults.flatMap((r) => r.degraded.map((d) => d.workload)));
    const missing = x.degraded.filter((w) => !seen.has(w));
    out.push({ name: 'degraded', target: x.degraded.join(', ') || 'none', actual: [...seen].sort().join(', ') || 'none', ok: missing.length === 0 });
  }
  return out;
}

/** The report as text tables. */
export function formatReport(r: GameDayReport, table: (headers: string[], rows: string[][]) => string): string {
  const ms = (v: number | null) => (v === null ? 'never' : `${Math.round(v)} ms`);
  const lines = [
    `GameDay ${r.scenario}: ${r.load.sent} requests at ${r.load.achievedRate}/s through ${r.gateway} (${r.load.hosts.join(', ')})`,
    table(
      ['FAULT', 'CLUSTERS', 'REQUESTS', 'FAILED', 'TRAFFIC RECOVERED', 'DETECTED', 'CAPACITY RESTORED', 'RESIDENCY VIOLATIONS', 'RESTORED AFTER'],
      r.faults.map((f) => [
        `${f.kind} ${f.name}`,
        f.clusters.join(', '),
        String(f.totalRequests),
        String(f.failedRequests),
        ms(f.trafficRecoveredMs),
        f.detectedMs === null && f.restoredAfterMs !== null ? 'not before restore' : ms(f.detectedMs),
        f.affectedWorkloads.length ? ms(f.capacityRestoredMs) : 'nothing to restore',
        String(f.residencyViolations),
        f.restoredAfterMs === null ? '-' : ms(f.restoredAfterMs),
      ]),
    ),
  ];
  for (const f of r.faults) {
    if (Object.keys(f.failures).length) lines.push(`  ${f.kind} ${f.name}: failures ${Object.entries(f.failures).map(([k, n]) => `${n}× ${k}`).join(', ')} (sent ${f.failedBetweenMs![0]}…${f.failedBetweenMs![1]} ms after the fault)`);
    for (const d of f.degraded) lines.push(`  ${f.kind} ${f.name}: ${d.workload} Degraded — ${d.reason}`);
    if (f.unaffected) lines.push(`  ${unaffectedText(f)}: ${f.allowUnaffected ? 'allowed by the scenario (allowUnaffected)' : 'it proves nothing — were the replicas already elsewhere (a previous fault, no failback yet)?'}`);
  }
  for (const b of r.failbacks) lines.push(`  failback: ${b.workload} back on ${b.cluster} ${b.afterMs} ms after the load started`);
  lines.push(`Totals: ${r.totals.failedRequests} failed of ${r.totals.totalRequests} requests; ${r.totals.residencyViolations} residency violations (${r.totals.accessLogEntries} gateway log entries checked); ${r.totals.failbacks} failback(s) onto failed clusters`);
  if (r.expectations.length) {
    lines.push(table(['EXPECTATION', 'TARGET', 'ACTUAL', 'OK'], r.expectations.map((e) => [e.name, e.target, e.actual, e.ok ? 'yes' : 'NO'])));
    lines.push(r.passed ? 'PASSED' : 'FAILED');
  }
  return lines.join('\n') + '\n';
}
