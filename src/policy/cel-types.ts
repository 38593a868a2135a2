// Bridges our resource schemas to CEL: derives CEL type declarations from the zod kinds (as
// Kubernetes derives them from OpenAPI) and converts stored values into CEL values once.
import { z } from 'zod';

/** A JSON Schema fragment as produced by `z.toJSONSchema` (only the parts we read). */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  const?: unknown;
  enum?: unknown[];
}

/**
 * How to turn a JSON value into a CEL value: CEL integers are BigInt, doubles stay numbers.
 * Built once per schema, applied per object.
 */
export type Shape =
  | { k: 'int' }
  | { k: 'keep' }
  | { k: 'object'; fields: Record<string, Shape> }
  | { k: 'list'; item: Shape }
  | { k: 'map'; value: Shape };

/** A CEL schema declaration for `registerVariable({schema})` / `registerType({schema})`. */
export type CelSchema = { [field: string]: string | CelSchema };

/** Collects the struct types that list and map items need registered before the variable. */
export interface TypeSink {
  types: { name: string; schema: CelSchema }[];
}

/** Input bounds assumed by the static cost estimate and enforced before every evaluation. */
export const INPUT_LIMITS = {
  /** Most items in any one list or map of an evaluated object. */
  maxItems: 1024,
  /** Longest string in an evaluated object. */
  maxStringLength: 65_536,
} as const;

/** JSON Schema of a zod schema as it looks after parsing (defaults applied). */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as JsonSchema;
}

const PRIMITIVE: Record<string, string> = { string: 'string', boolean: 'bool', integer: 'int', number: 'double', null: 'null_type' };

/**
 * Maps a JSON Schema to a CEL type: a type name string (`int`, `list<string>`, `dyn`) or a
 * nested schema object for structs. `name` makes registered item types unique.
 */
export function celTypeOf(s: JsonSchema, name: string, sink: TypeSink): string | CelSchema {
  if (s.anyOf || s.oneOf) return 'dyn';
  const t = Array.isArray(s.type) ? (s.type.length === 1 ? s.type[0] : undefined) : s.type;
  if (t === undefined) return 'dyn';
  if (t in PRIMITIVE) return PRIMITIVE[t]!;
  if (t === 'array') return `list<${refOf(s.items ?? {}, `${name}_item`, sink)}>`;
  if (t !== 'object') return 'dyn';
  if (s.properties && Object.keys(s.properties).length > 0) {
    const out: CelSchema = {};
    for (const [k, v] of Object.entries(s.properties)) out[k] = celTypeOf(v, `${name}_${k}`, sink);
    return out;
  }
  if (typeof s.additionalProperties === 'object') return `map<string, ${refOf(s.additionalProperties, `${name}_value`, sink)}>`;
  return 'map<string, dyn>';
}

// Inside list<…> and map<…> a struct must be a registered type name.
function refOf(s: JsonSchema, name: string, sink: TypeSink): string {
  const t = celTypeOf(s, name, sink);
  if (typeof t === 'string') return t;
  sink.types.push({ name, schema: t });
  return name;
}

/** The conversion plan matching `celTypeOf`: which numbers become CEL ints. */
export function shapeOf(s: JsonSchema): Shape {
  if (s.anyOf || s.oneOf) return { k: 'keep' };
  const t = Array.isArray(s.type) ? (s.type.length === 1 ? s.type[0] : undefined) : s.type;
  if (t === 'integer') return { k: 'int' };
  if (t === 'array') return { k: 'list', item: shapeOf(s.items ?? {}) };
  if (t === 'object') {
    if (s.properties && Object.keys(s.properties).length > 0) {
      const fields: Record<string, Shape> = {};
      for (const [k, v] of Object.entries(s.properties)) fields[k] = shapeOf(v);
      return { k: 'object', fields };
    }
    if (typeof s.additionalProperties === 'object') return { k: 'map', value: shapeOf(s.additionalProperties) };
  }
  return { k: 'keep' };
}

/** Thrown when an input exceeds INPUT_LIMITS: the cost estimate would no longer hold. */
export class InputTooLargeError extends Error {
  /** Field path segments, filled in on the way out (only errors pay for paths). */
  readonly path: (string | number)[] = [];
  constructor(readonly problem: string) {
    super(problem);
  }
}

