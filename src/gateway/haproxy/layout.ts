// The HAProxy layout: which route is which backend and which endpoint sits in which server
// slot. Pure. Slots are kept stable across tables, so most changes (a replica moved, a cluster
// failed, weights shifted) are a few runtime-API commands on the running HAProxy; only a new
// route, a changed option or a full slot pool needs a (hitless) reload.
import type { Route, RouteEndpoint, RouteTable } from '../route-table.js';

/** One `server` line of a backend: an endpoint, or empty (in maintenance) waiting for one. */
export interface Slot {
  /** Server name inside its backend (`p0`, `b3`). */
  server: string;
  /**
   * HAProxy server id, unique in the whole configuration (HAProxy needs it unique per backend
   * only): the key of the cluster and replica maps, so a response's headers cost one integer
   * lookup each. Numbered in layout order, so the same structure gives the same ids.
   */
  id: number;
  endpoint: RouteEndpoint | undefined;
  /** HAProxy weight 1..256 (relative within the pool). */
  weight: number;
}

export interface BackendLayout {
  /** HAProxy backend name derived from the route key (`w_shop_checkout`). */
  name: string;
  route: Route;
  /** Endpoints that take traffic: placed ones, in the best locality tier. */
  primary: Slot[];
  /** Used only when no primary is up (HAProxy `backup`, all of them at once): draining or farther endpoints. */
  backup: Slot[];
  /** Every slot by server name (the access-log reader's per-request lookup). */
  byServer: ReadonlyMap<string, Slot>;
  /** Filled slots by endpoint id. */
  byEndpoint: ReadonlyMap<string, Slot>;
}

export interface Layout {
  backends: BackendLayout[];
  /** Routes left out because a host or path could not be written into HAProxy's files safely. */
  refused: { route: string; reason: string }[];
  byName: ReadonlyMap<string, BackendLayout>;
  /** Everything that needs a reload when it changes (routes, probe paths, pool sizes). */
  structure: string;
}

export interface LocalityContext {
  region: string | undefined;
  jurisdiction: string | undefined;
}

/** HAProxy's largest server weight. */
const MAX_WEIGHT = 256;
const MIN_PRIMARY_SLOTS = 4;
const MIN_BACKUP_SLOTS = 2;

/** `ns/name` -> a backend name HAProxy accepts; `/` cannot occur in DNS-1123 names, `_` neither, so it is unambiguous. */
export function backendName(routeKey: string): string {
  return `w_${routeKey.replace(/[^A-Za-z0-9.-]/g, '_')}`;
}

/**
 * Places each route's ready endpoints into slots, keeping every endpoint in the slot it had in
 * `prev` when it stays in the same pool, and growing a pool (to a power of two, at least twice
 * what is needed) only when it is full.
 */
export function planLayout(table: RouteTable, prev: Layout | undefined, loc: LocalityContext): Layout {
  const backends: BackendLayout[] = [];
  const refused: Layout['refused'] = [];
  let nextId = 1;
  const numbered = (s: Omit<Slot, 'id'>): Slot => ({ ...s, id: nextId++ });
  for (const route of table.routes) {
    // The API validates hosts and paths; objects stored before that (or a static table) are
    // checked again here, because these strings are written into HAProxy's config and maps.
    const reason = unsafe(route);
    if (reason) {
      refused.push({ route: route.key, reason });
      continue;
    }
    const name = backendName(route.key);
    const old = prev?.byName.get(name);
    const tiers = split(route, loc);
    const primary = fill('p', tiers.primary, old?.primary, MIN_PRIMARY_SLOTS).map(numbered);
    const backup = fill('b', tiers.backup, old?.backup, MIN_BACKUP_SLOTS).map(numbered);
    const all = [...primary, ...backup];
    backends.push({
      name,
      route,
      primary,
      backup,
      byServer: new Map(all.map((s) => [s.server, s])),
      byEndpoint: new Map(all.filter((s) => s.endpoint).map((s) => [s.endpoint!.id, s])),
    });
  }
  const structure = JSON.stringify(
    backends.map((b) => [b.name, b.route.host, b.route.pathPrefix, b.route.healthCheckPath ?? '', b.primary.length, b.backup.length]),
  );
  return { backends, refused, byName: new Map(backends.map((b) => [b.name, b])), structure };
}

const SAFE_HOST = /^[a-z0-9.-]+$/;
const SAFE_PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;

function unsafe(r: Route): string | undefined {
  if (!SAFE_HOST.test(r.host)) return `host ${JSON.stringify(r.host)} is not a DNS host name`;
  if (!SAFE_PATH.test(r.pathPrefix)) return `path prefix ${JSON.stringify(r.pathPrefix)} is not a URL path`;
  if (r.healthCheckPath !== undefined && !SAFE_PATH.test(r.healthCheckPath)) return `health-check path ${JSON.stringify(r.healthCheckPath)} is not a URL path`;
  return undefined;
}

