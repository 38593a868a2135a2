// Compiling a Policy once, when it is applied: every expression parsed, type-checked against
// the matched kinds' schemas, proven boolean (messages: string), costed and regex-checked.
// Anything wrong is a ValidationError naming `spec.rules[i].expression` and line/column.
import type { Environment, ParseResult } from '@marcbachmann/cel-js';
import { compileSelector, kindInfo, KINDS, ValidationError, type ApiObject, type Cause, type Policy } from '../api/index.js';
import { lineColumn, regexProblems, subjectField } from './ast.js';
import { InputTooLargeError, inferParams, toCel } from './cel-types.js';
import { COST_LIMIT, estimateCost } from './cost.js';
import { checkEnvironment, evaluationEnvironment, MAX_EXPRESSION_LENGTH, type Stage } from './environment.js';
import type { CompiledPolicySummary, Enforcement } from './types.js';

export interface CompiledRule {
  name: string;
  program: ParseResult;
  message: string;
  messageProgram?: ParseResult;
  field?: string;
  cost: number;
}

export interface CompiledPolicy {
  name: string;
  resourceVersion?: string;
  stage: Stage;
  enforcement: Enforcement;
  /** The kinds the policy matches; undefined = every kind. */
  kinds?: ReadonlySet<string>;
  /** Params converted to CEL values once. */
  params: unknown;
  rules: CompiledRule[];
  matches(o: ApiObject): boolean;
  summary: CompiledPolicySummary;
}

const VARIABLES: Record<Stage, string> = {
  admission: 'object, oldObject, params, request',
  placement: 'object, oldObject, params, request, cluster',
};

/**
 * Compiles a policy or throws a ValidationError carrying every problem found.
 * @example compilePolicy(policy).rules[0].program({ object, oldObject: null, params, request })
 */
export function compilePolicy(policy: Policy): CompiledPolicy {
  const spec = policy.spec;
  const causes: Cause[] = [];
  const cause = (field: string, message: string) => causes.push({ field, message, object: `Policy/${policy.metadata.name}` });

  const kinds = spec.match.kinds;
  kinds?.forEach((k, i) => {
    if (!kindInfo(k)) cause(`spec.match.kinds[${i}]`, `unknown kind "${k}": expected one of ${KINDS.map((x) => x.kind).join(', ')}`);
  });
  if (spec.stage === 'placement' && kinds && kinds.some((k) => k !== 'Workload'))
    cause('spec.match.kinds', 'placement-stage policies judge workloads: match.kinds may only list Workload');

  const inferred = inferParams(spec.params);
  let params: unknown = null;
  try {
    params = toCel(spec.params ?? null, inferred.shape, 'spec.params');
  } catch (e) {
    if (!(e instanceof InputTooLargeError)) throw e;
    cause('spec.params', e.message);
  }
  if (causes.length) throw invalid(policy, causes);

  // Placement policies always judge a Workload; admission policies each kind they match.
  const checkKinds: (string | undefined)[] = spec.stage === 'placement' ? ['Workload'] : kinds?.length ? [...new Set(kinds)] : [undefined];
  const envs = checkKinds.map((k) => ({ kind: k, env: checkEnvironment(k, spec.stage).clone().registerVariable(paramsDecl(inferred.type)) }));

  const rules: CompiledRule[] = [];
  spec.rules.forEach((r, i) => {
    const name = r.name ?? `rule-${i}`;
    const expr = compileExpression(r.expression, 'bool', `spec.rules[${i}].expression`, envs, spec.stage, params, cause);
    const msg = r.messageExpression !== undefined ? compileExpression(r.messageExpression, 'string', `spec.rules[${i}].messageExpression`, envs, spec.stage, params, cause) : undefined;
    if (expr) rules.push({ name, program: expr.program, message: r.message, messageProgram: msg?.program, field: subjectField(expr.program.ast), cost: expr.cost });
  });
  const names = spec.rules.map((r) => r.name).filter((n): n is string => n !== undefined);
  names.forEach((n, i) => {
    if (names.indexOf(n) !== i) cause('spec.rules', `duplicate rule name "${n}"`);
  });
  if (causes.length) throw invalid(policy, causes);

  const kindSet = kinds?.length ? new Set(kinds) : undefined;
  const namespaces = spec.match.namespaces?.length ? new Set(spec.match.namespaces) : undefined;
  const selector = compileSelector(spec.match.labelSelector);
  return {
    name: policy.metadata.name,
    resourceVersion: policy.metadata.resourceVersion,
    stage: spec.stage,
    enforcement: spec.enforcement,
    kinds: kindSet,
    params,
    rules,
    // A namespace list restricts the policy to namespaced objects in those namespaces.
    matches: (o) => (!kindSet || kindSet.has(o.kind)) && (!namespaces || (o.metadata.namespace !== undefined && namespaces.has(o.metadata.namespace))) && selector(o.metadata.labels),
    summary: {
      name: policy.metadata.name,
      resourceVersion: policy.metadata.resourceVersion,
      stage: spec.stage,
      enforcement: spec.enforcement,
      rules: rules.map((r) => ({ name: r.name, cost: r.cost, ...(r.field ? { field: r.field } : {}) })),
    },
  };
}

