// The pure routing-table builder: Workloads (traffic, residency) + Placements (weights) +
// Clusters (where, jurisdiction, phase, published endpoints) -> RouteTable. It computes and
// never acts; the gateway swaps the result in atomically. Residency is a hard filter here.
import { isIPv4, isIPv6 } from 'node:net';
import { lookupRegion, type ApiObject } from '../api/index.js';
import { HOST_NAME } from '../api/kinds/common.js';

/** One address of one replica the gateway may send a request to. */
export interface RouteEndpoint {
  /** `cluster/replica@address`: stable while the replica keeps its address. */
  id: string;
  /** `127.0.0.1:PORT`. */
  address: string;
  cluster: string;
  replica: string | undefined;
  provider: string;
  region: string;
  jurisdiction: string;
  /** Share of the workload's traffic: the cluster's placed replicas split over its endpoints. 0 = not placed there (draining). */
  weight: number;
  /** Replica reported ready and its cluster is not NotReady. Not-ready endpoints are never picked. */
  ready: boolean;
}

export interface Route {
  /** `namespace/name` of the workload. */
  key: string;
  namespace: string;
  name: string;
  /** Lower-case host without port. */
  host: string;
  /** Segment-aware prefix (`/api` matches `/api` and `/api/x`, not `/apix`); `/` matches all. */
  pathPrefix: string;
  routing: 'weighted' | 'locality';
  /** Availability objective (0.999). */
  slo: number;
  /** Allowed jurisdictions; undefined = unrestricted. */
  residency: readonly string[] | undefined;
  /** Probe path for active health checks (the workload's own, when declared). */
  healthCheckPath: string | undefined;
  endpoints: RouteEndpoint[];
}

/** Something the input said that the table refused to carry. */
export interface TableProblem {
  /**
   * `ResidencyViolation`: an endpoint or placed cluster outside the workload's residency.
   * `HostConflict`: two workloads claim the same host+prefix. `InvalidEndpoint`: an agent reported
   * an endpoint that is not `host:port` (or a replica name that is not a name); it is not routed to.
   */
  code: 'ResidencyViolation' | 'HostConflict' | 'InvalidEndpoint';
  workload: string;
  cluster?: string;
  jurisdiction?: string;
  message: string;
}

export interface RouteTable {
  routes: Route[];
  /** host -> routes, longest pathPrefix first. */
  byHost: ReadonlyMap<string, Route[]>;
  problems: TableProblem[];
  /** Residency violations found in the input (each filtered out): should always be 0. */
  residencyViolations: number;
  builtAt: string;
}

interface ClusterFacts {
  name: string;
  provider: string;
  region: string;
  jurisdiction: string | undefined;
  notReady: boolean;
  workloads: Record<string, { replicaStatus?: { name?: string; endpoint?: string; ready?: boolean; phase?: string }[] }>;
}

/** An empty table (no routes). */
export function emptyTable(): RouteTable {
  return { routes: [], byHost: new Map(), problems: [], residencyViolations: 0, builtAt: new Date().toISOString() };
}

/**
 * Builds the routing table. Only workloads with `spec.traffic.host` get a route. An endpoint is
 * included only when its cluster's jurisdiction is in the workload's `placement.residency`
 * (clusters of unknown jurisdiction are excluded for resident workloads: residency is never guessed).
 * @example const t = buildRoutes(workloads, placements, clusters); t.byHost.get('shop.local')
 */
