// Atomic multi-object endpoints: apply, plan and delete. The CLI sends every document of
// `apply -f` in one request so that one bad document rejects all of them, with the file,
// document index and field of every problem — and nothing is written, not even audit.
import {
  API_VERSION,
  BadRequestError,
  DEFAULT_NAMESPACE,
  KINDS,
  MAX_DOCUMENT_BYTES,
  MAX_STATUS_CAUSES,
  TrustStramError,
  ValidationError,
  kindInfo,
  objectKey,
  resolveKind,
  validateObject,
  type ApiObject,
  type Cause,
} from '../api/index.js';
import type { Mutation, MutationResult, ObjectRef } from '../store/store.js';
import { runAdmission, type AdmissionRequest } from './admission.js';
import type { ServerDeps } from './deps.js';
import { diffObjects, userOwned, type FieldChange } from './diff.js';
import { parseDryRun } from './query.js';
import type { RequestContext, View } from './router.js';

export interface SourceLocation {
  file?: string;
  document?: number;
}

/** The body of apply and plan. `sources[i]` says where `items[i]` came from. */
export interface ApplyRequest {
  items: unknown[];
  dryRun?: boolean;
  sources?: SourceLocation[];
  /** Namespace for namespaced objects that name none. Default `default`. */
  namespace?: string;
  /** kubectl `--prune -l`: existing objects matching this selector but absent from `items` are deleted. */
  prune?: { labelSelector: string };
}

interface Planned {
  objects: ApiObject[];
  locations: SourceLocation[];
  old: (ApiObject | undefined)[];
  prune: ApiObject[];
  warnings: string[];
}

/** `/api/v1alpha1/apply`, `/plan`, `/delete`. */
export function applyViews(deps: ServerDeps): View[] {
  return [
    { method: 'POST', path: '/api/v1alpha1/apply', name: 'apply', handler: async (ctx) => ({ body: await apply(ctx, deps) }) },
    { method: 'POST', path: '/api/v1alpha1/plan', name: 'plan', handler: async (ctx) => ({ body: await plan(ctx, deps) }) },
    { method: 'POST', path: '/api/v1alpha1/delete', name: 'delete', handler: async (ctx) => ({ body: await deleteMany(ctx, deps) }) },
  ];
}

async function apply(ctx: RequestContext, deps: ServerDeps) {
  const body = await readEnvelope(ctx);
  const dryRun = body.dryRun === true || parseDryRun(ctx.url.searchParams);
  const p = await prepare(ctx, deps, body, dryRun);
  const mutations: Mutation[] = [...p.objects.map((object) => ({ verb: 'upsert' as const, object })), ...p.prune.map((o) => ({ verb: 'delete' as const, ref: refOf(o) }))];
  const r = await locateErrors(p, () => ctx.store.apply(mutations, { actor: ctx.actor, reason: 'apply', dryRun }));
  ctx.warnings.push(...p.warnings);
  return {
    apiVersion: API_VERSION,
    kind: 'ApplyResult',
    dryRun,
    resourceVersion: r.resourceVersion,
    results: r.results.map((m, i) => ({ ...describe(m), ...p.locations[i] })),
    warnings: p.warnings,
  };
}

async function plan(ctx: RequestContext, deps: ServerDeps) {
  const body = await readEnvelope(ctx);
  const p = await prepare(ctx, deps, body, true);
  const mutations: Mutation[] = [...p.objects.map((object) => ({ verb: 'upsert' as const, object })), ...p.prune.map((o) => ({ verb: 'delete' as const, ref: refOf(o) }))];
  // The store computes the outcome in a rolled-back transaction, so plan and apply agree exactly.
  const r = await locateErrors(p, () => ctx.store.apply(mutations, { actor: ctx.actor, reason: 'plan', dryRun: true }));
  ctx.warnings.push(...p.warnings);
  const items = r.results.map((m, i) => {
    const before = i < p.objects.length ? p.old[i] : m.object;
    const action = m.outcome === 'created' ? 'create' : m.outcome === 'configured' ? 'update' : m.outcome === 'deleted' ? 'delete' : 'unchanged';
    const changes: FieldChange[] = action === 'delete' ? [] : diffObjects(userOwned(before), userOwned(m.object));
    return { kind: m.ref.kind, ...(m.ref.namespace ? { namespace: m.ref.namespace } : {}), name: m.ref.name, action, changes, ...p.locations[i] };
  });
  const count = (a: string) => items.filter((x) => x.action === a).length;
  return {
    apiVersion: API_VERSION,
    kind: 'Plan',
    resourceVersion: await ctx.store.revision(),
    summary: { create: count('create'), update: count('update'), delete: count('delete'), unchanged: count('unchanged') },
    items,
    warnings: p.warnings,
  };
}

