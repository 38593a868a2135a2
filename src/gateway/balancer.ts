// Endpoint state and endpoint choice: active-health, passive outlier ejection, the per-endpoint
// circuit breaker, and the pick (locality tier, then weighted random) over a route's endpoints.
// Only endpoints of the route's table entry are ever candidates, so residency holds by construction.
import type { CompiledGatewayOptions } from './options.js';
import type { Route, RouteEndpoint, RouteTable } from './route-table.js';

export interface EndpointState {
  ep: RouteEndpoint;
  /** Active health: starts true (the agent already called it ready) and follows fall/rise thresholds. */
  healthy: boolean;
  hcFails: number;
  hcOks: number;
  consecutiveGatewayErrors: number;
  consecutive5xx: number;
  ejectedUntil: number;
  ejections: number;
  /** In-flight requests (circuit breaker). */
  active: number;
  waiters: { resolve: (ok: boolean) => void; cancelled: boolean }[];
}

/** Why no endpoint could be picked. */
export const PickFailure = {
  NoEndpoints: 'no_endpoints',
  NoReadyEndpoint: 'no_ready_endpoint',
  CircuitOpen: 'circuit_open',
  Exhausted: 'endpoints_exhausted',
} as const;
export type PickFailure = (typeof PickFailure)[keyof typeof PickFailure];

export type PickResult = { state: EndpointState; wait: boolean } | { failure: PickFailure };

export type OutcomeKind = 'ok' | '5xx' | 'gateway-error';

export interface Balancer {
  /** Adopts a new table: keeps state of endpoints that stay, drops the rest. */
  sync(table: RouteTable): void;
  states(): IterableIterator<EndpointState>;
  get(id: string): EndpointState | undefined;
  /** Chooses an endpoint not in `exclude`. `wait` = all candidates are full; call `waitSlot`. */
  pick(route: Route, exclude: ReadonlySet<string> | undefined, now: number): PickResult;
  /** Takes a concurrency slot if one is free. */
  tryAcquire(s: EndpointState): boolean;
  /** Queues for a slot (false when the pending queue is full or `signal` aborts). */
  waitSlot(s: EndpointState, signal: AbortSignal): Promise<boolean>;
  release(s: EndpointState): void;
  /** Records a try's outcome; returns true when it ejected the endpoint. */
  record(route: Route, s: EndpointState, kind: OutcomeKind, now: number): boolean;
  /** Records an active probe result. */
  probe(s: EndpointState, ok: boolean): void;
  /** Endpoints of a route currently ejected. */
  ejectedCount(route: Route, now: number): number;
}

