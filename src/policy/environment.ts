// The CEL environments: typed ones for checking (one per matched kind and stage, built once)
// and one dynamic one for evaluation. Checking against the kind's schema catches unknown
// fields and type errors at apply time; evaluation then runs on plain converted values,
// which is both faster and identical in meaning because the input matches the schema.
import { Environment } from '@marcbachmann/cel-js';
import { KINDS, kindInfo, type PolicySpec } from '../api/index.js';
import { celTypeOf, jsonSchemaOf, shapeOf, type CelSchema, type JsonSchema, type Shape, type TypeSink } from './cel-types.js';

export type Stage = PolicySpec['stage'];

/** Structural limits on every expression, below the library defaults: policies are small. */
export const EXPRESSION_LIMITS = {
  maxAstNodes: 2_000,
  maxDepth: 64,
  maxListElements: 1_000,
  maxMapEntries: 1_000,
  maxCallArguments: 16,
} as const;

/** Longest accepted expression source, in characters (Kubernetes allows 5 KiB per rule). */
export const MAX_EXPRESSION_LENGTH = 8_192;

const REQUEST_SCHEMA: CelSchema = { user: 'string', verb: 'string' };

// A kind-less policy sees only what every object has.
const GENERIC_OBJECT: JsonSchema = {
  type: 'object',
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: (jsonSchemaOf(KINDS[0]!.schema).properties ?? {}).metadata ?? {},
    spec: {},
    status: {},
  },
};

const schemas = new Map<string, JsonSchema>();
function schemaOfKind(kind: string | undefined): JsonSchema {
  const key = kind ?? '*';
  let s = schemas.get(key);
  if (!s) {
    const info = kind ? kindInfo(kind) : undefined;
    s = info ? jsonSchemaOf(info.schema) : GENERIC_OBJECT;
    schemas.set(key, s);
  }
  return s;
}

/** How to convert an object of this kind (undefined = any kind) into CEL values. */
const shapes = new Map<string, Shape>();
export function shapeOfKind(kind: string | undefined): Shape {
  const key = kind ?? '*';
  let s = shapes.get(key);
  if (!s) shapes.set(key, (s = shapeOf(schemaOfKind(kind))));
  return s;
}

function registerStruct(env: Environment, variable: string, schema: JsonSchema): void {
  const sink: TypeSink = { types: [] };
  const type = celTypeOf(schema, variable, sink);
  for (const t of sink.types) env.registerType({ name: t.name, schema: t.schema });
  if (typeof type === 'string') env.registerVariable(variable, type);
  else env.registerVariable({ name: variable, schema: type });
}

const checkEnvs = new Map<string, Environment>();

/**
 * The typed environment for checking rules of a policy matching `kind` at `stage`. It is
 * frozen by `clone()`; callers clone it once more to declare the policy's `params`.
 */
export function checkEnvironment(kind: string | undefined, stage: Stage): Environment {
  const key = `${kind ?? '*'}|${stage}`;
  let env = checkEnvs.get(key);
  if (!env) {
    env = new Environment({ limits: EXPRESSION_LIMITS });
    registerStruct(env, 'object', schemaOfKind(kind));
    // CEL cannot compare a struct with null, and oldObject is null on create: keep it dynamic.
    env.registerVariable('oldObject', 'dyn');
    env.registerVariable({ name: 'request', schema: REQUEST_SCHEMA });
    if (stage === 'placement') registerStruct(env, 'cluster', schemaOfKind('Cluster'));
    checkEnvs.set(key, env);
  }
  return env;
}

let evalEnv: Environment | undefined;

/** The environment every compiled program runs in: the same names, all dynamic. */
export function evaluationEnvironment(): Environment {
  evalEnv ??= new Environment({ limits: EXPRESSION_LIMITS })
    .registerVariable('object', 'dyn')
    .registerVariable('oldObject', 'dyn')
    .registerVariable('params', 'dyn')
    .registerVariable('request', 'dyn')
    .registerVariable('cluster', 'dyn');
  return evalEnv;
}