/** Which ready endpoints take traffic first: the gateway's balancer rules, as two HAProxy tiers. */
function split(route: Route, loc: LocalityContext): { primary: RouteEndpoint[]; backup: RouteEndpoint[] } {
  const ready = route.endpoints.filter((e) => e.ready);
  const placed = ready.filter((e) => e.weight > 0);
  let primary = placed.length > 0 ? placed : ready;
  if (route.routing === 'locality' && primary.length > 1) {
    const sameRegion = loc.region ? primary.filter((e) => e.region === loc.region) : [];
    const sameJurisdiction = loc.jurisdiction ? primary.filter((e) => e.jurisdiction === loc.jurisdiction) : [];
    if (sameRegion.length > 0) primary = sameRegion;
    else if (sameJurisdiction.length > 0) primary = sameJurisdiction;
  }
  const inPrimary = new Set(primary);
  return { primary, backup: ready.filter((e) => !inPrimary.has(e)) };
}

function fill(prefix: 'p' | 'b', endpoints: RouteEndpoint[], old: Slot[] | undefined, min: number): Omit<Slot, 'id'>[] {
  const size = Math.max(min, old?.length ?? 0, endpoints.length > (old?.length ?? 0) ? nextPow2(endpoints.length * 2) : 0);
  const slots: Omit<Slot, 'id'>[] = Array.from({ length: size }, (_, i) => ({ server: `${prefix}${i}`, endpoint: undefined, weight: 1 }));
  const maxW = Math.max(0, ...endpoints.map((e) => e.weight));
  const weightOf = (e: RouteEndpoint) => (maxW > 0 && e.weight > 0 ? Math.max(1, Math.round((e.weight / maxW) * 100)) : 1);
  const placed = new Set<string>();
  // Same endpoint, same slot: its connections, health state and counters carry on.
  const previousSlot = new Map<string, number>();
  old?.forEach((s, i) => s.endpoint && previousSlot.set(s.endpoint.id, i));
  for (const e of endpoints) {
    const i = previousSlot.get(e.id);
    if (i !== undefined && i < size) {
      slots[i] = { server: slots[i]!.server, endpoint: e, weight: Math.min(MAX_WEIGHT, weightOf(e)) };
      placed.add(e.id);
    }
  }
  // New endpoints take slots that were empty before, so a slot never switches address while it
  // may still hold the previous endpoint's connections.
  const wasEmpty = (i: number) => !old?.[i]?.endpoint;
  const order = [...slots.keys()].sort((a, b) => Number(wasEmpty(b)) - Number(wasEmpty(a)) || a - b);
  for (const e of endpoints) {
    if (placed.has(e.id)) continue;
    const i = order.find((j) => !slots[j]!.endpoint);
    if (i === undefined) break; // cannot happen: size >= endpoints.length
    slots[i] = { server: slots[i]!.server, endpoint: e, weight: Math.min(MAX_WEIGHT, weightOf(e)) };
  }
  return slots;
}

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Where a server slot points: `127.0.0.1:PORT`, or the discard port for an empty slot. */
export function slotAddress(s: Slot): { host: string; port: number } {
  if (!s.endpoint) return { host: '127.0.0.1', port: 9 };
  const a = s.endpoint.address;
  const i = a.lastIndexOf(':');
  return { host: a.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(a.slice(i + 1)) };
}

/** Map files naming each slot's endpoint, keyed by slot id: `x-truststram-cluster` and `-replica`. */
export interface SlotMaps {
  clusters: string;
  replicas: string;
}

/** What the cluster and replica maps hold for a slot (`-` when it is empty). */
export function slotLabels(s: Slot): { cluster: string; replica: string } {
  return { cluster: s.endpoint?.cluster ?? '-', replica: s.endpoint?.replica ?? '-' };
}

/**
 * Runtime-API commands that turn the running `prev` layout into `next` (same structure), each
 * slot's address, weight, label and state. Undefined when the structure differs: reload.
 */
export function runtimeCommands(prev: Layout, next: Layout, maps: SlotMaps): string[] | undefined {
  if (prev.structure !== next.structure) return undefined;
  const cmds: string[] = [];
  for (const b of next.backends) {
    const old = prev.byName.get(b.name)!;
    const pairs: [Slot, Slot][] = [...b.primary.map((s, i): [Slot, Slot] => [old.primary[i]!, s]), ...b.backup.map((s, i): [Slot, Slot] => [old.backup[i]!, s])];
    for (const [was, now] of pairs) {
      const id = `${b.name}/${now.server}`;
      const labels = slotLabels(now);
      const setMaps = [`set map ${maps.clusters} ${now.id} ${labels.cluster}`, `set map ${maps.replicas} ${now.id} ${labels.replica}`];
      if (!now.endpoint) {
        if (was.endpoint) cmds.push(`set server ${id} state maint`, ...setMaps);
        continue;
      }
      const sameEndpoint = was.endpoint?.id === now.endpoint.id;
      if (!sameEndpoint) {
        const a = slotAddress(now);
        // Out of rotation while it changes address, then back with fresh checks.
        if (was.endpoint) cmds.push(`set server ${id} state maint`);
        cmds.push(`set server ${id} addr ${a.host} port ${a.port}`, ...setMaps);
      }
      if (!sameEndpoint || was.weight !== now.weight) cmds.push(`set server ${id} weight ${now.weight}`);
      if (!sameEndpoint) cmds.push(`set server ${id} state ready`);
    }
  }
  return cmds;
}
