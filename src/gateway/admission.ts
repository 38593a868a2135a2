// Routes at admission: a Workload may not claim a host and path prefix another workload is
// routed on. The route table would give the pair to whichever key sorts first, so a new
// workload could take over another's traffic; refusing the write keeps the owner.
import type { ApiObject, Workload } from '../api/index.js';
import type { AdmissionHook, AdmissionRequest } from '../server/index.js';
import { normalizeHost, normalizePrefix } from './route-table.js';

const keyOf = (o: ApiObject) => `${o.metadata.namespace ?? 'default'}/${o.metadata.name}`;
const routeOf = (w: Workload): string | undefined => (w.spec.traffic?.host ? `${normalizeHost(w.spec.traffic.host)}${normalizePrefix(w.spec.traffic.pathPrefix)}` : undefined);

/**
 * Admission hook refusing a Workload whose `traffic.host` + `pathPrefix` another workload holds
 * (stored, or earlier in the same apply). Only a write that sets or changes the route is
 * judged, so an old conflict never blocks unrelated edits.
 * @example startServer({ admission: [trafficAdmissionHook()] })
 */
export function trafficAdmissionHook(): AdmissionHook {
  // One read of the stored workloads per apply, however many workloads it holds.
  const owners = new WeakMap<readonly ApiObject[], Promise<Map<string, string>>>();
  return async (req) => {
    if (req.subresource === 'status' || req.object?.kind !== 'Workload') return { verdict: 'allow' };
    const w = req.object as Workload;
    const route = routeOf(w);
    if (!route || (req.oldObject && routeOf(req.oldObject as Workload) === route)) return { verdict: 'allow' };
    let stored = owners.get(req.batch);
    if (!stored) owners.set(req.batch, (stored = storedRoutes(req)));
    const key = keyOf(w);
    const other = (await stored).get(route) ?? batchOwner(req, route, key);
    if (!other || other === key) return { verdict: 'allow' };
    return {
      verdict: 'deny',
      causes: [{ field: 'spec.traffic.host', message: `${w.spec.traffic!.host}${normalizePrefix(w.spec.traffic!.pathPrefix)} is already routed to workload ${other}: give this one another host or pathPrefix` }],
    };
  };
}

async function storedRoutes(req: AdmissionRequest): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  // Workloads this apply changes or deletes answer for themselves (batchOwner), not as stored.
  const inBatch = new Set(req.batch.filter((o) => o.kind === 'Workload').map(keyOf));
  for (const o of (await req.store.list('Workload')).items) {
    const route = routeOf(o as Workload);
    if (route && !inBatch.has(keyOf(o)) && !out.has(route)) out.set(route, keyOf(o));
  }
  return out;
}

/** The first other workload of this apply, before `key`, claiming `route`. */
function batchOwner(req: AdmissionRequest, route: string, key: string): string | undefined {
  for (const o of req.batch) {
    if (o.kind !== 'Workload') continue;
    if (keyOf(o) === key) return undefined;
    if (routeOf(o as Workload) === route) return keyOf(o);
  }
  return undefined;
}
