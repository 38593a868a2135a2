// Read-only views of the audit chain: the log (paged by seq), verification and a JSON Lines
// export that streams the whole chain with its hashes in bounded pages.
import { once } from 'node:events';
import { API_VERSION } from '../api/index.js';
import type { AuditQuery } from '../store/store.js';
import { badParam, parseIntParam } from './query.js';
import type { View } from './router.js';

const MAX_LIMIT = 10_000;
const EXPORT_PAGE = 1000;

/** `GET /api/v1alpha1/audit`, `/audit/verify`, `/audit/export`. */
export function auditViews(): View[] {
  return [
    {
      method: 'GET',
      path: '/api/v1alpha1/audit',
      name: 'audit',
      handler: async (ctx) => ({ body: { apiVersion: API_VERSION, kind: 'AuditEntryList', items: await ctx.store.auditLog(parseAuditQuery(ctx.url.searchParams)) } }),
    },
    { method: 'GET', path: '/api/v1alpha1/audit/verify', name: 'audit-verify', handler: async (ctx) => ({ body: { apiVersion: API_VERSION, kind: 'AuditVerifyResult', ...(await ctx.store.verifyAudit()) } }) },
    {
      method: 'GET',
      path: '/api/v1alpha1/audit/export',
      name: 'audit-export',
      handler: async (ctx) => {
        const q = parseAuditQuery(ctx.url.searchParams);
        const { res } = ctx;
        res.writeHead(200, { 'Content-Type': 'application/jsonl; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Disposition': 'attachment; filename="truststram-audit.jsonl"' });
        let afterSeq = q.afterSeq ?? 0;
        let left = q.limit ?? Infinity;
        while (left > 0 && !ctx.signal.aborted) {
          const page = await ctx.store.auditLog({ ...q, afterSeq, limit: Math.min(EXPORT_PAGE, left) });
          for (const e of page) if (!res.write(`${JSON.stringify(e)}\n`)) await Promise.race([once(res, 'drain'), once(ctx.signal, 'abort')]);
          if (page.length < EXPORT_PAGE) break;
          afterSeq = page.at(-1)!.seq;
          left -= page.length;
        }
        res.end();
        return undefined;
      },
    },
  ];
}

/** `since` (ISO time), `afterSeq`, `limit`, and `kind`/`namespace`/`name` filters. */
export function parseAuditQuery(q: URLSearchParams): AuditQuery {
  const out: AuditQuery = {};
  const since = q.get('since');
  if (since) {
    if (!/^\d{4}-\d{2}-\d{2}/.test(since) || Number.isNaN(Date.parse(since))) throw badParam('since', `"${since}" is not an ISO-8601 time such as 2026-01-31T12:00:00Z`);
    out.since = new Date(since).toISOString();
  }
  const afterSeq = parseIntParam(q, 'afterSeq', 0, Number.MAX_SAFE_INTEGER);
  if (afterSeq !== undefined) out.afterSeq = afterSeq;
  const limit = parseIntParam(q, 'limit', 1, MAX_LIMIT);
  if (limit !== undefined) out.limit = limit;
  const ref: NonNullable<AuditQuery['ref']> = {};
  for (const k of ['kind', 'namespace', 'name'] as const) {
    const v = q.get(k);
    if (v) ref[k] = v;
  }
  if (Object.keys(ref).length) out.ref = ref;
  return out;
}
