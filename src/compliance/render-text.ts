// The terminal rendering of a compliance report: one kubectl-style table per section, and a
// verdict line per section so the answer reads without scrolling through the tables.
import type { ComplianceReportDoc } from './types.js';

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('   ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** `12.3 s`, `850 ms`, `-` when absent. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '-';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Renders the report as plain text tables (no colour: it is also written to files). */
export function renderReportText(r: ComplianceReportDoc): string {
  const out: string[] = [];
  const s = r.summary;
  out.push(`Compliance report at revision ${r.resourceVersion}, ${r.generatedAt}`);
  out.push(
    `Policies: ${s.policies} (${s.pass} pass, ${s.fail} fail, ${s.warn} warn, ${s.audit} audit; ${s.violatingObjects} object(s) violate a deny rule). ` +
      `Residency crossings: ${s.residencyCrossings}. Audit chain: ${s.auditChainOk ? 'OK' : 'BROKEN'}. Failovers: ${s.failovers}.`,
    '',
  );

  out.push(`POLICIES — ${r.policies.objects} stored object(s), ${r.policies.placedPairs} placed (workload, cluster) pair(s)`);
  out.push(table(['POLICY', 'STAGE', 'ENFORCEMENT', 'MATCHED', 'PASS', 'FAIL', 'WARN', 'AUDIT', 'ERRORS'], r.policies.policies.map((p) => [p.policy, p.stage, p.enforcement, String(p.matched), String(p.pass), String(p.fail), String(p.warn), String(p.audit), String(p.errors)])));
  const violations = r.policies.policies.flatMap((p) => p.violations);
  if (violations.length) {
    out.push('VIOLATIONS');
    out.push(table(['POLICY', 'RULE', 'ENFORCEMENT', 'OBJECT', 'CLUSTER', 'FIELD', 'MESSAGE'], violations.map((v) => [v.policy, v.rule, v.enforcement, v.object, v.cluster ?? '', v.field ?? '', v.message])));
  } else out.push('No violations.', '');

  out.push('RESIDENCY MAP');
  const rows: string[][] = [];
  for (const w of r.residency.workloads) {
    const targets = [...w.replicas, ...w.routes, ...w.sinks];
    if (targets.length === 0) rows.push([w.workload, (w.residency ?? ['any']).join(','), '-', '(nothing placed)', '', '', '']);
    for (const t of targets) rows.push([w.workload, (w.residency ?? ['any']).join(','), t.type, t.target, t.type === 'replica' ? `${t.amount} replica(s)` : (t.detail ?? ''), t.jurisdiction, t.inside ? 'inside' : 'CROSSING']);
  }
  out.push(table(['WORKLOAD', 'RESIDENCY', 'TYPE', 'TARGET', 'DETAIL', 'JURISDICTION', 'VERDICT'], rows));
  if (r.residency.crossings.length) for (const c of r.residency.crossings) out.push(`CROSSING: ${c.message}`);
  else out.push('No residency crossings.');
  out.push('');

  const a = r.audit;
  out.push(
    a.ok
      ? `AUDIT CHAIN: OK — ${a.entries} entries verified, head seq ${a.headSeq}, head hash ${a.headHash}`
      : `AUDIT CHAIN: BROKEN at entry ${a.firstBad?.seq}: ${a.firstBad?.problem} (${a.entries} entries before it verified)`,
    '',
  );

  out.push(`FAILOVERS since ${r.failovers.since}`);
  if (r.failovers.incidents.length === 0) out.push('No cluster failures recorded.');
  else {
    const f: string[][] = [];
    for (const i of r.failovers.incidents) {
      const base = [i.cluster, i.notReadyAt, i.readyAgainAt ?? '-'];
      if (i.workloads.length === 0) f.push([...base, '(no replicas there)', '', '', '']);
      for (const w of i.workloads) f.push([...base, w.workload, String(w.replicasLost), w.outcome ?? '-', w.recoveryMs !== undefined ? formatDuration(w.recoveryMs) : 'not recovered']);
    }
    out.push(table(['CLUSTER', 'NOT READY AT', 'READY AGAIN AT', 'WORKLOAD', 'LOST', 'OUTCOME', 'RECOVERY'], f));
  }
  out.push(`How recovery is measured: ${r.failovers.method}`);
  return out.join('\n') + '\n';
}
