// Static cost estimate of a CEL expression, after Kubernetes' CEL cost estimator: every node
// costs one unit, a comprehension costs its body times the largest size its range can have,
// string and list functions cost in proportion to their input. Inputs are bounded by
// INPUT_LIMITS (checked before each evaluation), so an accepted expression does bounded work.
import type { ASTNode } from '@marcbachmann/cel-js';
import { INPUT_LIMITS } from './cel-types.js';

/** Largest estimated cost of one expression: about a million list items visited, tens of milliseconds at worst. */
export const COST_LIMIT = 2_000_000;

/** Characters of string processing that cost one unit. */
const CHARS_PER_UNIT = 1_000;

const COMPREHENSIONS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);
const STRING_FUNCTIONS = new Set(['matches', 'contains', 'startsWith', 'endsWith', 'indexOf', 'lastIndexOf', 'substring', 'split', 'replace', 'lowerAscii', 'upperAscii', 'trim', 'join', 'charAt', 'string']);

export interface CostEstimate {
  cost: number;
  /** Where the most expensive comprehension starts, to point the user at it. */
  hotspot?: number;
}

interface Scope {
  /** Known maximum size of each comprehension variable's value (string length or item count). */
  vars: Map<string, number | undefined>;
  /** The policy's params, whose sizes are known exactly. */
  params: unknown;
}

/** Estimates the worst-case cost of `ast` given the policy's params. */
export function estimateCost(ast: ASTNode, params: unknown): CostEstimate {
  const state = { hot: 0, hotspot: undefined as number | undefined };
  const cost = costOf(ast, { vars: new Map(), params }, state);
  return { cost, hotspot: state.hotspot };
}

type State = { hot: number; hotspot: number | undefined };
type Node = ASTNode & { start: number };

function costOf(n: Node, scope: Scope, st: State): number {
  switch (n.op) {
    case 'value':
    case 'id':
      return 1;
    case '.':
    case '.?':
      return 1 + costOf(n.args[0] as Node, scope, st);
    case 'call': {
      const [name, args] = n.args as [string, Node[]];
      if (name === 'has') return 1 + (args[0] ? pathLength(args[0]) : 0);
      return 1 + sum(args, scope, st) + (STRING_FUNCTIONS.has(name) ? args.reduce((s, a) => s + Math.ceil(sizeOf(a, scope, 'chars') / CHARS_PER_UNIT), 0) : 0);
    }
    case 'rcall': {
      const [name, recv, args] = n.args as [string, Node, Node[]];
      const rc = costOf(recv, scope, st);
      if (COMPREHENSIONS.has(name) && args[0]?.op === 'id') {
        const range = sizeOf(recv, scope, 'items');
        const inner: Scope = { vars: new Map(scope.vars).set(args[0].args as string, elementSize(recv, scope)), params: scope.params };
        const body = sum(args.slice(1), inner, st) + 1;
        const c = rc + range * body;
        if (range * body > st.hot) {
          st.hot = range * body;
          st.hotspot = n.start;
        }
        return c;
      }
      const linear = STRING_FUNCTIONS.has(name) ? Math.ceil(sizeOf(recv, scope, 'chars') / CHARS_PER_UNIT) + args.reduce((s, a) => s + Math.ceil(sizeOf(a, scope, 'chars') / CHARS_PER_UNIT), 0) : 0;
      return 1 + rc + sum(args, scope, st) + linear;
    }
    case 'list':
      return 1 + sum(n.args as Node[], scope, st);
    case 'map':
      return 1 + (n.args as [Node, Node][]).reduce((s, [k, v]) => s + costOf(k, scope, st) + costOf(v, scope, st), 0);
    case '!_':
    case '-_':
      return 1 + costOf(n.args as Node, scope, st);
    case 'in': {
      const [l, r] = n.args as [Node, Node];
      return 1 + costOf(l, scope, st) + costOf(r, scope, st) + sizeOf(r, scope, 'items');
    }
    case '==':
    case '!=':
    case '+': {
      const [l, r] = n.args as [Node, Node];
      return 1 + costOf(l, scope, st) + costOf(r, scope, st) + Math.ceil((sizeOf(l, scope, 'chars') + sizeOf(r, scope, 'chars')) / CHARS_PER_UNIT);
    }
    default:
      return 1 + sum(Array.isArray(n.args) ? (n.args as Node[]).filter(isNode) : [], scope, st);
  }
}

