// Admission's first step: schema validation and defaulting, once, at the boundary. Inside,
// code takes these typed, defaulted objects and trusts them.
import type { z } from 'zod';
import { ValidationError, type Cause } from './errors.js';
import { API_VERSION, DEFAULT_NAMESPACE, KINDS, kindInfo, objectKey, type AnyObject, type Cluster } from './kinds/index.js';
import type { RawDocument } from './load.js';
import { lookupRegion } from './regions.js';

export interface Location {
  file?: string;
  document?: number;
}

/** Result of validating one value: the typed object or its causes. */
export type Validated = { ok: true; object: AnyObject } | { ok: false; causes: Cause[] };

/**
 * Validates and defaults one object. `defaultNamespace` fills `metadata.namespace` for
 * namespaced kinds; cluster-scoped kinds must not carry one.
 */
export function validateObject(value: unknown, loc: Location = {}, defaultNamespace = DEFAULT_NAMESPACE): Validated {
  const at = (field: string, message: string, object?: string): Cause => ({ ...loc, field, message, ...(object ? { object } : {}) });
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return { ok: false, causes: [at('', `expected an object with apiVersion, kind, metadata and spec, got ${Array.isArray(value) ? 'an array' : typeof value}`)] };
  const v = value as Record<string, unknown>;
  if (v.apiVersion !== API_VERSION)
    return { ok: false, causes: [at('apiVersion', v.apiVersion === undefined ? `required: must be "${API_VERSION}"` : `unknown apiVersion "${String(v.apiVersion)}": must be "${API_VERSION}"`)] };
  const info = typeof v.kind === 'string' ? kindInfo(v.kind) : undefined;
  if (!info)
    return { ok: false, causes: [at('kind', v.kind === undefined ? 'required' : `unknown kind "${String(v.kind)}": expected one of ${KINDS.map((k) => k.kind).join(', ')}`)] };

  const meta = (v.metadata && typeof v.metadata === 'object' ? { ...(v.metadata as object) } : v.metadata) as Record<string, unknown> | undefined;
  const name = typeof meta?.name === 'string' ? meta.name : undefined;
  const label = name ? `${info.kind}/${name}` : undefined;
  if (meta && typeof meta === 'object') {
    if (info.namespaced) meta.namespace ??= defaultNamespace;
    else if (meta.namespace !== undefined)
      return { ok: false, causes: [at('metadata.namespace', `${info.kind} is cluster-scoped and must not have a namespace`, label)] };
  }
  const parsed = (info.schema as z.ZodType).safeParse({ ...v, metadata: meta });
  if (!parsed.success) {
    return { ok: false, causes: parsed.error.issues.map((i) => at(issuePath(i), issueMessage(i), label)) };
  }
  const obj = parsed.data as AnyObject;
  if (info.namespaced && obj.metadata.namespace && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(obj.metadata.namespace))
    return { ok: false, causes: [at('metadata.namespace', 'must be a DNS-1123 label', label)] };
  if (obj.kind === 'Cluster') {
    const c = resolveResidency(obj, loc);
    if (c) return { ok: false, causes: [c] };
  }
  return { ok: true, object: obj };
}

// Residency comes from the region catalog; an unknown region must declare it. An explicit
// residency that contradicts the catalog is rejected: it would silently move a boundary.
function resolveResidency(c: Cluster, loc: Location): Cause | undefined {
  const region = lookupRegion(c.spec.provider, c.spec.region);
  const object = objectKey(c);
  if (!region) {
    if (c.spec.provider !== 'onprem' && !c.spec.residency)
      return { ...loc, object, field: 'spec.region', message: `unknown ${c.spec.provider} region "${c.spec.region}": declare spec.residency explicitly (run "truststram get regions" for known regions)` };
    if (!c.spec.residency) return { ...loc, object, field: 'spec.residency', message: 'required for onprem clusters: the jurisdiction the cluster is in (eu, us, uk, ...)' };
    return undefined;
  }
  if (c.spec.residency && c.spec.residency !== region.jurisdiction)
    return { ...loc, object, field: 'spec.residency', message: `"${c.spec.residency}" contradicts the region catalog: ${c.spec.provider} ${c.spec.region} is in jurisdiction "${region.jurisdiction}"` };
  c.spec.residency = region.jurisdiction;
  return undefined;
}

function issuePath(i: z.core.$ZodIssue): string {
  let p = formatPath(i.path);
  if (i.code === 'unrecognized_keys') p = (p ? p + '.' : '') + i.keys.join(',');
  return p;
}

function issueMessage(i: z.core.$ZodIssue): string {
  if (i.code === 'unrecognized_keys') return `unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')}`;
  if (i.code === 'invalid_type' && i.message.includes('received undefined')) return 'required';
  return i.message;
}

/** `['spec','ports',0,'port']` → `spec.ports[0].port` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += (out ? '.' : '') + String(seg);
  }
  return out;
}

/**
 * Validates a whole apply: every document, then duplicates across documents. Throws one
 * ValidationError carrying every cause; returns the typed objects when all are valid.
 */
export function validateDocuments(docs: RawDocument[], defaultNamespace = DEFAULT_NAMESPACE): AnyObject[] {
  const causes: Cause[] = [];
  const objects: AnyObject[] = [];
  const seen = new Map<string, RawDocument>();
  for (const d of docs) {
    const r = validateObject(d.value, { file: d.file, document: d.index }, defaultNamespace);
    if (!r.ok) {
      causes.push(...r.causes);
      continue;
    }
    const key = objectKey(r.object);
    const prev = seen.get(key);
    if (prev) {
      causes.push({ file: d.file, document: d.index, object: key, field: 'metadata.name', message: `duplicate object: ${key} is also defined in ${prev.file} document ${prev.index}` });
      continue;
    }
    seen.set(key, d);
    objects.push(r.object);
  }
  if (causes.length) {
    const first = causes[0]!;
    const where = [first.file, first.document !== undefined ? `document ${first.document}` : '', first.field].filter(Boolean).join(': ');
    throw new ValidationError(`${causes.length === 1 ? '' : `${causes.length} errors, first: `}${where}: ${first.message}`, causes);
  }
  return objects;
}

