// Reading facts off a parsed CEL expression: which field a rule is about (for verdicts), and
// whether its regular expressions are safe to run on a backtracking engine.
import type { ASTNode } from '@marcbachmann/cel-js';

type Node = ASTNode & { start: number };

function isNode(x: unknown): x is Node {
  return typeof x === 'object' && x !== null && 'op' in x && 'args' in x;
}

/** Visits every node in source order; `visit` returns false to skip a node's children. */
export function walk(n: Node, visit: (n: Node) => boolean | void): void {
  if (visit(n) !== false) children(n.args, visit);
}

// Operands are nodes, arrays of nodes (call arguments) or arrays of pairs (map entries).
function children(x: unknown, visit: (n: Node) => boolean | void): void {
  if (isNode(x)) walk(x, visit);
  else if (Array.isArray(x)) for (const c of x) children(c, visit);
}

/** `object.spec.image` → `['spec', 'image']`; undefined when `n` is not a path under `root`. */
export function pathUnder(n: Node, root: string): string[] | undefined {
  const segs: string[] = [];
  let cur: Node = n;
  while (cur.op === '.' || cur.op === '.?' || (cur.op === '[]' && isNode(cur.args[1]) && (cur.args[1] as Node).op === 'value')) {
    const key = cur.op === '[]' ? (cur.args[1] as Node).args : cur.args[1];
    segs.unshift(typeof key === 'bigint' || typeof key === 'number' ? `[${String(key)}]` : String(key));
    cur = cur.args[0] as Node;
  }
  return cur.op === 'id' && cur.args === root && segs.length > 0 ? segs : undefined;
}

/**
 * The field a rule is about: the first `object.…` path in the expression, which by
 * convention is the rule's subject, refined by a later path that extends it
 * (`has(object.spec.x) && object.spec.x.y` → `spec.x.y`).
 */
export function subjectField(ast: ASTNode): string | undefined {
  const paths: string[][] = [];
  walk(ast as Node, (n) => {
    const p = pathUnder(n, 'object');
    if (!p) return true;
    paths.push(p);
    return false;
  });
  const first = paths[0];
  if (!first) return undefined;
  let best = first;
  for (const p of paths) if (p.length > best.length && first.every((s, i) => p[i] === s)) best = p;
  return best.reduce((acc, s) => (s.startsWith('[') ? acc + s : acc ? `${acc}.${s}` : s), '');
}

// A group that contains a quantifier and is itself quantified: (a+)+, (a|aa)*, (\w+\s?)*.
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*(?:[+*]|\{\d+,?\d*\})(?:[^()\\]|\\.)*\)\s*(?:[+*]|\{\d+,?\d*\})/;
const BACKREFERENCE = /\\[1-9]/;

/** Why `pattern` is unsafe for `matches()`, or undefined when it is fine. */
export function unsafePattern(pattern: string): string | undefined {
  try {
    new RegExp(pattern, 'u');
  } catch (e) {
    return `invalid regular expression: ${(e as Error).message}`;
  }
  if (NESTED_QUANTIFIER.test(pattern)) return 'nested quantifiers such as (a+)+ can take exponential time; rewrite without repeating a repeated group';
  if (BACKREFERENCE.test(pattern)) return 'backreferences are not supported (CEL regular expressions are RE2)';
  return undefined;
}

/** Every `matches()` call whose pattern is not a safe string literal, with its position. */
export function regexProblems(ast: ASTNode): { start: number; message: string }[] {
  const out: { start: number; message: string }[] = [];
  walk(ast as Node, (n) => {
    let pattern: Node | undefined;
    if (n.op === 'rcall' && n.args[0] === 'matches') pattern = (n.args[2] as Node[])[0];
    else if (n.op === 'call' && n.args[0] === 'matches') pattern = (n.args[1] as Node[])[1];
    else return true;
    if (!pattern) return true;
    if (pattern.op !== 'value' || typeof pattern.args !== 'string') {
      out.push({ start: pattern.start, message: 'the pattern of matches() must be a string literal, so it can be checked when the policy is applied' });
      return true;
    }
    const why = unsafePattern(pattern.args);
    if (why) out.push({ start: pattern.start, message: `unsafe pattern "${pattern.args}": ${why}` });
    return true;
  });
  return out;
}

/** 1-based line and column of `offset` in `source`. */
export function lineColumn(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let column = 1;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source[i] === '\n') {
      line++;
      column = 1;
    } else column++;
  }
  return { line, column };
}
