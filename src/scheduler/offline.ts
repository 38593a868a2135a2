// The offline entry point behind `truststram schedule`: validated objects in, the JSON shape
// of issue 3 out, plus the table rendering the CLI prints.
import Table from 'cli-table3';
import { ValidationError, validateObject, type Cause, type Cluster, type Workload } from '../api/index.js';
import type { PriceCatalog } from './model/pricing-adapter.js';
import { schedule, type ScheduleResult } from './schedule.js';

export interface OfflineOptions {
  timeLimitMs?: number;
  explain?: boolean;
  catalog?: PriceCatalog;
}

/** The JSON document `truststram schedule -o json` prints. */
export interface OfflineResult {
  placements: { namespace: string; name: string; clusters: { cluster: string; replicas: number; spotReplicas?: number }[]; costPerHour: number }[];
  unschedulable: { namespace: string; name: string; code: string; reason: string }[];
  totalCostPerHour: number;
  lowerBoundCostPerHour: number;
  elapsedMs: number;
  gap: number;
  boundKind: 'lp' | 'relaxed';
  objectivePerHour: number;
  lowerBoundObjectivePerHour: number;
  warnings?: ScheduleResult['warnings'];
  explanations?: ScheduleResult['explanations'];
}

function typed<K extends 'Cluster' | 'Workload'>(docs: readonly unknown[], kind: K, what: string): (K extends 'Cluster' ? Cluster : Workload)[] {
  const out: (K extends 'Cluster' ? Cluster : Workload)[] = [];
  const causes: Cause[] = [];
  docs.forEach((d, i) => {
    const r = validateObject(d, { document: i });
    if (!r.ok) causes.push(...r.causes);
    else if (r.object.kind !== kind) causes.push({ document: i, field: 'kind', message: `${r.object.kind} is not allowed in ${what}: expected ${kind}` });
    else out.push(r.object as K extends 'Cluster' ? Cluster : Workload);
  });
  if (causes.length) throw new ValidationError(`${what}: ${causes.length} invalid document(s), first: ${causes[0]!.field}: ${causes[0]!.message}`, causes);
  return out;
}

/**
 * Schedules a fleet file's Clusters and a workloads file's Workloads without a server.
 * @example const r = await scheduleOffline(clusters, workloads, { timeLimitMs: 2000 })
 */
export async function scheduleOffline(fleetDocs: readonly unknown[], workloadDocs: readonly unknown[], opts: OfflineOptions = {}): Promise<OfflineResult> {
  const clusters = typed(fleetDocs, 'Cluster', 'fleet');
  const workloads = typed(workloadDocs, 'Workload', 'workloads');
  const r = await schedule({ clusters, workloads, timeLimitMs: opts.timeLimitMs, explain: opts.explain, catalog: opts.catalog });
  return {
    placements: r.placements,
    unschedulable: r.unschedulable,
    totalCostPerHour: r.totalCostPerHour,
    lowerBoundCostPerHour: r.lowerBoundCostPerHour,
    elapsedMs: r.elapsedMs,
    gap: r.gap,
    boundKind: r.boundKind,
    objectivePerHour: r.objectivePerHour,
    lowerBoundObjectivePerHour: r.lowerBoundObjectivePerHour,
    ...(opts.explain ? { warnings: r.warnings, explanations: r.explanations } : r.warnings.length ? { warnings: r.warnings } : {}),
  };
}

const usd = (x: number) => `$${x.toFixed(4)}`;

/** Renders a schedule result as tables: placements, unschedulable, totals (and explanations). */
export function formatScheduleTable(result: OfflineResult, opts: { explain?: boolean } = {}): string {
  const out: string[] = [];
  const t = new Table({ head: ['NAMESPACE', 'NAME', 'CLUSTERS', 'COST/H'], style: { head: [], border: [] } });
  for (const p of result.placements) t.push([p.namespace, p.name, p.clusters.map((c) => `${c.cluster}=${c.replicas}${c.spotReplicas ? ` (${c.spotReplicas} spot)` : ''}`).join(', '), usd(p.costPerHour)]);
  out.push(t.toString());
  if (result.unschedulable.length) {
    const u = new Table({ head: ['UNSCHEDULABLE', 'CODE', 'REASON'], style: { head: [], border: [] }, colWidths: [30, 22, 80], wordWrap: true });
    for (const x of result.unschedulable) u.push([`${x.namespace}/${x.name}`, x.code, x.reason]);
    out.push(u.toString());
  }
  for (const w of result.warnings ?? []) out.push(`warning: ${w.message}`);
  // With latency-aware workloads the optimiser minimises price × latency factor; say so.
  const latencyAware = Math.abs(result.objectivePerHour - result.totalCostPerHour) > 1e-9;
  out.push(
    `total ${usd(result.totalCostPerHour)}/h, cost lower bound ${usd(result.lowerBoundCostPerHour)}/h (${result.boundKind})` +
      (latencyAware ? `, latency-weighted objective ${usd(result.objectivePerHour)}/h ≥ bound ${usd(result.lowerBoundObjectivePerHour)}/h` : '') +
      `, gap ${(result.gap * 100).toFixed(3)}%, ${result.placements.length} placed, ${result.unschedulable.length} unschedulable, ${result.elapsedMs} ms`,
  );
  if (opts.explain) {
    for (const e of result.explanations ?? []) {
      const x = new Table({ head: ['CLUSTER', 'VERDICT', 'DETAIL'], style: { head: [], border: [] } });
      for (const c of e.clusters) {
        const chosen = e.chosen.find((k) => k.cluster === c.cluster);
        x.push([
          c.cluster,
          c.feasible ? (chosen ? `chosen ×${chosen.replicas}` : 'feasible') : `${c.filter}: ${c.code ?? ''}`,
          c.feasible ? `${usd(c.replicaCostPerHour ?? 0)}/replica·h; ${Object.entries(c.scores ?? {}).map(([k, v]) => `${k} ${v}`).join(', ')}` : (c.reason ?? ''),
        ]);
      }
      out.push(`${e.namespace}/${e.name} (${e.mode}, optimizeFor ${e.optimizeFor}): ${e.unschedulable ? `unschedulable: ${e.unschedulable.reason}` : `${usd(e.costPerHour)}/h`}\n${x.toString()}`);
    }
  }
  return out.join('\n') + '\n';
}
