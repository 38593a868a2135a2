// Residency at admission: a Placement naming a cluster outside its Workload's residency is
// refused, whoever writes it; a Cluster whose jurisdiction changes is admitted with a warning
// naming the resident replicas the placement controller will move off it; and a Workload whose
// residency no cluster of the fleet is in is admitted with a warning saying it cannot run yet.
import { clusterJurisdiction, type ApiObject, type Cluster, type Placement, type Workload } from '../../api/index.js';
import type { AdmissionHook, AdmissionRequest } from '../../server/index.js';
import { placementOutsideResidency } from './residency-guard.js';

/**
 * Admission hook guarding residency on the Placement path (the scheduler never crosses it; this
 * covers hand-written Placements and changed clusters).
 * @example startServer({ admission: [residencyAdmissionHook()] })
 */
export function residencyAdmissionHook(): AdmissionHook {
  // The fleet's jurisdictions, read once per apply however many workloads it holds.
  const fleets = new WeakMap<readonly ApiObject[], Promise<Set<string>>>();
  return async (req) => {
    if (req.subresource === 'status' || !req.object) return { verdict: 'allow' };
    if (req.object.kind === 'Workload') {
      const allowed = (req.object as Workload).spec.placement?.residency;
      if (!allowed?.length) return { verdict: 'allow' };
      let fleet = fleets.get(req.batch);
      if (!fleet) fleets.set(req.batch, (fleet = jurisdictions(req)));
      const have = await fleet;
      if (allowed.some((j) => have.has(j))) return { verdict: 'allow' };
      return {
        verdict: 'warn',
        messages: [`no cluster of the fleet is in ${allowed.length > 1 ? 'any of the jurisdictions' : 'jurisdiction'} ${allowed.join(', ')}${have.size ? ` (the fleet has ${[...have].sort().join(', ')})` : ' (the fleet has no clusters)'}: it stays unschedulable until one is declared there`],
      };
    }
    if (req.object.kind === 'Placement') {
      const p = req.object as Placement;
      const namespace = p.metadata.namespace ?? 'default';
      const w = (await lookup(req, 'Workload', p.spec.workload, namespace)) as Workload | undefined;
      const clusters = new Map<string, Cluster | undefined>();
      for (const e of p.spec.clusters) clusters.set(e.cluster, (await lookup(req, 'Cluster', e.cluster)) as Cluster | undefined);
      const causes = placementOutsideResidency(p, w, (name) => clusters.get(name));
      return causes.length ? { verdict: 'deny', causes } : { verdict: 'allow' };
    }
    if (req.object.kind === 'Cluster' && req.operation === 'UPDATE' && req.oldObject) {
      const before = clusterJurisdiction(req.oldObject as Cluster);
      const after = clusterJurisdiction(req.object as Cluster);
      if (before === after) return { verdict: 'allow' };
      const name = req.object.metadata.name;
      const moved: string[] = [];
      for (const o of (await req.store.list('Placement')).items) {
        const p = o as Placement;
        const on = p.spec.clusters.find((e) => e.cluster === name && e.replicas > 0);
        if (!on) continue;
        const w = (await req.store.get({ kind: 'Workload', namespace: p.metadata.namespace, name: p.spec.workload })) as Workload | undefined;
        const allowed = w?.spec.placement.residency;
        if (allowed?.length && (after === undefined || !allowed.includes(after))) moved.push(`${p.metadata.namespace ?? 'default'}/${p.spec.workload} (${on.replicas})`);
      }
      if (moved.length === 0) return { verdict: 'allow' };
      return {
        verdict: 'warn',
        messages: [`jurisdiction changes from ${before ?? 'unknown'} to ${after ?? 'unknown'}: the replicas of ${moved.join(', ')} run there outside their residency and will be moved off it`],
      };
    }
    return { verdict: 'allow' };
  };
}

/** Jurisdictions of the clusters stored and of those this apply declares. */
async function jurisdictions(req: AdmissionRequest): Promise<Set<string>> {
  const out = new Set<string>();
  for (const o of [...(await req.store.list('Cluster')).items, ...req.batch.filter((b) => b.kind === 'Cluster')]) {
    const j = clusterJurisdiction(o as Cluster);
    if (j) out.add(j);
  }
  return out;
}

/** The object as this request's batch writes it, else as stored. */
async function lookup(req: AdmissionRequest, kind: string, name: string, namespace?: string): Promise<ApiObject | undefined> {
  const inBatch = req.batch.find((o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || (o.metadata.namespace ?? 'default') === namespace));
  return inBatch ?? (await req.store.get({ kind, ...(namespace ? { namespace } : {}), name }));
}