/** Creates the balancer for one gateway. `random` is injectable for deterministic tests. */
export function createBalancer(o: CompiledGatewayOptions, random: () => number = Math.random): Balancer {
  const states = new Map<string, EndpointState>();
  const { outlier, circuitBreaker: cb, healthCheck: hc } = o;

  const usableNow = (s: EndpointState, now: number) => s.ep.ready && s.healthy && s.ejectedUntil <= now;

  const ejectedCount = (route: Route, now: number) => {
    let n = 0;
    for (const ep of route.endpoints) if ((states.get(ep.id)?.ejectedUntil ?? 0) > now) n++;
    return n;
  };

  const localityTier = (route: Route, list: EndpointState[]): EndpointState[] => {
    if (route.routing !== 'locality' || list.length < 2) return list;
    if (o.region) {
      const same = list.filter((s) => s.ep.region === o.region);
      if (same.length > 0) return same;
    }
    if (o.jurisdiction) {
      const same = list.filter((s) => s.ep.jurisdiction === o.jurisdiction);
      if (same.length > 0) return same;
    }
    return list;
  };

  const weighted = (list: EndpointState[]): EndpointState => {
    let total = 0;
    for (const s of list) total += s.ep.weight;
    if (total <= 0) return list[Math.floor(random() * list.length)]!;
    let r = random() * total;
    for (const s of list) {
      r -= s.ep.weight;
      if (r < 0) return s;
    }
    return list[list.length - 1]!;
  };

  return {
    sync(table) {
      const seen = new Set<string>();
      for (const route of table.routes)
        for (const ep of route.endpoints) {
          seen.add(ep.id);
          const s = states.get(ep.id);
          if (s) s.ep = ep;
          else
            states.set(ep.id, { ep, healthy: true, hcFails: 0, hcOks: 0, consecutiveGatewayErrors: 0, consecutive5xx: 0, ejectedUntil: 0, ejections: 0, active: 0, waiters: [] });
        }
      for (const [id, s] of states)
        if (!seen.has(id)) {
          states.delete(id);
          for (const w of s.waiters) w.resolve(false);
        }
    },
    states: () => states.values(),
    get: (id) => states.get(id),
    pick(route, exclude, now) {
      if (route.endpoints.length === 0) return { failure: PickFailure.NoEndpoints };
      // Fast path, the common case, without allocating: weighted routing and at least one placed
      // endpoint that is usable with a free slot. Same candidates, order and draw as below.
      if (route.routing !== 'locality') {
        let total = 0;
        for (const ep of route.endpoints) {
          const s = states.get(ep.id);
          if (s && s.ep.weight > 0 && s.active < cb.maxConcurrent && usableNow(s, now) && !exclude?.has(ep.id)) total += s.ep.weight;
        }
        if (total > 0) {
          let r = random() * total;
          let last: EndpointState | undefined;
          for (const ep of route.endpoints) {
            const s = states.get(ep.id);
            if (!s || !(s.ep.weight > 0 && s.active < cb.maxConcurrent && usableNow(s, now) && !exclude?.has(ep.id))) continue;
            last = s;
            r -= s.ep.weight;
            if (r < 0) return { state: s, wait: false };
          }
          return { state: last!, wait: false };
        }
      }
      const all: EndpointState[] = [];
      for (const ep of route.endpoints) {
        const s = states.get(ep.id);
        if (s && !exclude?.has(ep.id)) all.push(s);
      }
      if (all.length === 0) return { failure: PickFailure.Exhausted };
      const ready = all.filter((s) => s.ep.ready);
      if (ready.length === 0) return { failure: exclude?.size ? PickFailure.Exhausted : PickFailure.NoReadyEndpoint };
      let candidates = ready.filter((s) => usableNow(s, now));
      // Panic routing (Envoy's panic threshold, at 0%): when nothing passes, an ejected endpoint
      // beats a certain 503, and an endpoint the agent calls ready but our probes doubt beats it
      // too — probes time out under CPU starvation, and a truly dead endpoint fails fast (502).
      if (candidates.length === 0) candidates = ready.filter((s) => s.healthy);
      if (candidates.length === 0) candidates = ready.filter((s) => s.ejectedUntil <= now);
      if (candidates.length === 0) candidates = ready;
      // Weights are preserved among the endpoints with a free slot; full ones only when all are full.
      const withRoom = candidates.filter((s) => s.active < cb.maxConcurrent);
      if (withRoom.length > 0) {
        const placed = withRoom.filter((s) => s.ep.weight > 0);
        return { state: weighted(localityTier(route, placed.length > 0 ? placed : withRoom)), wait: false };
      }
      const queueable = candidates.filter((s) => s.waiters.length < cb.maxPending);
      if (queueable.length === 0) return { failure: PickFailure.CircuitOpen };
      queueable.sort((a, b) => a.waiters.length - b.waiters.length);
      return { state: queueable[0]!, wait: true };
    },
    tryAcquire(s) {
      if (s.active >= cb.maxConcurrent) return false;
      s.active++;
      return true;
    },
    waitSlot(s, signal) {
      if (s.waiters.length >= cb.maxPending) return Promise.resolve(false);
      return new Promise<boolean>((resolve) => {
        const w = { resolve, cancelled: false };
        const onAbort = () => {
          w.cancelled = true;
          resolve(false);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        w.resolve = (ok) => {
          signal.removeEventListener('abort', onAbort);
          resolve(ok);
        };
        s.waiters.push(w);
      });
    },
    release(s) {
      s.active--;
      while (s.waiters.length > 0) {
        const w = s.waiters.shift()!;
        if (w.cancelled) continue;
        s.active++;
        w.resolve(true);
        break;
      }
    },
    record(route, s, kind, now) {
      if (kind === 'ok') {
        s.consecutiveGatewayErrors = 0;
        s.consecutive5xx = 0;
        return false;
      }
      if (kind === '5xx') s.consecutive5xx++;
      else s.consecutiveGatewayErrors++;
      const trip = s.consecutive5xx >= outlier.consecutive5xx || s.consecutiveGatewayErrors >= outlier.consecutiveGatewayErrors;
      if (!trip || s.ejectedUntil > now) return false;
      const ejected = ejectedCount(route, now);
      if (ejected > 0 && ((ejected + 1) / route.endpoints.length) * 100 > outlier.maxEjectionPercent) return false;
      // The multiplier forgets old ejections once the endpoint has stayed in for a full max period.
      if (s.ejectedUntil > 0 && now - s.ejectedUntil > outlier.maxEjectionTimeMs) s.ejections = 0;
      s.ejections++;
      s.ejectedUntil = now + Math.min(outlier.maxEjectionTimeMs, outlier.baseEjectionTimeMs * s.ejections);
      s.consecutive5xx = 0;
      s.consecutiveGatewayErrors = 0;
      return true;
    },
    probe(s, ok) {
      if (ok) {
        s.hcFails = 0;
        s.hcOks++;
        if (!s.healthy && s.hcOks >= hc.healthyThreshold) s.healthy = true;
      } else {
        s.hcOks = 0;
        s.hcFails++;
        if (s.healthy && s.hcFails >= hc.unhealthyThreshold) s.healthy = false;
      }
    },
    ejectedCount,
  };
}
