// The chaos API on the server: `GET /api/v1alpha1/chaos` (faults in force, may this caller
// inject), `POST /api/v1alpha1/chaos/fail` and `/restore` with `{kind, name}`. Injecting is
// allowed in demo mode, or with auth configured for any authenticated caller; otherwise 403.
import { BadRequestError, ForbiddenError } from '../api/index.js';
import { ANONYMOUS, type RequestContext, type View } from '../server/index.js';
import type { Store } from '../store/store.js';
import { FAULT_KINDS, type Chaos, type ChaosRecorder, type FaultKind } from './faults.js';

export interface ChaosAccess {
  /** The server runs in demo mode (`truststram demo`, `server --allow-chaos`): anyone may inject. */
  demo: boolean;
  /** A token file is configured: every caller is authenticated, and may inject. */
  authEnabled: boolean;
}

/** True when `actor` may inject or restore faults. */
export function chaosAllowed(access: ChaosAccess, actor: string): boolean {
  return access.demo || (access.authEnabled && actor !== ANONYMOUS);
}

/**
 * Chaos views over a (possibly late-bound) chaos engine; 404-free even before agents exist.
 * `elsewhere` says why faults must be injected on another server (a follower names its leader).
 */
export function chaosViews(chaos: () => Chaos | undefined, access: ChaosAccess, elsewhere?: () => string | undefined): View[] {
  const engine = () => {
    // A follower on a shared store: the agents chaos acts on belong to the leader.
    const where = elsewhere?.();
    if (where) throw new ForbiddenError(where);
    const c = chaos();
    if (!c) throw new ForbiddenError('chaos needs the controllers and the agent manager: this server runs without them');
    return c;
  };
  const guard = (ctx: RequestContext) => {
    if (!chaosAllowed(access, ctx.actor))
      throw new ForbiddenError('chaos is allowed only in demo mode (truststram demo, truststram server --allow-chaos) or for authenticated callers (server --token-file)');
  };
  const target = async (ctx: RequestContext, kindRequired: boolean): Promise<{ kind?: FaultKind; name: string }> => {
    const { value } = await ctx.readJson();
    const v = (value ?? {}) as { kind?: unknown; name?: unknown };
    if (typeof v.name !== 'string' || !v.name) throw new BadRequestError('body needs {"kind": "cluster|region|provider", "name": "..."}');
    if (v.kind === undefined && !kindRequired) return { name: v.name };
    if (typeof v.kind !== 'string' || !(FAULT_KINDS as readonly string[]).includes(v.kind)) throw new BadRequestError(`kind must be one of ${FAULT_KINDS.join(', ')}`);
    return { kind: v.kind as FaultKind, name: v.name };
  };
  return [
    {
      method: 'GET',
      path: '/api/v1alpha1/chaos',
      name: 'chaos',
      handler: async (ctx) => {
        // A follower holds no faults and injects none: it says so, and where to go instead.
        const where = elsewhere?.();
        return { body: { demo: access.demo, allowed: !where && chaosAllowed(access, ctx.actor), faults: where ? [] : (chaos()?.faults() ?? []), ...(where ? { elsewhere: where } : {}) } };
      },
    },
    {
      method: 'POST',
      path: '/api/v1alpha1/chaos/fail',
      name: 'chaos-fail',
      handler: async (ctx) => {
        guard(ctx);
        const t = await target(ctx, true);
        const fault = await engine().fail({ kind: t.kind!, name: t.name }, ctx.actor);
        return { status: 200, body: { fault, faults: engine().faults() } };
      },
    },
    {
      method: 'POST',
      path: '/api/v1alpha1/chaos/restore',
      name: 'chaos-restore',
      handler: async (ctx) => {
        guard(ctx);
        const t = await target(ctx, false);
        const restored = await engine().restore(t, ctx.actor);
        return { status: 200, body: { restored, faults: engine().faults() } };
      },
    },
  ];
}

/** Records chaos as an Event on the cluster (reason ChaosFault/ChaosRestore) and an audit decision. */
export function storeChaosRecorder(store: Store, events: { record(e: { involved: { kind: string; name: string }; type?: 'Normal' | 'Warning'; reason: string; message: string; source: string }): Promise<void> }): ChaosRecorder {
  return {
    async event(e) {
      await events.record({ involved: { kind: 'Cluster', name: e.cluster }, type: e.reason === 'ChaosFault' ? 'Warning' : 'Normal', reason: e.reason, message: e.message, source: 'chaos' });
      await store.recordDecision({ actor: e.actor, verb: e.reason === 'ChaosFault' ? 'chaos-fail' : 'chaos-restore', ref: { kind: 'Cluster', name: e.cluster }, details: { reason: e.reason, message: e.message } });
    },
  };
}