async function deleteMany(ctx: RequestContext, deps: ServerDeps) {
  const raw = await ctx.readJson();
  const body = asRecord(raw.value, 'request body');
  const entries = body.refs ?? body.items;
  if (!Array.isArray(entries) || entries.length === 0) throw new BadRequestError('body needs "refs": a non-empty array of {kind, namespace?, name}');
  const sources = readSources(body.sources, entries.length);
  const dryRun = body.dryRun === true || parseDryRun(ctx.url.searchParams);
  const causes: Cause[] = [];
  const refs: ObjectRef[] = [];
  entries.forEach((e, i) => {
    const loc = sources[i] ?? { document: i };
    const r = refFromEntry(e);
    if ('message' in r) causes.push({ ...loc, ...r });
    else refs.push(r);
  });
  if (causes.length) throw invalid(causes);
  const olds = await Promise.all(refs.map((r) => ctx.store.get(r)));
  const present = refs.filter((_, i) => olds[i] !== undefined || body.ignoreNotFound !== true);
  const requests: AdmissionRequest[] = olds.flatMap((old, i) => (old ? [{ operation: 'DELETE' as const, oldObject: old, actor: ctx.actor, dryRun, batch: [], location: sources[i] ?? { document: i }, store: ctx.store }] : []));
  ctx.warnings.push(...(await runAdmission(deps.options.admission, requests)));
  const r = present.length ? await ctx.store.apply(present.map((ref) => ({ verb: 'delete' as const, ref })), { actor: ctx.actor, reason: 'delete', dryRun }) : { results: [], resourceVersion: await ctx.store.revision() };
  return { apiVersion: API_VERSION, kind: 'DeleteResult', dryRun, resourceVersion: r.resourceVersion, results: r.results.map(describe) };
}

/** Validates every item (all causes at once), rejects duplicates, reads old state, admits. */
async function prepare(ctx: RequestContext, deps: ServerDeps, body: ApplyRequest, dryRun: boolean): Promise<Planned> {
  const ns = body.namespace ?? DEFAULT_NAMESPACE;
  const causes: Cause[] = [];
  const objects: ApiObject[] = [];
  const locations: SourceLocation[] = [];
  const seen = new Map<string, SourceLocation>();
  let skipped = 0;
  body.items.forEach((item, i) => {
    // Past the most a Status lists, only count: validating a million bad items says nothing more.
    if (causes.length >= MAX_STATUS_CAUSES) return void skipped++;
    const loc = body.sources?.[i] ?? { document: i };
    // The same per-document limit the CLI applies to files, for clients that are not the CLI.
    if (Buffer.byteLength(JSON.stringify(item) ?? '') > MAX_DOCUMENT_BYTES)
      return void causes.push({ ...loc, field: '', message: `document is larger than 1 MiB (${MAX_DOCUMENT_BYTES} bytes)` });
    const r = validateObject(item, loc, ns);
    if (!r.ok) return void causes.push(...r.causes);
    const key = objectKey(r.object);
    const prev = seen.get(key);
    if (prev) return void causes.push({ ...loc, object: key, field: 'metadata.name', message: `duplicate object: ${key} is also defined in ${where(prev)}` });
    seen.set(key, loc);
    objects.push(r.object as ApiObject);
    locations.push(loc);
  });
  if (skipped) causes.splice(MAX_STATUS_CAUSES - 1, Infinity, { field: '', message: `further items not validated after ${MAX_STATUS_CAUSES - 1} errors (${skipped} skipped)` });
  if (causes.length) throw invalid(causes);
  const old = await Promise.all(objects.map((o) => ctx.store.get(refOf(o))));
  const prune = body.prune ? await pruneSet(ctx, body.prune.labelSelector, new Set(seen.keys())) : [];
  const requests: AdmissionRequest[] = [
    ...objects.map((object, i) => ({ operation: old[i] ? ('UPDATE' as const) : ('CREATE' as const), object, ...(old[i] ? { oldObject: old[i] } : {}), actor: ctx.actor, dryRun, batch: objects, location: locations[i]!, store: ctx.store })),
    ...prune.map((oldObject) => ({ operation: 'DELETE' as const, oldObject, actor: ctx.actor, dryRun, batch: objects, store: ctx.store })),
  ];
  const warnings = await runAdmission(deps.options.admission, requests);
  return { objects, locations, old, prune, warnings };
}

async function pruneSet(ctx: RequestContext, labelSelector: string, keep: Set<string>): Promise<ApiObject[]> {
  const out: ApiObject[] = [];
  // Controller-owned kinds are never pruned: users do not own them.
  for (const k of KINDS.filter((x) => !x.controllerOwned)) {
    const r = await ctx.store.list(k.kind, { labelSelector });
    out.push(...r.items.filter((o) => !keep.has(objectKey(o))));
  }
  return out;
}

// Store errors (a resourceVersion conflict) name the object; add the file and document it came from.
async function locateErrors<T>(p: Planned, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    if (!(err instanceof TrustStramError)) throw err;
    const byKey = new Map(p.objects.map((o, i) => [objectKey(o), p.locations[i]!]));
    for (const c of err.causes) {
      const loc = c.object ? byKey.get(c.object) : undefined;
      if (loc) Object.assign(c, { ...loc, ...c });
    }
    if (!err.causes.length && p.objects.length === 1) err.causes.push({ ...p.locations[0], object: objectKey(p.objects[0]!), field: 'metadata.resourceVersion', message: err.message });
    throw err;
  }
}

