// One workload: status and conditions, the scheduler's explanation (why each cluster was
// chosen or filtered, scores, cost), its events and its gateway routes.
import { Badge, Card, Link, Page, PollState, Table } from '../components';
import { ago, usd } from '../format';
import { useKind, usePoll } from '../live';
import { condition, healthTone, replicasByCluster, residencyOf, workloadHealth } from '../model';
import { useTraffic } from '../traffic-data';

interface Explanation {
  mode?: string;
  optimizeFor?: string;
  costPerHour?: number;
  clusters?: { cluster: string; feasible: boolean; filter?: string; code?: string; reason?: string; scores?: Record<string, number>; replicaCostPerHour?: number }[];
  chosen?: { cluster: string; replicas: number; spotReplicas?: number }[];
  placed: { clusters: { cluster: string; replicas: number }[]; costPerHour?: number; unschedulable?: unknown } | null;
}

export function WorkloadDetail({ namespace, name }: { namespace: string; name: string }) {
  const workloads = useKind('workloads');
  const events = useKind('events');
  const w = workloads.items.find((x) => x.metadata.namespace === namespace && x.metadata.name === name);
  const explain = usePoll<Explanation>(`/api/v1alpha1/explain/workloads/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`, 30_000, [w?.metadata.resourceVersion]);
  const traffic = useTraffic();
  if (workloads.loaded && !w)
    return (
      <Page title={`${namespace}/${name}`}>
        <Card>
          <p class="state error" role="alert">
            Workload {namespace}/{name} does not exist. <Link to="workloads">All workloads</Link>
          </p>
        </Card>
      </Page>
    );
  if (!w) return <Page title={`${namespace}/${name}`}>{<p class="state loading">Loading…</p>}</Page>;
  const h = workloadHealth(w);
  const mine = events.items
    .filter((e) => e.spec?.involvedObject?.kind === 'Workload' && e.spec.involvedObject.namespace === namespace && e.spec.involvedObject.name === name)
    .sort((a, b) => Date.parse(b.spec.lastTimestamp) - Date.parse(a.spec.lastTimestamp));
  const per = replicasByCluster(w);
  const endpoints = (traffic.data?.endpoints ?? []).filter((e) => e.route === `${namespace}/${name}`);
  const scoreNames = [...new Set((explain.data?.clusters ?? []).flatMap((c) => Object.keys(c.scores ?? {})))];
  return (
    <Page title={`${namespace}/${name}`} subtitle={`${w.spec?.image ?? ''}`}>
      <div class="stats">
        <div class="stat">
          <div class="stat-label">Health</div>
          <div class="stat-value">
            <Badge tone={healthTone(h)}>{h}</Badge>
          </div>
          <div class="stat-hint">{condition(w, 'Degraded')?.status === 'True' ? condition(w, 'Degraded')?.message : condition(w, 'Available')?.message}</div>
        </div>
        <div class="stat" data-testid="wl-ready">
          <div class="stat-label">Ready replicas</div>
          <div class="stat-value">
            {w.status?.readyReplicas ?? 0}/{w.status?.desiredReplicas ?? w.spec?.replicas}
          </div>
          <div class="stat-hint">{[...per].map(([c, r]) => `${c}×${r.replicas}`).join(', ') || 'not placed'}</div>
        </div>
        <div class="stat">
          <div class="stat-label">Residency</div>
          <div class="stat-value">{residencyOf(w).join(', ') || 'any'}</div>
          <div class="stat-hint">{w.spec?.availability?.tier ?? ''} {w.spec?.availability?.survive ? `· survives a ${w.spec.availability.survive} outage` : ''}</div>
        </div>
        <div class="stat">
          <div class="stat-label">Cost</div>
          <div class="stat-value">{usd(((w.status?.costPerHour as number | undefined) ?? 0) * 730)}/mo</div>
          <div class="stat-hint">{usd(w.status?.costPerHour)}/h</div>
        </div>
      </div>
      <Card title="Why it runs where it runs" wide>
        <PollState polled={explain} what="the explanation" />
        {explain.data && (
          <>
            <p class="muted">
              Mode {explain.data.mode ?? '–'}, optimised for {explain.data.optimizeFor ?? '–'}; placed cost {usd(explain.data.placed?.costPerHour ?? explain.data.costPerHour)}/h.
            </p>
            <Table
              caption="scheduler explanation per cluster"
              rows={explain.data.clusters ?? []}
              rowKey={(r) => r.cluster}
              columns={[
                { header: 'Cluster', cell: (r) => <Link to={`clusters/${r.cluster}`}>{r.cluster}</Link> },
                { header: 'Verdict', cell: (r) => (per.has(r.cluster) ? <Badge tone="ok">chosen ×{per.get(r.cluster)!.replicas}</Badge> : r.feasible ? <Badge tone="info">feasible</Badge> : <Badge tone="bad">filtered: {r.filter}</Badge>) },
                { header: 'Reason', cell: (r) => r.reason ?? (r.feasible ? '' : r.code) },
                ...scoreNames.map((s) => ({ header: s, numeric: true, cell: (r: { scores?: Record<string, number> }) => r.scores?.[s] ?? '' })),
                { header: '$/replica·h', numeric: true, cell: (r) => (r.replicaCostPerHour !== undefined ? r.replicaCostPerHour.toFixed(4) : '') },
              ]}
            />
          </>
        )}
      </Card>
      <div class="grid">
        <Card title="Events">
          <Table
            caption="events of this workload"
            rows={mine}
            rowKey={(e) => e.metadata.name}
            empty="No events."
            columns={[
              { header: 'When', cell: (e) => ago(e.spec.lastTimestamp) },
              { header: 'Reason', cell: (e) => <Badge tone={e.spec.type === 'Warning' ? 'warn' : 'info'}>{e.spec.reason}</Badge> },
              { header: 'Message', cell: (e) => `${e.spec.message}${e.spec.count > 1 ? ` (×${e.spec.count})` : ''}` },
            ]}
          />
        </Card>
        <Card title="Routes">
          {w.spec?.traffic?.host ? (
            <p>
              Host <code>{w.spec.traffic.host}</code>, routing {w.spec.traffic.routing ?? 'weighted'}, SLO {w.spec.traffic.slo ?? 0.999}
            </p>
          ) : (
            <p class="muted">This workload declares no traffic host.</p>
          )}
          {traffic.unavailable ? (
            <p class="state unavailable">Gateway endpoints are not available on this server.</p>
          ) : (
            <Table
              caption="gateway endpoints"
              rows={endpoints}
              rowKey={(e) => e.id}
              empty="No gateway endpoints."
              columns={[
                { header: 'Endpoint', cell: (e) => e.id },
                { header: 'Cluster', cell: (e) => e.cluster },
                { header: 'Jurisdiction', cell: (e) => e.jurisdiction },
                { header: 'State', cell: (e) => <Badge tone={e.ready && e.healthy && !e.ejected ? 'ok' : 'bad'}>{e.ejected ? 'ejected' : !e.ready ? 'not ready' : !e.healthy ? 'unhealthy' : 'serving'}</Badge> },
                { header: 'Weight', numeric: true, cell: (e) => e.weight },
              ]}
            />
          )}
        </Card>
      </div>
    </Page>
  );
}