/**
 * Converts a JSON value to a CEL value along `shape`, checking INPUT_LIMITS on the way.
 * Values without a shape (dyn) keep JSON semantics: every number is a CEL double.
 * @throws {InputTooLargeError} naming the offending field (`root` is its prefix)
 */
export function toCel(v: unknown, shape: Shape, root = ''): unknown {
  try {
    return conv(v, shape);
  } catch (e) {
    if (!(e instanceof InputTooLargeError)) throw e;
    let path = root;
    for (const seg of e.path) path = typeof seg === 'number' ? `${path}[${seg}]` : path ? `${path}.${seg}` : seg;
    e.message = `${path || 'value'} ${e.problem}`;
    throw e;
  }
}

// The hot path of every evaluation: plain loops, no per-field strings or closures.
function conv(v: unknown, shape: Shape): unknown {
  if (typeof v !== 'object' || v === null) {
    if (typeof v === 'string') {
      if (v.length > INPUT_LIMITS.maxStringLength) throw new InputTooLargeError(`is longer than ${INPUT_LIMITS.maxStringLength} characters`);
    } else if (typeof v === 'number' && shape.k === 'int' && Number.isInteger(v)) return BigInt(v);
    return v;
  }
  if (Array.isArray(v)) {
    const n = v.length;
    if (n > INPUT_LIMITS.maxItems) throw new InputTooLargeError(`has more than ${INPUT_LIMITS.maxItems} items`);
    const item = shape.k === 'list' ? shape.item : KEEP;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      try {
        out[i] = conv(v[i], item);
      } catch (e) {
        if (e instanceof InputTooLargeError) e.path.unshift(i);
        throw e;
      }
    }
    return out;
  }
  const src = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  let count = 0;
  for (const k in src) {
    if (++count > INPUT_LIMITS.maxItems) throw new InputTooLargeError(`has more than ${INPUT_LIMITS.maxItems} entries`);
    const sub = shape.k === 'object' ? (shape.fields[k] ?? KEEP) : shape.k === 'map' ? shape.value : KEEP;
    try {
      out[k] = conv(src[k], sub);
    } catch (e) {
      if (e instanceof InputTooLargeError) e.path.unshift(k);
      throw e;
    }
  }
  return out;
}

const KEEP: Shape = { k: 'keep' };

/**
 * Infers a CEL type for a policy's `params` from its value, so `params.typo` and type errors
 * are caught at compile time. The top level is a struct; nested objects whose values share
 * one type become maps (so `params.registries[residency]` and `x in params.registries` work).
 */
export function inferParams(value: unknown): { type: string | CelSchema; shape: Shape } {
  if (value === undefined || value === null) return { type: 'map<string, dyn>', shape: KEEP };
  if (typeof value !== 'object' || Array.isArray(value)) return infer(value);
  const fields: CelSchema = {};
  const shapes: Record<string, Shape> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const r = infer(v);
    fields[k] = r.type;
    shapes[k] = r.shape;
  }
  if (Object.keys(fields).length === 0) return { type: 'map<string, dyn>', shape: KEEP };
  return { type: fields, shape: { k: 'object', fields: shapes } };
}

function infer(v: unknown): { type: string; shape: Shape } {
  if (typeof v === 'string') return { type: 'string', shape: KEEP };
  if (typeof v === 'boolean') return { type: 'bool', shape: KEEP };
  if (typeof v === 'number') return Number.isInteger(v) ? { type: 'int', shape: { k: 'int' } } : { type: 'double', shape: KEEP };
  if (Array.isArray(v)) {
    const items = v.map((x) => infer(x));
    const item = unify(items.map((i) => i.type));
    return { type: `list<${item}>`, shape: { k: 'list', item: item === 'int' ? { k: 'int' } : KEEP } };
  }
  if (v && typeof v === 'object') {
    const vals = Object.values(v).map((x) => infer(x));
    const val = unify(vals.map((i) => i.type));
    const valShape = vals.length > 0 && val !== 'dyn' && val !== 'double' ? vals[0]!.shape : KEEP;
    return { type: `map<string, ${val}>`, shape: { k: 'map', value: valShape } };
  }
  return { type: 'dyn', shape: KEEP };
}

function unify(types: string[]): string {
  if (types.length === 0) return 'dyn';
  const first = types[0]!;
  if (types.every((t) => t === first)) return first;
  if (types.every((t) => t === 'int' || t === 'double')) return 'double';
  return 'dyn';
}
