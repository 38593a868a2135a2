// HTTP views of compliance: the report (`GET /api/v1alpha1/compliance`) and the policy verdicts
// of objects not yet applied (`POST /api/v1alpha1/compliance/verdicts`), which `plan` and
// `apply --dry-run` print. Both read; neither writes, not even to the audit chain.
import { API_VERSION, BadRequestError, DEFAULT_NAMESPACE, objectKey, validateObject, ValidationError, type ApiObject, type Cause } from '../api/index.js';
import type { PolicyEngine, Verdict } from '../policy/index.js';
import type { View } from '../server/index.js';
import { buildComplianceReport } from './report.js';
import type { RouteBuilder } from './residency.js';

export interface ComplianceViewOptions {
  engine: PolicyEngine;
  routes?: RouteBuilder;
}

/** The verdicts of one object, as `plan` shows them. */
export interface ObjectVerdicts {
  object: string;
  file?: string;
  document?: number;
  allowed: boolean;
  denials: Verdict[];
  warnings: Verdict[];
  audits: Verdict[];
}

/**
 * The compliance views, for `startControlPlane({ views })` or `startServer({ views })`.
 * @example startServer({ store, views: complianceViews({ engine }) })
 */
export function complianceViews(o: ComplianceViewOptions): View[] {
  return [
    {
      method: 'GET',
      path: '/api/v1alpha1/compliance',
      name: 'compliance',
      handler: async (ctx) => {
        const since = ctx.url.searchParams.get('since') ?? undefined;
        if (since !== undefined && (!/^\d{4}-\d{2}-\d{2}/.test(since) || Number.isNaN(Date.parse(since))))
          throw new BadRequestError(`"since" must be an ISO-8601 time, not "${since}"`, [{ field: 'since', message: 'not an ISO-8601 time' }]);
        return { body: await buildComplianceReport(ctx.store, o.engine, { ...(since ? { since: new Date(since).toISOString() } : {}), ...(o.routes ? { routes: o.routes } : {}) }) };
      },
    },
    {
      method: 'POST',
      path: '/api/v1alpha1/compliance/verdicts',
      name: 'compliance-verdicts',
      handler: async (ctx) => {
        const { value } = await ctx.readJson();
        const body = (value ?? {}) as { items?: unknown; sources?: { file?: string; document?: number }[]; namespace?: string };
        if (!Array.isArray(body.items)) throw new BadRequestError('body needs "items": an array of objects', [{ field: 'items', message: 'required' }]);
        const ns = typeof body.namespace === 'string' ? body.namespace : DEFAULT_NAMESPACE;
        const causes: Cause[] = [];
        const objects: { object: ApiObject; loc: { file?: string; document?: number } }[] = [];
        body.items.forEach((item, i) => {
          const loc = body.sources?.[i] ?? { document: i };
          const r = validateObject(item, loc, ns);
          if (r.ok) objects.push({ object: r.object as ApiObject, loc });
          else causes.push(...r.causes);
        });
        if (causes.length) throw new ValidationError(`${causes.length} invalid document(s)`, causes);
        const items: ObjectVerdicts[] = [];
        for (const { object, loc } of objects) {
          const old = await ctx.store.get({ kind: object.kind, name: object.metadata.name, ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}) });
          const d = o.engine.admit({ object, oldObject: old ?? null, user: ctx.actor, verb: old ? 'update' : 'create' });
          items.push({ object: objectKey(object), ...loc, allowed: d.allowed, denials: d.denials, warnings: d.warnings, audits: d.audits });
        }
        const policies = o.engine.policies().filter((p) => p.spec.stage !== 'placement').length;
        return { body: { apiVersion: API_VERSION, kind: 'PolicyVerdicts', policies, items } };
      },
    },
  ];
}
