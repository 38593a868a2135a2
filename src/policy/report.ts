// Runtime re-evaluation: every stored object against every admission-stage policy, so a
// policy added later reports the objects that already violate it. Each object is converted
// to CEL values once and shared by all policies.
import type { ApiObject } from '../api/index.js';
import type { CompiledPolicy } from './compile.js';
import { prepare, type PreparedObject } from './evaluate.js';
import type { ComplianceReport, PolicyReport, Verdict } from './types.js';

/** Builds the compliance report of `policies` over `objects` (pure: reads, never writes). */
export function buildReport(
  policies: readonly CompiledPolicy[],
  objects: Iterable<ApiObject>,
  evaluate: (p: CompiledPolicy, o: PreparedObject) => Verdict[],
): ComplianceReport {
  const reports: PolicyReport[] = policies.map((p) => ({
    policy: p.name,
    enforcement: p.enforcement,
    stage: p.stage,
    matched: 0,
    pass: 0,
    fail: 0,
    warn: 0,
    audit: 0,
    errors: 0,
    violations: [],
  }));
  const violating = new Set<string>();
  let count = 0;
  for (const o of objects) {
    count++;
    let prepared: PreparedObject | undefined;
    for (let i = 0; i < policies.length; i++) {
      const p = policies[i]!;
      if (!p.matches(o)) continue;
      const r = reports[i]!;
      r.matched++;
      prepared ??= prepare(o)!;
      const verdicts = evaluate(p, prepared);
      if (verdicts.length === 0) {
        r.pass++;
        continue;
      }
      if (verdicts.some((v) => v.error)) r.errors++;
      if (p.enforcement === 'deny') {
        r.fail++;
        violating.add(prepared.key);
      } else if (p.enforcement === 'warn') r.warn++;
      else r.audit++;
      r.violations.push(...verdicts);
    }
  }
  return { evaluatedAt: new Date().toISOString(), objects: count, policies: reports, violatingObjects: [...violating].sort() };
}
