// Field-level diff between a stored object and what an apply would make of it: the body of
// `plan`, so a user sees which fields change before anything is written.

export interface FieldChange {
  /** `spec.replicas`, `metadata.labels.team`, `spec.ports[1]`. */
  path: string;
  op: 'add' | 'remove' | 'replace';
  before?: unknown;
  after?: unknown;
}

/** The user-owned part of an object: what `plan` compares (status and server fields excluded). */
export function userOwned(o: { metadata?: { labels?: unknown; annotations?: unknown }; spec?: unknown } | undefined): Record<string, unknown> {
  if (!o) return {};
  const metadata: Record<string, unknown> = {};
  if (o.metadata?.labels !== undefined) metadata.labels = o.metadata.labels;
  if (o.metadata?.annotations !== undefined) metadata.annotations = o.metadata.annotations;
  return { metadata, spec: o.spec };
}

/** Lists every leaf that differs, depth first, in key order of `after` then removed keys. */
export function diffObjects(before: unknown, after: unknown, path = ''): FieldChange[] {
  if (deepEqual(before, after)) return [];
  if (isObject(before) && isObject(after)) {
    const out: FieldChange[] = [];
    for (const k of Object.keys(after)) {
      const p = path ? `${path}.${k}` : k;
      if (!(k in before) || before[k] === undefined) {
        if (after[k] !== undefined) out.push({ path: p, op: 'add', after: after[k] });
      } else out.push(...diffObjects(before[k], after[k], p));
    }
    for (const k of Object.keys(before))
      if ((!(k in after) || after[k] === undefined) && before[k] !== undefined) out.push({ path: path ? `${path}.${k}` : k, op: 'remove', before: before[k] });
    return out;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const out: FieldChange[] = [];
    for (let i = 0; i < Math.max(before.length, after.length); i++) {
      const p = `${path}[${i}]`;
      if (i >= before.length) out.push({ path: p, op: 'add', after: after[i] });
      else if (i >= after.length) out.push({ path: p, op: 'remove', before: before[i] });
      else out.push(...diffObjects(before[i], after[i], p));
    }
    return out;
  }
  return [{ path, op: 'replace', before, after }];
}

/** Structural equality of JSON values (key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