function sum(nodes: Node[], scope: Scope, st: State): number {
  return nodes.reduce((s, a) => s + costOf(a, scope, st), 0);
}

function isNode(x: unknown): x is Node {
  return typeof x === 'object' && x !== null && 'op' in x;
}

function pathLength(n: Node): number {
  let len = 0;
  for (let cur: Node | undefined = n; cur && (cur.op === '.' || cur.op === '.?'); cur = cur.args[0] as Node) len++;
  return len;
}

/** Largest size (items or characters) the value of `n` can have. */
function sizeOf(n: Node, scope: Scope, kind: Kind): number {
  const known = staticParam(n, scope.params);
  if (known.found) return measure(known.value);
  switch (n.op) {
    case 'value':
      return typeof n.args === 'string' ? n.args.length : 1;
    case 'id':
      return scope.vars.get(n.args as string) ?? bound(kind);
    case 'list':
      return (n.args as Node[]).length;
    case 'map':
      return (n.args as unknown[]).length;
    case 'rcall': {
      const [name, recv] = n.args as [string, Node, Node[]];
      if (name === 'map' || name === 'filter') return sizeOf(recv, scope, 'items');
      return bound(kind);
    }
    case '+': {
      const [l, r] = n.args as [Node, Node];
      return sizeOf(l, scope, kind) + sizeOf(r, scope, kind);
    }
    case '?:': {
      const [, l, r] = n.args as [Node, Node, Node];
      return Math.max(sizeOf(l, scope, kind), sizeOf(r, scope, kind));
    }
    default:
      return bound(kind);
  }
}

function elementSize(recv: Node, scope: Scope): number | undefined {
  const known = staticParam(recv, scope.params);
  if (known.found && Array.isArray(known.value)) return known.value.reduce((m: number, v) => Math.max(m, measure(v)), 0);
  if (known.found && known.value && typeof known.value === 'object') return Object.keys(known.value).reduce((m, k) => Math.max(m, k.length), 0);
  return undefined;
}

type Kind = 'items' | 'chars';

function bound(kind: Kind): number {
  return kind === 'items' ? INPUT_LIMITS.maxItems : INPUT_LIMITS.maxStringLength;
}

function measure(v: unknown): number {
  if (typeof v === 'string') return v.length;
  if (Array.isArray(v)) return v.length;
  if (v && typeof v === 'object') return Object.keys(v).length;
  return 1;
}

// Values under `params` are known at compile time: `params.a.b` and `params.a["b"]` have one
// candidate value, `params.a[x]` any of `params.a`'s values. Sizes are then exact maxima.
function staticParam(n: Node, params: unknown): { found: boolean; value?: unknown } {
  const c = candidates(n, params);
  if (!c || c.length === 0) return { found: false };
  if (c.length === 1) return { found: true, value: c[0] };
  // Several candidates: stand in with the largest, which bounds size and element size alike.
  return { found: true, value: c.reduce((a, b) => (measure(b) > measure(a) ? b : a)) };
}

function candidates(n: Node, params: unknown): unknown[] | undefined {
  if (n.op === 'id') return n.args === 'params' ? [params] : undefined;
  if (n.op !== '.' && n.op !== '.?' && n.op !== '[]') return undefined;
  const base = candidates(n.args[0] as Node, params);
  if (!base) return undefined;
  const keyNode = n.op === '[]' ? (n.args[1] as Node) : undefined;
  const literal = keyNode ? (keyNode.op === 'value' ? keyNode.args : undefined) : n.args[1];
  const out: unknown[] = [];
  for (const b of base) {
    if (b === null || typeof b !== 'object') continue;
    if (literal === undefined) out.push(...Object.values(b));
    else {
      const k = typeof literal === 'bigint' ? Number(literal) : literal;
      const v = (b as Record<string, unknown>)[k as string];
      if (v !== undefined) out.push(v);
    }
  }
  return out;
}
