// Computes the JSON merge patch (RFC 7386) that turns one JSON value into another, so the
// agent sends only what changed in its Cluster status instead of the whole replica report.

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * The merge patch from `from` to `to`, or `undefined` when they are equal. Removed members
 * become `null`; arrays (and values that are not objects) are replaced whole.
 * Values must be JSON: `null` cannot be expressed as a member value in a merge patch.
 * @example createMergePatch({ a: 1, b: { c: 2 } }, { b: { c: 3 } }) // { a: null, b: { c: 3 } }
 */
export function createMergePatch(from: unknown, to: unknown): unknown {
  if (!isObject(from) || !isObject(to)) return JSON.stringify(from) === JSON.stringify(to) ? undefined : to;
  const patch: Record<string, unknown> = {};
  let changed = false;
  for (const k of Object.keys(from)) {
    if (!(k in to) || to[k] === undefined) {
      patch[k] = null;
      changed = true;
    }
  }
  for (const [k, v] of Object.entries(to)) {
    if (v === undefined) continue;
    const d = k in from ? createMergePatch(from[k], v) : v;
    if (d !== undefined) {
      patch[k] = d;
      changed = true;
    }
  }
  return changed ? patch : undefined;
}
