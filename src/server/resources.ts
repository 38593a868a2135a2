// The Kubernetes-style REST endpoints of every kind: get, list, watch, create, update, merge
// patch, delete and the /status subresource. Bodies are validated against the URL and the
// schema, admitted, then written as one store mutation.
import {
  API_VERSION,
  BadRequestError,
  ConflictError,
  DEFAULT_NAMESPACE,
  MAX_DOCUMENT_BYTES,
  MethodNotAllowedError,
  PayloadTooLargeError,
  NotFoundError,
  ValidationError,
  validateObject,
  type ApiObject,
  type Cause,
} from '../api/index.js';
import type { Mutation, ObjectRef } from '../store/store.js';
import { runAdmission, type AdmissionOperation } from './admission.js';
import type { ServerDeps } from './deps.js';
import { parseDeleteOptions, type DeleteOptions } from './delete-options.js';
import { JSON_TYPE, MERGE_PATCH_TYPE } from './http.js';
import { mergePatch } from './merge-patch.js';
import { allowedMethods, API_PREFIX, parseResourcePath, resourceSegments, type ResourcePath } from './paths.js';
import { pageOf, parseListPaging } from './list-pages.js';
import { parseDryRun, parseFieldSelector, parseLabelSelectorParam, parseResourceVersion, parseWatch } from './query.js';
import type { Handler, RequestContext, View } from './router.js';
import { serveWatch } from './watch.js';

/** Patches are re-read and retried this often when another writer got in between. */
const PATCH_ATTEMPTS = 5;

