// The status controller: writes each Workload's status from its Placement and the agents'
// reports, and turns replica restarts and crash loops into Events.
import type { ApiObject, Cluster, Placement, Workload } from '../../api/index.js';
import type { Mutation, Store } from '../../store/store.js';
import type { EventRecorder } from '../events/recorder.js';
import type { ControllerSpec, Manager } from '../runtime/index.js';
import { createBatchWriter } from './batch-writer.js';
import { computeWorkloadStatus, reportOf, type WorkloadStatus } from './workload-status.js';
import { terminationHeadline } from './termination-headline.js';

export const STATUS_CONTROLLER = 'status';

export interface StatusControllerOptions {
  store: Store;
  manager: Manager;
  events: EventRecorder;
}

const wkey = (o: { metadata: { namespace?: string; name: string } }) => `${o.metadata.namespace ?? 'default'}/${o.metadata.name}`;

type Reports = Record<string, unknown>;
const reportsOf = (x: ApiObject | undefined) => ((x?.status as { workloads?: Reports } | undefined)?.workloads ?? {}) as Reports;
const phaseOf = (x: ApiObject | undefined) => (x?.status as { phase?: string } | undefined)?.phase;

// A cluster change concerns the workloads whose report on it changed; a health change (or a
// new or deleted cluster) concerns every workload it reports or is placed on. Agents report
// often and a cluster may carry hundreds of workloads: re-judging all of them on every report
// would cost a status round per workload per report.
function clusterKeys(manager: Manager) {
  return (t: string, c: ApiObject, old: ApiObject | undefined): string[] => {
    const keys = new Set<string>();
    const now = reportsOf(c);
    const before = reportsOf(old);
    if (t !== 'MODIFIED' || phaseOf(c) !== phaseOf(old)) {
      for (const k of [...Object.keys(now), ...Object.keys(before)]) keys.add(k);
      for (const p of manager.informer('Placement').list() as Placement[]) if (p.spec.clusters.some((e) => e.cluster === c.metadata.name)) keys.add(`${p.metadata.namespace}/${p.spec.workload}`);
      return [...keys];
    }
    for (const k of Object.keys(now)) if (!(k in before) || JSON.stringify(now[k]) !== JSON.stringify(before[k])) keys.add(k);
    for (const k of Object.keys(before)) if (!(k in now)) keys.add(k);
    return [...keys];
  };
}

export function statusController(o: StatusControllerOptions): ControllerSpec {
  const { manager } = o;
  const restartsSeen = new Map<string, number>();
  const writer = createBatchWriter(o.store, 'controller:status');
  return {
    // Reconciles mostly wait for their (batched) commit: many workers fill one transaction.
    workers: 32,
    watches: [
      { kind: 'Workload', keys: (_t, w) => [wkey(w)] },
      { kind: 'Placement', keys: (_t, p) => [`${p.metadata.namespace}/${(p as Placement).spec.workload}`] },
      { kind: 'Cluster', keys: clusterKeys(manager) },
    ],
    reconciler: {
      name: STATUS_CONTROLLER,
      async reconcile(key) {
        const w = manager.informer('Workload').get(`Workload/${key}`) as Workload | undefined;
        if (!w) {
          for (const k of [...restartsSeen.keys()]) if (k.startsWith(`${key}/`)) restartsSeen.delete(k);
          return;
        }
        const p = manager.informer('Placement').get(`Placement/${key}`) as Placement | undefined;
        const clusters = new Map((manager.informer('Cluster').list() as Cluster[]).map((c) => [c.metadata.name, c]));
        const prev = w.status as WorkloadStatus | undefined;
        const next = computeWorkloadStatus(w, p, clusters, prev && Array.isArray(prev.conditions) ? prev : undefined, new Date().toISOString());
        const mutations: Mutation[] = [];
        // This controller alone writes Workload status, computed from the latest cache: no
        // resourceVersion precondition (a stale cache only means another round follows).
        const { resourceVersion: _rv, ...metadata } = w.metadata;
        if (JSON.stringify(prev) !== JSON.stringify(next)) mutations.push({ verb: 'updateStatus', object: { ...w, metadata, status: next } });
        for (const row of next.clusters) {
          const before = prev?.clusters?.find((r) => r.cluster === row.cluster);
          if (row.readyReplicas < row.replicas || (before && before.readyReplicas >= before.replicas && before.replicas === row.replicas)) continue;
          mutations.push(await o.events.mutation({ involved: { kind: 'Workload', namespace: w.metadata.namespace!, name: w.metadata.name }, reason: 'Started', message: `${row.readyReplicas}/${row.replicas} replica(s) ready on ${row.cluster}`, source: `agent/${row.cluster}`, subject: row.cluster }));
        }
        for (const e of p?.spec.clusters ?? []) {
          for (const r of reportOf(clusters.get(e.cluster), key)?.replicaStatus ?? []) {
            const id = `${key}/${e.cluster}/${r.name}`;
            const seen = restartsSeen.get(id);
            restartsSeen.set(id, r.restartCount);
            if (seen === undefined || r.restartCount <= seen) continue;
            const t = r.lastTermination;
            // The line of its output that says why (a missing file, a refused port), as `kubectl logs --previous` would.
            const why = t && t.reason !== 'Completed' ? terminationHeadline(t.message) : undefined;
            mutations.push(
              await o.events.mutation({
                involved: { kind: 'Workload', namespace: w.metadata.namespace!, name: w.metadata.name },
                type: 'Warning',
                reason: r.phase === 'CrashLoop' ? 'BackOff' : 'ReplicaRestarted',
                message: `replica ${r.name} on ${e.cluster} restarted (${r.restartCount} restarts)${t ? `: exited ${t.signal ?? `code ${t.exitCode}`} (${t.reason})${why ? `: ${why}` : ''}` : ''}${r.phase === 'CrashLoop' && r.backoffMs ? `; back-off ${r.backoffMs} ms` : ''}`,
                source: `agent/${e.cluster}`,
                subject: `${e.cluster}/${r.name}`,
              }),
            );
          }
        }
        await writer.write(mutations);
      },
    },
  };
}