async function readEnvelope(ctx: RequestContext): Promise<ApplyRequest> {
  const { value } = await ctx.readJson();
  const b = asRecord(value, 'request body');
  if (!Array.isArray(b.items)) throw new BadRequestError('body needs "items": an array of objects to apply', [{ field: 'items', message: 'required: an array of objects' }]);
  if (b.items.length === 0) throw new BadRequestError('nothing to apply: "items" is empty', [{ field: 'items', message: 'must not be empty' }]);
  if (b.dryRun !== undefined && typeof b.dryRun !== 'boolean') throw new BadRequestError('"dryRun" must be a boolean', [{ field: 'dryRun', message: 'must be a boolean' }]);
  if (b.namespace !== undefined && (typeof b.namespace !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(b.namespace)))
    throw new BadRequestError('"namespace" must be a DNS-1123 label', [{ field: 'namespace', message: 'must be a DNS-1123 label' }]);
  let prune: ApplyRequest['prune'];
  if (b.prune !== undefined) {
    const sel = asRecord(b.prune, 'prune').labelSelector;
    if (typeof sel !== 'string' || !sel.trim()) throw new BadRequestError('"prune.labelSelector" is required: pruning everything is never implied', [{ field: 'prune.labelSelector', message: 'required' }]);
    prune = { labelSelector: sel };
  }
  return { items: b.items, sources: readSources(b.sources, b.items.length), ...(b.dryRun !== undefined ? { dryRun: b.dryRun } : {}), ...(b.namespace !== undefined ? { namespace: b.namespace as string } : {}), ...(prune ? { prune } : {}) };
}

function readSources(v: unknown, n: number): SourceLocation[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.length !== n) throw new BadRequestError(`"sources" must be an array with one {file, document} per item (${n})`, [{ field: 'sources', message: `must have ${n} entries` }]);
  // Sources end up in every error and result: a wrong shape is the client's bug, said at once.
  const bad = (field: string, message: string) => new BadRequestError(`"${field}" ${message}`, [{ field, message }]);
  return v.map((s, i) => {
    if (s === null || typeof s !== 'object' || Array.isArray(s)) throw bad(`sources[${i}]`, 'must be an object {file, document}');
    const r = s as Record<string, unknown>;
    const loc: SourceLocation = {};
    if (r.file !== undefined) {
      if (typeof r.file !== 'string' || r.file.length > 4096) throw bad(`sources[${i}].file`, 'must be a string (a file name, at most 4096 characters)');
      loc.file = r.file;
    }
    if (r.document !== undefined) {
      if (!Number.isSafeInteger(r.document) || (r.document as number) < 0) throw bad(`sources[${i}].document`, 'must be a whole number from 0 (the document index in its file)');
      loc.document = r.document as number;
    }
    return loc;
  });
}

function refFromEntry(e: unknown): ObjectRef | { field: string; message: string } {
  const bad = (field: string, message: string) => ({ field, message });
  if (!e || typeof e !== 'object') return bad('', 'must be an object with kind and name');
  const o = e as { kind?: unknown; name?: unknown; namespace?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
  const info = typeof o.kind === 'string' ? (kindInfo(o.kind) ?? resolveKind(o.kind)) : undefined;
  if (!info) return bad('kind', `unknown kind "${String(o.kind)}": expected one of ${KINDS.map((k) => k.kind).join(', ')}`);
  const name = o.name ?? o.metadata?.name;
  if (typeof name !== 'string' || !name) return bad('name', 'required');
  const namespace = o.namespace ?? o.metadata?.namespace;
  if (namespace !== undefined && typeof namespace !== 'string') return bad('namespace', 'must be a string');
  if (!info.namespaced) return namespace ? bad('namespace', `${info.kind} is cluster-scoped`) : { kind: info.kind, name };
  return { kind: info.kind, name, namespace: namespace ?? DEFAULT_NAMESPACE };
}

function describe(m: MutationResult) {
  return { kind: m.ref.kind, ...(m.ref.namespace ? { namespace: m.ref.namespace } : {}), name: m.ref.name, outcome: m.outcome, resourceVersion: m.object.metadata.resourceVersion, object: m.object };
}

function refOf(o: ApiObject): ObjectRef {
  return { kind: o.kind, name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) };
}

function asRecord(v: unknown, what: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new BadRequestError(`${what} must be a JSON object`);
  return v as Record<string, unknown>;
}

function where(l: SourceLocation): string {
  return [l.file, l.document !== undefined ? `document ${l.document}` : undefined].filter(Boolean).join(' ') || 'the same request';
}

function invalid(causes: Cause[]): ValidationError {
  const c = causes[0]!;
  const at = [c.file, c.document !== undefined ? `document ${c.document}` : undefined, c.field].filter(Boolean).join(': ');
  return new ValidationError(`${causes.length > 1 ? `${causes.length} errors, first: ` : ''}${at ? `${at}: ` : ''}${c.message}`, causes);
}
