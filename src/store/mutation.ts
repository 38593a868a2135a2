// The meaning of each mutation verb, shared by every Store implementation: given the stored
// object (if any) it computes the next object, the outcome and the event, and writes nothing.
import { AlreadyExistsError, ConflictError, NotFoundError, ValidationError, objectKey, type ApiObject } from '../api/index.js';
import { canonicalJson } from '../audit/index.js';
import type { Mutation, MutationResult, ObjectRef, WatchEventType } from './store.js';

/** What one mutation will do, before a revision is assigned. */
export interface MutationPlan {
  ref: ObjectRef;
  outcome: MutationResult['outcome'];
  /** The event to record; absent for `unchanged`. */
  type?: WatchEventType;
  /** The stored object before the change. */
  before?: ApiObject;
  /** The object to store (without its new resourceVersion); for deletes its last state. */
  after?: ApiObject;
}

/** The object's identity; namespace `''` and absent are the same (cluster-scoped). */
export function refOf(m: Mutation): ObjectRef {
  if (m.verb === 'delete') return normRef(m.ref);
  const o = m.object as Partial<ApiObject> | undefined;
  if (!o || typeof o.kind !== 'string' || !o.kind || !o.metadata || typeof o.metadata.name !== 'string' || !o.metadata.name)
    throw new ValidationError(`${m.verb}: the object needs a kind and metadata.name`, [{ field: 'metadata.name', message: 'required' }]);
  return normRef({ kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name });
}

function normRef(r: ObjectRef): ObjectRef {
  return r.namespace ? { kind: r.kind, namespace: r.namespace, name: r.name } : { kind: r.kind, name: r.name };
}

/** `Kind/ns/name` of a ref, for messages and audit. */
export function refKey(r: ObjectRef): string {
  return objectKey({ kind: r.kind, metadata: { namespace: r.namespace, name: r.name } });
}

export interface PlanEnv {
  /** ISO time used for creationTimestamp. */
  now: string;
  newUid: () => string;
}

/**
 * Computes what `m` does to `stored`. Semantics (as in Kubernetes):
 * - create/update/upsert own spec, labels, annotations; `status` in their input is IGNORED and the
 *   stored status kept (the /status subresource owns it). To create an object with a status,
 *   put a `create` and an `updateStatus` of it in the same atomic apply.
 * - updateStatus replaces only status; generation does not move.
 * - uid and creationTimestamp are set on create and preserved; generation starts at 1 and grows
 *   by one whenever spec changes.
 * - A write whose result equals the stored object is `unchanged`: no revision, no audit entry.
 * - The expected resourceVersion (explicit, else the input's metadata.resourceVersion, except
 *   for create) must equal the stored one, else ConflictError.
 */
export function planMutation(m: Mutation, stored: ApiObject | undefined, env: PlanEnv): MutationPlan {
  const ref = refOf(m);
  const key = refKey(ref);
  if (m.verb !== 'delete') assertJson(m.object, key);
  const expected = m.expectedResourceVersion ?? (m.verb === 'create' || m.verb === 'delete' ? undefined : m.object.metadata.resourceVersion);
  if (!stored) {
    if (m.verb === 'update' || m.verb === 'updateStatus' || m.verb === 'delete') throw new NotFoundError(`${key} not found`);
    if (expected !== undefined)
      throw conflict(key, `expected resourceVersion ${expected} but the object does not exist (it was deleted): re-read it and apply again`);
  } else {
    if (m.verb === 'create') throw new AlreadyExistsError(`${key} already exists`);
    if (expected !== undefined && expected !== stored.metadata.resourceVersion)
      throw conflict(key, `the object has been modified: expected resourceVersion ${expected}, found ${stored.metadata.resourceVersion}: re-read it and apply again`);
  }
  if (m.verb === 'delete') return { ref, outcome: 'deleted', type: 'DELETED', before: stored, after: stored };
  if (!stored) return { ref, outcome: 'created', type: 'ADDED', after: created(m.object, ref, env) };

  const after = m.verb === 'updateStatus' ? withStatus(stored, m.object.status) : updated(stored, m.object, ref);
  if (sameIgnoringVersion(after, stored)) return { ref, outcome: 'unchanged', before: stored };
  return { ref, outcome: 'configured', type: 'MODIFIED', before: stored, after };
}

/** Returns a copy of `o` carrying `revision` as its resourceVersion. */
export function stampRevision(o: ApiObject, revision: number): ApiObject {
  return { ...o, metadata: { ...o.metadata, resourceVersion: String(revision) } };
}

/**
 * Rejects values JSON cannot store faithfully (NaN, Infinity — YAML's `.nan`/`.inf` — bigint,
 * functions): stored JSON and audited digest must describe the same object.
 */
export function assertJson(value: unknown, what: string): void {
  try {
    canonicalJson(value);
  } catch (err) {
    const message = (err as Error).message.replace(/^canonicalJson: value\.?/, '');
    throw new ValidationError(`${what}: ${message}`, [{ field: message.split(' ')[0] ?? '', message, object: what }]);
  }
}

function conflict(key: string, message: string): ConflictError {
  return new ConflictError(`${key}: ${message}`, [{ field: 'metadata.resourceVersion', message, object: key }]);
}

function created(input: ApiObject, ref: ObjectRef, env: PlanEnv): ApiObject {
  return build(input, ref, { uid: env.newUid(), creationTimestamp: env.now, generation: 1 }, undefined);
}

function updated(stored: ApiObject, input: ApiObject, ref: ObjectRef): ApiObject {
  const specChanged = canonicalJson(input.spec ?? null) !== canonicalJson(stored.spec ?? null);
  const generation = (stored.metadata.generation ?? 1) + (specChanged ? 1 : 0);
  return build(input, ref, { uid: stored.metadata.uid, creationTimestamp: stored.metadata.creationTimestamp, generation }, stored.status);
}

function withStatus(stored: ApiObject, status: unknown): ApiObject {
  const next: ApiObject = { ...stored, metadata: { ...stored.metadata } };
  if (status === undefined) delete next.status;
  else next.status = structuredClone(status);
  return next;
}

// Server-owned metadata comes from `server`, user-owned fields from `input`; anything else the
// input carried in metadata (deletionTimestamp, stale uid) is dropped.
function build(
  input: ApiObject,
  ref: ObjectRef,
  server: { uid?: string; creationTimestamp?: string; generation: number },
  status: unknown,
): ApiObject {
  const im = input.metadata;
  const metadata: ApiObject['metadata'] = { name: ref.name };
  if (ref.namespace) metadata.namespace = ref.namespace;
  if (server.uid) metadata.uid = server.uid;
  metadata.generation = server.generation;
  if (server.creationTimestamp) metadata.creationTimestamp = server.creationTimestamp;
  if (im.labels) metadata.labels = { ...im.labels };
  if (im.annotations) metadata.annotations = { ...im.annotations };
  const out: ApiObject = { apiVersion: input.apiVersion, kind: ref.kind, metadata };
  if (input.spec !== undefined) out.spec = structuredClone(input.spec);
  if (status !== undefined) out.status = structuredClone(status);
  return out;
}

function sameIgnoringVersion(a: ApiObject, b: ApiObject): boolean {
  const strip = (o: ApiObject) => ({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } });
  return canonicalJson(strip(a)) === canonicalJson(strip(b));
}
