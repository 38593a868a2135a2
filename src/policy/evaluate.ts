// Running a compiled policy on one prepared input. Every failure becomes a Verdict; a rule
// that cannot be evaluated (runtime error, non-boolean, oversized input) becomes an error
// verdict, which fails closed for deny and is reported for warn and audit.
import { objectKey, type ApiObject } from '../api/index.js';
import { InputTooLargeError, toCel } from './cel-types.js';
import type { CompiledPolicy, CompiledRule } from './compile.js';
import { shapeOfKind } from './environment.js';
import type { Verdict } from './types.js';

/** An object converted to CEL values once, shared by every policy that judges it. */
export interface PreparedObject {
  key: string;
  value: unknown;
  /** Set when the object exceeds the evaluation bounds; every rule then errors. */
  tooLarge?: string;
}

/** Converts an object for evaluation (ints → CEL int), checking the input bounds. */
export function prepare(o: ApiObject | null | undefined): PreparedObject | undefined {
  if (!o) return undefined;
  const key = objectKey(o);
  try {
    return { key, value: toCel(o, shapeOfKind(o.kind)) };
  } catch (e) {
    if (e instanceof InputTooLargeError) return { key, value: null, tooLarge: e.message };
    throw e;
  }
}

export interface EvalInput {
  object: PreparedObject;
  oldObject?: PreparedObject;
  request: { user: string; verb: string };
  cluster?: PreparedObject & { name: string };
}

/** Evaluates every rule of `p` and returns the failing ones (empty = the policy passes). */
export function evaluatePolicy(p: CompiledPolicy, input: EvalInput): Verdict[] {
  const out: Verdict[] = [];
  const tooLarge = input.object.tooLarge ?? input.oldObject?.tooLarge ?? input.cluster?.tooLarge;
  const vars = {
    object: input.object.value,
    oldObject: input.oldObject?.value ?? null,
    params: p.params,
    request: input.request,
    cluster: input.cluster?.value ?? null,
  };
  for (const r of p.rules) {
    if (tooLarge) {
      out.push(verdict(p, input, r, `error evaluating rule "${r.name}": input exceeds the evaluation bounds: ${tooLarge}`, true));
      continue;
    }
    let result: unknown;
    try {
      result = r.program(vars);
    } catch (e) {
      out.push(verdict(p, input, r, `error evaluating rule "${r.name}": ${summary(e)}`, true));
      continue;
    }
    if (result === true) continue;
    out.push(result === false ? verdict(p, input, r, messageOf(r, vars)) : verdict(p, input, r, `error evaluating rule "${r.name}": expression returned ${typeof result}, not bool`, true));
  }
  return out;
}

// Verdicts are built only for failures: passing is the hot path and allocates nothing here.
function verdict(p: CompiledPolicy, input: EvalInput, r: CompiledRule, message: string, error?: true): Verdict {
  return {
    policy: p.name,
    rule: r.name,
    enforcement: p.enforcement,
    message,
    ...(r.field ? { field: r.field } : {}),
    object: input.object.key,
    ...(input.cluster ? { cluster: input.cluster.name } : {}),
    ...(error ? { error } : {}),
  };
}

// A messageExpression that fails or yields nothing falls back to the static message, as in
// Kubernetes: the verdict itself must never be lost to a broken message.
function messageOf(r: CompiledRule, vars: Record<string, unknown>): string {
  if (!r.messageProgram) return r.message;
  try {
    const m: unknown = r.messageProgram(vars);
    return typeof m === 'string' && m.trim() ? m : r.message;
  } catch {
    return r.message;
  }
}

function summary(e: unknown): string {
  if (e && typeof e === 'object' && 'summary' in e && typeof e.summary === 'string') return e.summary;
  return e instanceof Error ? e.message : String(e);
}
