// The lease endpoints agents heartbeat through. The table behind them is the store's shared
// one (Postgres) or this server's own (src/store/leases.ts).
import { BadRequestError } from '../api/index.js';
import type { Lease, LeaseTable } from '../store/leases.js';
import type { View } from './router.js';

export { createLeaseTable, type Lease, type LeaseListener, type LeaseTable } from '../store/leases.js';

const MAX_DURATION_MS = 5 * 60_000;

/** `PUT/DELETE /api/v1alpha1/leases/:name` and `GET /api/v1alpha1/leases`. */
export function leaseViews(table: LeaseTable): View[] {
  return [
    {
      method: 'GET',
      path: '/api/v1alpha1/leases',
      name: 'leases',
      handler: async () => ({ body: { items: table.list().map(render) } }),
    },
    {
      method: 'PUT',
      path: '/api/v1alpha1/leases/:name',
      name: 'lease',
      handler: async (ctx) => {
        const { value } = await ctx.readJson();
        const v = value as { holder?: unknown; durationMs?: unknown };
        if (typeof v?.holder !== 'string' || !v.holder) throw new BadRequestError('holder: required string', [{ field: 'holder', message: 'required string' }]);
        const d = v.durationMs;
        if (typeof d !== 'number' || !Number.isFinite(d) || d <= 0 || d > MAX_DURATION_MS)
          throw new BadRequestError(`durationMs: must be a number of milliseconds in (0, ${MAX_DURATION_MS}]`, [{ field: 'durationMs', message: 'out of range' }]);
        return { body: render(await table.renew(ctx.params.name!, v.holder, d)) };
      },
    },
    {
      method: 'DELETE',
      path: '/api/v1alpha1/leases/:name',
      name: 'lease',
      handler: async (ctx) => {
        const holder = ctx.url.searchParams.get('holder');
        if (!holder) throw new BadRequestError('holder: required query parameter', [{ field: 'holder', message: 'required' }]);
        await table.release(ctx.params.name!, holder);
        return { body: { kind: 'Status', apiVersion: 'v1', status: 'Success', code: 200 } };
      },
    },
  ];
}

function render(l: Lease) {
  return {
    name: l.name,
    holder: l.holder,
    durationMs: l.durationMs,
    acquireTime: new Date(l.acquireTime).toISOString(),
    renewTime: new Date(l.renewTime).toISOString(),
    ...(l.epoch !== undefined ? { epoch: l.epoch } : {}),
  };
}