function paramsDecl(type: ReturnType<typeof inferParams>['type']) {
  return typeof type === 'string' ? { name: 'params', type } : { name: 'params', schema: type };
}

function compileExpression(
  source: string,
  want: 'bool' | 'string',
  field: string,
  envs: { kind: string | undefined; env: Environment }[],
  stage: Stage,
  params: unknown,
  cause: (field: string, message: string) => void,
): { program: ParseResult; cost: number } | undefined {
  if (source.length > MAX_EXPRESSION_LENGTH) return void cause(field, `expression is ${source.length} characters long; the limit is ${MAX_EXPRESSION_LENGTH}`);
  for (const { kind, env } of envs) {
    const r = env.check(source);
    const forKind = envs.length > 1 && kind ? ` (when matching ${kind})` : '';
    if (!r.valid) {
      const err = r.error!;
      const at = lineColumn(source, err.range?.start ?? 0);
      const what = err.name === 'ParseError' ? 'syntax error' : 'type error';
      const hint = err.code === 'unknown_variable' ? `; the variables are ${VARIABLES[stage]}` : '';
      return void cause(field, `line ${at.line}, column ${at.column}: ${what}: ${err.summary}${hint}${forKind}`);
    }
    if (r.type !== want && r.type !== 'dyn') return void cause(field, `must evaluate to ${want}, but evaluates to ${r.type}${forKind}`);
  }
  const program = evaluationEnvironment().parse(source);
  const checked = program.check();
  if (!checked.valid) return void cause(field, `type error: ${checked.error?.summary ?? 'invalid expression'}`);
  for (const p of regexProblems(program.ast)) {
    const at = lineColumn(source, p.start);
    cause(field, `line ${at.line}, column ${at.column}: ${p.message}`);
  }
  const est = estimateCost(program.ast, params);
  if (est.cost > COST_LIMIT) {
    const at = lineColumn(source, est.hotspot ?? 0);
    return void cause(
      field,
      `estimated cost ${Math.round(est.cost).toLocaleString('en-US')} exceeds the limit of ${COST_LIMIT.toLocaleString('en-US')} (line ${at.line}, column ${at.column}): ` +
        'a comprehension over an unbounded list nested inside another, or heavy string work per item; iterate params (bounded) or use `in` instead of a nested loop',
    );
  }
  return { program, cost: est.cost };
}

function invalid(policy: Policy, causes: Cause[]): ValidationError {
  const first = causes[0]!;
  const more = causes.length > 1 ? ` (and ${causes.length - 1} more)` : '';
  return new ValidationError(`Policy/${policy.metadata.name}: ${first.field}: ${first.message}${more}`, causes);
}
