// Compliance: policy verdicts (pass/fail/warn per policy with the violating objects), the
// residency map (every replica, route and sink of every workload with its jurisdiction) and
// the audit log with its hash-chain verification.
import { Badge, Card, Page, PollState, Stat, Table } from '../components';
import type { AuditEntry, AuditVerify, ComplianceReport } from '../compliance-types';
import { ago } from '../format';
import { useKind, usePoll } from '../live';
import { phaseTone } from '../components';
import { clusterPhase, useRegions } from '../model';
import { MapLegend, WorldMap, type Marker } from '../world-map';

export function Compliance() {
  const workloads = useKind('workloads');
  const policies = useKind('policies');
  const clusters = useKind('clusters');
  const regions = useRegions();
  const report = usePoll<ComplianceReport>('/api/v1alpha1/compliance', 15_000, [workloads.version, policies.version]);
  const verify = usePoll<AuditVerify>('/api/v1alpha1/audit/verify', 10_000, [workloads.version]);
  // Only the tail of the chain: the verification above covers all of it.
  const head = verify.data?.entries;
  const audit = usePoll<{ items: AuditEntry[] }>(head === undefined ? undefined : `/api/v1alpha1/audit?afterSeq=${Math.max(0, head - 50)}&limit=100`, 10_000, [head]);
  const r = report.data;
  const entries = (audit.data?.items ?? []).slice(-50).reverse();

  const replicaClusters = new Map<string, number>();
  for (const row of r?.residency.workloads ?? []) for (const t of row.replicas) replicaClusters.set(t.target, (replicaClusters.get(t.target) ?? 0) + (t.amount ?? 0));
  const markers: Marker[] = clusters.items.flatMap((c) => {
    const reg = regions.get(`${c.spec?.provider}/${c.spec?.region}`);
    if (!reg) return [];
    const n = replicaClusters.get(c.metadata.name) ?? 0;
    return [{ id: c.metadata.name, lat: reg.lat, lon: reg.lon, tone: phaseTone(clusterPhase(c)), provider: c.spec?.provider, label: `${c.metadata.name} (${c.spec?.residency}): ${n} replicas`, caption: `${c.metadata.name} ×${n}` }];
  });
  const jurisdictions = [...new Set(clusters.items.map((c) => c.spec?.residency as string).filter(Boolean))].sort();

  return (
    <Page title="Compliance" subtitle="Policy as code, residency as a hard boundary, and a tamper-evident record of every change.">
      <div class="stats">
        <Stat testid="stat-policies" label="Policies" value={r ? String(r.summary.policies) : String(policies.items.length)} hint={r ? `${r.summary.pass} pass · ${r.summary.fail} fail · ${r.summary.warn} warn` : ''} />
        <Stat testid="stat-violations" label="Violating objects" value={r ? String(r.summary.violatingObjects) : '–'} tone={!r ? 'muted' : r.summary.violatingObjects ? 'bad' : 'ok'} />
        <Stat testid="stat-crossings" label="Residency crossings" value={r ? String(r.summary.residencyCrossings) : '–'} tone={!r ? 'muted' : r.summary.residencyCrossings ? 'bad' : 'ok'} />
        <Stat
          testid="stat-chain"
          label="Audit chain"
          value={verify.data ? (verify.data.ok ? 'verified' : 'BROKEN') : '–'}
          tone={!verify.data ? 'muted' : verify.data.ok ? 'ok' : 'bad'}
          hint={verify.data ? (verify.data.ok ? `${verify.data.entries} entries, head ${verify.data.headHash?.slice(0, 12)}…` : `first bad entry #${verify.data.firstBad?.seq}: ${verify.data.firstBad?.problem}`) : ''}
        />
      </div>
      <Card title="Policy verdicts" wide>
        <PollState polled={report} what="the compliance report" />
        {r && (
          <Table
            caption="policy verdicts"
            rows={r.policies.policies}
            rowKey={(p) => `${p.policy}/${p.stage}`}
            columns={[
              { header: 'Policy', cell: (p) => p.policy },
              { header: 'Stage', cell: (p) => p.stage },
              { header: 'Enforcement', cell: (p) => p.enforcement },
              { header: 'Matched', numeric: true, cell: (p) => p.matched },
              { header: 'Verdict', cell: (p) => <Badge tone={p.fail || p.errors ? 'bad' : p.warn ? 'warn' : 'ok'}>{p.fail ? `${p.fail} fail` : p.warn ? `${p.warn} warn` : p.errors ? `${p.errors} errors` : 'pass'}</Badge> },
              { header: 'Violations', cell: (p) => (p.violations.length ? p.violations.slice(0, 3).map((v) => `${v.object}${v.cluster ? ` on ${v.cluster}` : ''}: ${v.message}`).join('; ') : '') },
            ]}
          />
        )}
      </Card>
      <Card title="Residency map" wide>
        <WorldMap title="where replicas run, by jurisdiction" markers={markers} shade highlight={jurisdictions} />
        <MapLegend jurisdictions={jurisdictions} />
        {r && (
          <>
            {r.residency.crossings.length > 0 && (
              <p class="state error" role="alert">
                {r.residency.crossings.length} residency crossing(s): {r.residency.crossings.map((c) => c.message).join('; ')}
              </p>
            )}
            <Table
              caption="residency per workload"
              rows={r.residency.workloads}
              rowKey={(w) => w.workload}
              columns={[
                { header: 'Workload', cell: (w) => w.workload },
                { header: 'Residency', cell: (w) => w.residency?.join(', ') ?? 'any' },
                { header: 'Replicas', cell: (w) => <Targets list={w.replicas} /> },
                { header: 'Routes', cell: (w) => <Targets list={w.routes} /> },
                { header: 'Sinks', cell: (w) => <Targets list={w.sinks} /> },
              ]}
            />
          </>
        )}
      </Card>
      <Card title="Audit log (latest 50)" wide>
        <PollState polled={audit} what="the audit log" />
        <Table
          caption="audit log"
          rows={entries}
          rowKey={(e) => String(e.seq)}
          columns={[
            { header: '#', numeric: true, cell: (e) => e.seq },
            { header: 'When', cell: (e) => ago(e.time) },
            { header: 'Actor', cell: (e) => e.actor },
            { header: 'Verb', cell: (e) => e.verb },
            { header: 'Object', cell: (e) => [e.kind, e.namespace, e.name].filter(Boolean).join('/') },
            { header: 'Hash', cell: (e) => <code title={e.hash}>{e.hash.slice(0, 10)}…</code> },
          ]}
        />
      </Card>
    </Page>
  );
}

function Targets({ list }: { list: { target: string; jurisdiction: string; inside: boolean; amount?: number }[] }) {
  if (!list.length) return <span class="muted">none</span>;
  return (
    <span class="targets">
      {list.map((t) => (
        <Badge key={t.target} tone={t.inside ? 'ok' : 'bad'} title={t.inside ? 'inside residency' : 'OUTSIDE residency'}>
          {`${t.target}${t.amount ? `×${t.amount}` : ''} · ${t.jurisdiction}${t.inside ? '' : ' ✗'}`}
        </Badge>
      ))}
    </span>
  );
}
