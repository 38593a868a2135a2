// The HTML rendering of a compliance report: one self-contained file (inline CSS, no scripts,
// no external assets) that reads on screen and prints cleanly, for handing to an auditor.
import { formatDuration } from './render-text.js';
import type { ComplianceReportDoc, ResidencyTarget } from './types.js';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;margin:2rem auto;max-width:1100px;padding:0 1rem}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.15rem;margin:2rem 0 .5rem;border-bottom:1px solid #d0d7de;padding-bottom:.25rem}
.meta{color:#57606a;margin:0 0 1rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:13px}
th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.n{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#1a7f37;font-weight:600}.bad{color:#cf222e;font-weight:600}.warn{color:#9a6700;font-weight:600}
.cards{display:flex;flex-wrap:wrap;gap:.75rem}.card{border:1px solid #d0d7de;border-radius:6px;padding:.5rem .75rem;min-width:9rem}
.card b{display:block;font-size:1.3rem}code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px;word-break:break-all}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}tr{break-inside:avoid}.card{border-color:#000}}
`;

type Cell = string | { html: string } | { n: number };

function tableHtml(headers: string[], rows: Cell[][]): string {
  const cell = (c: Cell) => (typeof c === 'string' ? `<td>${escapeHtml(c)}</td>` : 'html' in c ? `<td>${c.html}</td>` : `<td class="n">${c.n}</td>`);
  return `<table><thead><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('')}</tbody></table>`;
}

const verdict = (ok: boolean, yes: string, no: string) => ({ html: ok ? `<span class="ok">${escapeHtml(yes)}</span>` : `<span class="bad">${escapeHtml(no)}</span>` });

/** Renders the report as one standalone HTML document. */
export function renderReportHtml(r: ComplianceReportDoc): string {
  const s = r.summary;
  const card = (label: string, value: string, ok: boolean) => `<div class="card">${escapeHtml(label)}<b class="${ok ? 'ok' : 'bad'}">${escapeHtml(value)}</b></div>`;
  const parts: string[] = [];
  parts.push(`<h1>TrustStram compliance report</h1><p class="meta">Generated ${escapeHtml(r.generatedAt)} at store revision ${escapeHtml(r.resourceVersion)}.</p>`);
  parts.push(
    `<div class="cards">${card('Policies', String(s.policies), true)}${card('Failing (deny)', String(s.fail), s.fail === 0)}${card('Warnings', String(s.warn), s.warn === 0)}` +
      `${card('Residency crossings', String(s.residencyCrossings), s.residencyCrossings === 0)}${card('Audit chain', s.auditChainOk ? 'OK' : 'BROKEN', s.auditChainOk)}${card('Failovers', String(s.failovers), true)}</div>`,
  );

  parts.push(`<h2>Policies</h2><p>${r.policies.objects} stored object(s) and ${r.policies.placedPairs} placed (workload, cluster) pair(s) evaluated at ${escapeHtml(r.policies.evaluatedAt)}.</p>`);
  parts.push(tableHtml(['Policy', 'Stage', 'Enforcement', 'Matched', 'Pass', 'Fail', 'Warn', 'Audit', 'Errors'], r.policies.policies.map((p) => [p.policy, p.stage, p.enforcement, { n: p.matched }, { n: p.pass }, { n: p.fail }, { n: p.warn }, { n: p.audit }, { n: p.errors }])));
  const violations = r.policies.policies.flatMap((p) => p.violations);
  parts.push('<h2>Violations</h2>');
  parts.push(violations.length ? tableHtml(['Policy', 'Rule', 'Enforcement', 'Object', 'Cluster', 'Field', 'Message'], violations.map((v) => [v.policy, v.rule, v.enforcement, v.object, v.cluster ?? '', v.field ?? '', v.message])) : '<p class="ok">No violations.</p>');

  parts.push(`<h2>Residency map</h2><p>Replicas from Placements, routes from the ${escapeHtml(r.residency.routeSource)}, sinks from each Workload's <code>spec.sinks</code>.</p>`);
  const rows: Cell[][] = [];
  const targetRow = (w: string, res: string, t: ResidencyTarget): Cell[] => [w, res, t.type, { html: `<code>${escapeHtml(t.target)}</code>` }, t.type === 'replica' ? `${t.amount} replica(s)` : (t.detail ?? ''), t.jurisdiction, verdict(t.inside, 'inside', 'CROSSING')];
  for (const w of r.residency.workloads) {
    const res = (w.residency ?? ['any']).join(', ');
    const targets = [...w.replicas, ...w.routes, ...w.sinks];
    if (targets.length === 0) rows.push([w.workload, res, '-', 'nothing placed', '', '', '']);
    for (const t of targets) rows.push(targetRow(w.workload, res, t));
  }
  parts.push(tableHtml(['Workload', 'Residency', 'Type', 'Target', 'Detail', 'Jurisdiction', 'Verdict'], rows));
  parts.push(r.residency.crossings.length ? `<ul>${r.residency.crossings.map((c) => `<li class="bad">${escapeHtml(c.message)}</li>`).join('')}</ul>` : '<p class="ok">No residency crossings.</p>');

  const a = r.audit;
  parts.push('<h2>Audit chain</h2>');
  parts.push(
    a.ok
      ? `<p class="ok">Verified: ${a.entries} entries, head seq ${a.headSeq}.</p><p>Head hash <code>${escapeHtml(a.headHash)}</code> — record it elsewhere to detect later truncation or rewriting.</p>`
      : `<p class="bad">BROKEN at entry ${a.firstBad?.seq}: ${escapeHtml(a.firstBad?.problem ?? '')}</p>`,
  );

  parts.push(`<h2>Failover history</h2><p>Since ${escapeHtml(r.failovers.since)}.</p>`);
  const f: Cell[][] = [];
  for (const i of r.failovers.incidents) {
    const base: Cell[] = [i.cluster, i.notReadyAt, i.readyAgainAt ?? '-'];
    if (i.workloads.length === 0) f.push([...base, 'no replicas there', '', '', '']);
    for (const w of i.workloads) f.push([...base, w.workload, { n: w.replicasLost }, w.outcome ?? '-', w.recoveryMs !== undefined ? formatDuration(w.recoveryMs) : { html: '<span class="warn">not recovered</span>' }]);
  }
  parts.push(f.length ? tableHtml(['Cluster', 'Not ready at', 'Ready again at', 'Workload', 'Replicas lost', 'Outcome', 'Recovery time'], f) : '<p>No cluster failures recorded.</p>');
  parts.push(`<p class="meta">How recovery is measured: ${escapeHtml(r.failovers.method)}</p>`);

  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>TrustStram compliance report — ${escapeHtml(r.generatedAt)}</title><style>${CSS}</style></head><body>${parts.join('\n')}</body></html>\n`;
}