/** The resource routes: one wildcard per method under the API prefix. */
export function resourceViews(deps: ServerDeps): View[] {
  const handler: Handler = (ctx) => handleResource(ctx, deps);
  return (['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const).map((method) => ({ method, path: `${API_PREFIX}/*`, name: 'resources', handler }));
}

async function handleResource(ctx: RequestContext, deps: ServerDeps) {
  const segments = resourceSegments(ctx.url.pathname);
  const p = segments && parseResourcePath(segments);
  if (!p) throw new NotFoundError(`the server could not find the requested resource: ${ctx.url.pathname}`);
  const allow = allowedMethods(p);
  if (!allow.includes(ctx.method)) throw new MethodNotAllowedError(`${ctx.method} is not supported on ${ctx.url.pathname}: use ${allow.join(', ')}`, allow);
  ctx.metric.resource = p.info.plural + (p.subresource ? '/status' : '');
  const q = ctx.url.searchParams;
  switch (ctx.method) {
    case 'GET':
      if (p.name !== undefined) {
        ctx.metric.verb = 'get';
        return { body: await mustGet(ctx, refOf(p)) };
      }
      if (parseWatch(q)) {
        ctx.metric.verb = 'watch';
        await serveWatch(ctx, deps, p);
        return undefined;
      }
      ctx.metric.verb = 'list';
      return { body: await list(ctx, p) };
    case 'POST':
      ctx.metric.verb = 'create';
      return { status: 201, body: await create(ctx, deps, p) };
    case 'PUT':
      ctx.metric.verb = 'update';
      return { body: await update(ctx, deps, p) };
    case 'PATCH':
      ctx.metric.verb = 'patch';
      return { body: await patch(ctx, deps, p) };
    case 'DELETE':
      ctx.metric.verb = 'delete';
      return { body: await remove(ctx, deps, p) };
  }
}

async function list(ctx: RequestContext, p: ResourcePath) {
  const q = ctx.url.searchParams;
  const labelSelector = parseLabelSelectorParam(q);
  const fields = parseFieldSelector(q);
  // Any revision the caller has seen is "not older than" the current one: validated, then served current.
  parseResourceVersion(q);
  const identity = JSON.stringify([p.info.plural, p.namespace ?? '', labelSelector ?? '', q.get('fieldSelector') ?? '']);
  const paging = parseListPaging(q, identity);
  const namespace = p.namespace ?? fields.namespace;
  const r = await ctx.store.list(p.info.kind, { ...(namespace !== undefined ? { namespace } : {}), ...(labelSelector ? { labelSelector } : {}) });
  const matching = r.items.filter((o) => (fields.name === undefined || o.metadata.name === fields.name) && (fields.namespace === undefined || o.metadata.namespace === fields.namespace));
  const page = pageOf(matching, paging, identity);
  const metadata = { resourceVersion: r.resourceVersion, ...(page.continue ? { continue: page.continue, remainingItemCount: page.remainingItemCount } : {}) };
  return { apiVersion: API_VERSION, kind: `${p.info.kind}List`, metadata, items: page.items };
}

async function create(ctx: RequestContext, deps: ServerDeps, p: ResourcePath) {
  const { value } = await ctx.readJson();
  const obj = validateForPath(value, p);
  if (obj.metadata.resourceVersion !== undefined)
    throw new BadRequestError('metadata.resourceVersion must not be set when creating an object', [{ field: 'metadata.resourceVersion', message: 'must not be set on create' }]);
  return write(ctx, deps, 'CREATE', { verb: 'create', object: obj }, obj);
}

async function update(ctx: RequestContext, deps: ServerDeps, p: ResourcePath) {
  const { value } = await ctx.readJson();
  let obj = validateForPath(value, p);
  const old = await mustGet(ctx, refOf(p));
  const rv = obj.metadata.resourceVersion;
  // A status write takes only `status` from the body: validate the stored object with the new
  // status, so a controller is never refused for a stale spec it did not mean to send.
  if (p.subresource) obj = validateForPath({ ...old, status: obj.status, metadata: { ...old.metadata, ...(rv !== undefined ? { resourceVersion: rv } : {}) } }, p);
  const verb = p.subresource ? 'updateStatus' : 'update';
  return write(ctx, deps, 'UPDATE', { verb, object: obj, ...(rv !== undefined ? { expectedResourceVersion: rv } : {}) }, obj, old, p.subresource);
}

async function patch(ctx: RequestContext, deps: ServerDeps, p: ResourcePath) {
  const { value: body } = await ctx.readJson({ contentTypes: [MERGE_PATCH_TYPE, JSON_TYPE] });
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new BadRequestError('a merge patch must be a JSON object');
  const pinned = resourceVersionOf(body);
  for (let attempt = 1; ; attempt++) {
    const old = await mustGet(ctx, refOf(p));
    const obj = validateForPath(mergePatch(old, body), p);
    // Without a pinned version the patch applies to what was just read; a concurrent writer
    // makes the store refuse it, and we re-read and re-apply, as the Kubernetes API server does.
    const expectedResourceVersion = pinned ?? old.metadata.resourceVersion;
    const verb = p.subresource ? 'updateStatus' : 'update';
    try {
      return await write(ctx, deps, 'UPDATE', { verb, object: obj, ...(expectedResourceVersion !== undefined ? { expectedResourceVersion } : {}) }, obj, old, p.subresource);
    } catch (err) {
      if (!(err instanceof ConflictError) || pinned !== undefined || attempt >= PATCH_ATTEMPTS) throw err;
    }
  }
}

async function remove(ctx: RequestContext, deps: ServerDeps, p: ResourcePath) {
  // kubectl sends DeleteOptions: preconditions and dryRun are honoured, the rest is type-checked.
  const opts: DeleteOptions = hasBody(ctx) ? parseDeleteOptions((await ctx.readJson()).value) : { dryRun: false };
  const ref = refOf(p);
  const old = await mustGet(ctx, ref);
  if (opts.uid !== undefined && old.metadata.uid !== opts.uid)
    throw new ConflictError(`precondition failed: uid ${opts.uid} does not match ${ref.kind} "${ref.name}" (uid ${old.metadata.uid ?? 'none'})`, [{ field: 'preconditions.uid', message: 'does not match the object' }]);
  const dryRun = parseDryRun(ctx.url.searchParams) || opts.dryRun;
  await admit(ctx, deps, 'DELETE', undefined, old, undefined, dryRun);
  const expected = opts.resourceVersion;
  const r = await ctx.store.apply([{ verb: 'delete', ref, ...(expected !== undefined ? { expectedResourceVersion: expected } : {}) }], { actor: ctx.actor, reason: `DELETE ${ctx.url.pathname}`, dryRun });
  return r.results[0]?.object ?? old;
}

async function write(ctx: RequestContext, deps: ServerDeps, op: AdmissionOperation, m: Mutation, obj: ApiObject, old?: ApiObject, subresource?: 'status') {
  const dryRun = parseDryRun(ctx.url.searchParams);
  await admit(ctx, deps, op, obj, old, subresource, dryRun);
  const r = await ctx.store.apply([m], { actor: ctx.actor, reason: `${ctx.method} ${ctx.url.pathname}`, dryRun });
  return r.results[0]?.object ?? obj;
}

async function admit(ctx: RequestContext, deps: ServerDeps, operation: AdmissionOperation, object: ApiObject | undefined, oldObject: ApiObject | undefined, subresource: 'status' | undefined, dryRun: boolean) {
  if (!deps.options.admission.length) return;
  const warnings = await runAdmission(deps.options.admission, [
    { operation, ...(object ? { object } : {}), ...(oldObject ? { oldObject } : {}), ...(subresource ? { subresource } : {}), actor: ctx.actor, dryRun, batch: object ? [object] : [], store: ctx.store },
  ]);
  ctx.warnings.push(...warnings);
}

/**
 * Checks a body against the address it was sent to (kind, namespace, name must agree: 400),
 * fills what the URL implies, then validates the schema (422 with field causes).
 */
export function validateForPath(value: unknown, p: ResourcePath): ApiObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new BadRequestError('request body must be a JSON object');
  if (Buffer.byteLength(JSON.stringify(value)) > MAX_DOCUMENT_BYTES) throw new PayloadTooLargeError(`the object is larger than 1 MiB (${MAX_DOCUMENT_BYTES} bytes)`);
  const body = { ...(value as Record<string, unknown>) };
  const mismatch = (field: string, message: string) => new BadRequestError(`${field}: ${message}`, [{ field, message }]);
  if (typeof body.kind === 'string' && body.kind !== p.info.kind) throw mismatch('kind', `"${body.kind}" does not match the resource in the URL (${p.info.plural} hold ${p.info.kind})`);
  const meta = body.metadata;
  if (meta !== null && typeof meta === 'object' && !Array.isArray(meta)) {
    const m = { ...(meta as Record<string, unknown>) };
    if (p.name !== undefined) {
      if (m.name === undefined) m.name = p.name;
      else if (m.name !== p.name) throw mismatch('metadata.name', `"${String(m.name)}" does not match the name in the URL ("${p.name}")`);
    }
    if (p.namespace !== undefined) {
      if (m.namespace === undefined) m.namespace = p.namespace;
      else if (m.namespace !== p.namespace) throw mismatch('metadata.namespace', `"${String(m.namespace)}" does not match the namespace in the URL ("${p.namespace}")`);
    }
    body.metadata = m;
  }
  const r = validateObject(body, {}, p.namespace ?? DEFAULT_NAMESPACE);
  if (!r.ok) throw invalid(r.causes);
  return r.object as ApiObject;
}

function invalid(causes: Cause[]): ValidationError {
  const first = causes[0]!;
  return new ValidationError(`${first.object ? `${first.object}: ` : ''}${first.field ? `${first.field}: ` : ''}${first.message}`, causes);
}

async function mustGet(ctx: RequestContext, ref: ObjectRef): Promise<ApiObject> {
  const o = await ctx.store.get(ref);
  if (!o) throw new NotFoundError(`${ref.kind} "${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}" not found`);
  return o;
}

function refOf(p: ResourcePath): ObjectRef {
  return { kind: p.info.kind, name: p.name!, ...(p.namespace !== undefined ? { namespace: p.namespace } : {}) };
}

function resourceVersionOf(patch: object): string | undefined {
  const rv = (patch as { metadata?: { resourceVersion?: unknown } }).metadata?.resourceVersion;
  return typeof rv === 'string' ? rv : undefined;
}

function hasBody(ctx: RequestContext): boolean {
  const len = ctx.req.headers['content-length'];
  return (len !== undefined && len !== '0') || ctx.req.headers['transfer-encoding'] !== undefined;
}