export function buildRoutes(workloads: readonly ApiObject[], placements: readonly ApiObject[], clusters: readonly ApiObject[]): RouteTable {
  const facts = new Map<string, ClusterFacts>();
  for (const c of clusters) facts.set(c.metadata.name, clusterFacts(c));
  const placementByKey = new Map<string, ApiObject>();
  for (const p of placements) {
    const spec = (p.spec ?? {}) as { workload?: string };
    placementByKey.set(`${p.metadata.namespace ?? 'default'}/${spec.workload ?? p.metadata.name}`, p);
  }
  const problems: TableProblem[] = [];
  let residencyViolations = 0;
  const routes: Route[] = [];
  const sorted = [...workloads].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  for (const w of sorted) {
    const spec = (w.spec ?? {}) as WorkloadSpecView;
    if (!spec.traffic?.host) continue;
    const key = keyOf(w);
    const residency = residencyOf(spec);
    const allowed = (j: string | undefined) => residency === undefined || (j !== undefined && residency.includes(j));
    const placed = placedReplicas(placementByKey.get(key));
    for (const cluster of placed.keys()) {
      const f = facts.get(cluster);
      if (f && !allowed(f.jurisdiction)) {
        residencyViolations++;
        problems.push(violation(key, f, 'placement'));
      }
    }
    const endpoints: RouteEndpoint[] = [];
    for (const f of [...facts.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      const reps = (f.workloads[key]?.replicaStatus ?? []).filter((r) => typeof r.endpoint === 'string' && r.endpoint && r.phase !== 'Terminating');
      if (reps.length === 0) continue;
      if (!allowed(f.jurisdiction)) {
        residencyViolations++;
        problems.push(violation(key, f, 'endpoint'));
        continue;
      }
      // Without a placement (yet) every reporting cluster counts; with one, unplaced clusters drain at weight 0.
      const clusterWeight = placed.size === 0 ? reps.length : (placed.get(f.name) ?? 0);
      for (const r of reps) {
        const invalid = endpointProblem(r.endpoint!, r.name);
        if (invalid) {
          problems.push({ code: 'InvalidEndpoint', workload: key, cluster: f.name, message: `cluster ${f.name} reports an endpoint of ${key} that ${invalid}: excluded from routing` });
          continue;
        }
        endpoints.push({
          id: `${f.name}/${r.name ?? ''}@${r.endpoint}`,
          address: r.endpoint!,
          cluster: f.name,
          replica: r.name,
          provider: f.provider,
          region: f.region,
          jurisdiction: f.jurisdiction ?? 'unknown',
          weight: clusterWeight / reps.length,
          ready: r.ready === true && !f.notReady,
        });
      }
    }
    routes.push({
      key,
      namespace: w.metadata.namespace ?? 'default',
      name: w.metadata.name,
      host: normalizeHost(spec.traffic.host),
      pathPrefix: normalizePrefix(spec.traffic.pathPrefix),
      routing: spec.traffic.routing === 'locality' ? 'locality' : 'weighted',
      slo: typeof spec.traffic.slo === 'number' ? spec.traffic.slo : 0.999,
      residency,
      healthCheckPath: spec.healthCheck?.path,
      endpoints,
    });
  }
  const byHost = new Map<string, Route[]>();
  for (const r of routes) {
    const list = byHost.get(r.host) ?? [];
    const clash = list.find((o) => o.pathPrefix === r.pathPrefix);
    if (clash) {
      problems.push({ code: 'HostConflict', workload: r.key, message: `${r.host}${r.pathPrefix} is already routed to ${clash.key}; ${r.key} gets no route` });
      continue;
    }
    list.push(r);
    byHost.set(r.host, list);
  }
  for (const list of byHost.values()) list.sort((a, b) => b.pathPrefix.length - a.pathPrefix.length);
  return { routes: routes.filter((r) => byHost.get(r.host)?.includes(r)), byHost, problems, residencyViolations, builtAt: new Date().toISOString() };
}

/** Finds the route for a request: exact host (port ignored), then the longest matching prefix. */
export function matchRoute(table: RouteTable, hostHeader: string | undefined, path: string): Route | undefined {
  if (!hostHeader) return undefined;
  const list = table.byHost.get(normalizeHost(hostHeader));
  if (!list) return undefined;
  for (const r of list) if (prefixMatches(r.pathPrefix, path)) return r;
  return undefined;
}

/**
 * `matchRoute` with the Host lookup (normalisation + map) memoised per raw Host header value:
 * clients repeat the same few Host values, so most requests skip normalisation entirely.
 * Create one per table; it holds at most `max` distinct Host values (then starts over), so
 * random Host headers cannot grow memory.
 */
export function createRouteMatcher(table: RouteTable, max = 1024): (hostHeader: string | undefined, path: string) => Route | undefined {
  const cache = new Map<string, Route[] | null>();
  return (hostHeader, path) => {
    if (!hostHeader) return undefined;
    let list = cache.get(hostHeader);
    if (list === undefined) {
      if (cache.size >= max) cache.clear();
      list = table.byHost.get(normalizeHost(hostHeader)) ?? null;
      cache.set(hostHeader, list);
    }
    if (list === null) return undefined;
    for (const r of list) if (prefixMatches(r.pathPrefix, path)) return r;
    return undefined;
  };
}

function prefixMatches(prefix: string, path: string): boolean {
  if (prefix === '/') return true;
  if (!path.startsWith(prefix)) return false;
  const next = path.charCodeAt(prefix.length);
  // End of path, '/', '?' or '#' after the prefix: a segment boundary.
  return Number.isNaN(next) || next === 47 || next === 63 || next === 35;
}

/** Lower-case, without port and trailing dot. */
export function normalizeHost(h: string): string {
  let s = h.trim().toLowerCase();
  if (s.startsWith('[')) s = s.slice(0, s.indexOf(']') + 1);
  else if (s.includes(':')) s = s.slice(0, s.indexOf(':'));
  return s.endsWith('.') ? s.slice(0, -1) : s;
}

/** A path prefix as routes hold it: `/` for none, no trailing slash. */
export function normalizePrefix(p: string | undefined): string {
  if (!p || p === '/') return '/';
  return p.endsWith('/') ? p.slice(0, -1) : p;
}

interface WorkloadSpecView {
  traffic?: { host?: string; pathPrefix?: string; routing?: string; slo?: number };
  placement?: { residency?: string | string[] };
  healthCheck?: { path?: string };
}

function residencyOf(spec: WorkloadSpecView): string[] | undefined {
  const r = spec.placement?.residency;
  if (r === undefined) return undefined;
  return typeof r === 'string' ? [r] : [...r];
}

function placedReplicas(p: ApiObject | undefined): Map<string, number> {
  const out = new Map<string, number>();
  const clusters = ((p?.spec ?? {}) as { clusters?: { cluster: string; replicas: number }[] }).clusters ?? [];
  for (const c of clusters) if (c.replicas > 0) out.set(c.cluster, (out.get(c.cluster) ?? 0) + c.replicas);
  return out;
}

function clusterFacts(c: ApiObject): ClusterFacts {
  const spec = (c.spec ?? {}) as { provider?: string; region?: string; residency?: string };
  const status = (c.status ?? {}) as { phase?: string; workloads?: ClusterFacts['workloads'] };
  const provider = spec.provider ?? 'unknown';
  const region = spec.region ?? 'unknown';
  return {
    name: c.metadata.name,
    provider,
    region,
    jurisdiction: spec.residency ?? lookupRegion(provider, region)?.jurisdiction,
    // Only an explicit NotReady/Unknown takes a cluster out: agents always write a phase with their endpoints.
    notReady: status.phase === 'NotReady' || status.phase === 'Unknown',
    workloads: status.workloads ?? {},
  };
}

function violation(workload: string, f: ClusterFacts, source: 'placement' | 'endpoint'): TableProblem {
  const j = f.jurisdiction ?? 'unknown';
  return {
    code: 'ResidencyViolation',
    workload,
    cluster: f.name,
    jurisdiction: j,
    message: `${source === 'placement' ? 'placement puts' : 'cluster reports endpoints of'} ${workload} on ${f.name} (jurisdiction ${j}), outside its residency: excluded from routing`,
  };
}

/** Replica names as agents write them: a name, no spaces or separators (they reach HAProxy's maps). */
const REPLICA_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

/**
 * Why a reported endpoint cannot be routed to, or undefined. Endpoints come from agents' status,
 * which the API does not validate: a malformed one must not reach a proxy's configuration.
 * Accepted: `host:port` with an IPv4 address, a bracketed IPv6 address or an RFC 1123 host name,
 * and a port from 1 to 65535.
 */
export function endpointProblem(address: string, replica: string | undefined): string | undefined {
  if (replica !== undefined && !REPLICA_NAME.test(replica)) return `names its replica ${JSON.stringify(replica)}, which is not a name (letters, digits, ".", "_" and "-")`;
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon);
  const port = address.slice(colon + 1);
  const hostOk = host.startsWith('[') ? host.endsWith(']') && isIPv6(host.slice(1, -1)) : isIPv4(host) || (HOST_NAME.test(host) && !/^[\d.]+$/.test(host));
  if (colon < 0 || !hostOk || !/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65_535) {
    return `is ${JSON.stringify(address.slice(0, 100))}, not host:port (an IPv4 address, a bracketed IPv6 address or a host name, and a port from 1 to 65535)`;
  }
  return undefined;
}

function keyOf(o: ApiObject): string {
  return `${o.metadata.namespace ?? 'default'}/${o.metadata.name}`;
}
