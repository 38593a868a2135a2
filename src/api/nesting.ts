// Bound on how deeply arrays and objects may nest in one input. Code that walks documents
// (JSON.stringify, schema checks, merge patch, diff) recurses, so an unbounded depth turns a
// 30 KB body into a stack overflow; the check itself is iterative and cannot overflow.

/**
 * Deepest nesting accepted in a request body or manifest. The deepest example object needs 5
 * levels (7 inside an apply envelope), and Kubernetes objects never need dozens; 100 leaves room
 * for controller-written status while staying far below the ~3000 levels where recursion fails.
 */
export const MAX_NESTING_DEPTH = 100;

/**
 * True when `value` nests arrays/objects more than `limit` levels deep (`{"a":1}` is 1 level).
 * Walks with an explicit stack and stops at the first level past the limit.
 * @example nestingExceeds({ a: [{}] }, 2) // true: 3 levels
 */
export function nestingExceeds(value: unknown, limit = MAX_NESTING_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * Scans JSON text (not parsed yet) and tells whether brackets nest deeper than `limit`, so a
 * hostile body is refused before a parser or a walker sees it. Brackets inside strings do not count.
 */
export function jsonTextNestingExceeds(text: string, limit = MAX_NESTING_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}
