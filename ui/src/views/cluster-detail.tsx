// One cluster: health, capacity and utilisation, where it is, the replicas it runs and its events.
import { Badge, Bar, Card, Link, Page, Table, phaseTone } from '../components';
import { ago, bytes } from '../format';
import { useKind } from '../live';
import { clusterPhase, replicasByCluster, useRegions, utilisation, wlKey } from '../model';

export function ClusterDetail({ name }: { name: string }) {
  const clusters = useKind('clusters');
  const workloads = useKind('workloads');
  const events = useKind('events');
  const regions = useRegions();
  const c = clusters.items.find((x) => x.metadata.name === name);
  if (clusters.loaded && !c)
    return (
      <Page title={name}>
        <Card>
          <p class="state error" role="alert">
            Cluster {name} does not exist. <Link to="fleet">The fleet</Link>
          </p>
        </Card>
      </Page>
    );
  if (!c) return <Page title={name}>{<p class="state loading">Loading…</p>}</Page>;
  const u = utilisation(c);
  const region = regions.get(`${c.spec?.provider}/${c.spec?.region}`);
  const running = workloads.items.map((w) => ({ w, r: replicasByCluster(w).get(name) })).filter((x) => x.r);
  const mine = events.items
    .filter((e) => e.spec?.involvedObject?.kind === 'Cluster' && e.spec.involvedObject.name === name)
    .sort((a, b) => Date.parse(b.spec.lastTimestamp) - Date.parse(a.spec.lastTimestamp));
  const ready = (c.status?.conditions as { type: string; reason?: string; message?: string }[] | undefined)?.find((x) => x.type === 'Ready');
  return (
    <Page title={name} subtitle={`${c.spec?.provider} · ${c.spec?.region}${region ? ` (${region.location})` : ''} · residency ${c.spec?.residency}`}>
      <div class="stats">
        <div class="stat" data-testid="cluster-phase">
          <div class="stat-label">Phase</div>
          <div class="stat-value">
            <Badge tone={phaseTone(clusterPhase(c))}>{clusterPhase(c)}</Badge>
          </div>
          <div class="stat-hint">{ready ? `${ready.reason ?? ''}: ${ready.message ?? ''}` : ''}</div>
        </div>
        <div class="stat">
          <div class="stat-label">CPU allocated</div>
          <div class="stat-value">{Math.round(u.cpu * 100)}%</div>
          <Bar value={u.cpu} label="CPU allocated" />
          <div class="stat-hint">
            {c.status?.allocated?.cpu ?? 0} of {c.status?.allocatable?.cpu ?? '–'} cores
          </div>
        </div>
        <div class="stat">
          <div class="stat-label">Memory allocated</div>
          <div class="stat-value">{Math.round(u.memory * 100)}%</div>
          <Bar value={u.memory} label="memory allocated" />
          <div class="stat-hint">
            {bytes(c.status?.allocated?.memory)} of {bytes(c.status?.allocatable?.memory)}
          </div>
        </div>
        <div class="stat">
          <div class="stat-label">Last heartbeat</div>
          <div class="stat-value">{ago(c.status?.lastHeartbeatTime)}</div>
          <div class="stat-hint">{c.status?.agent ? `agent pid ${c.status.agent.pid}${c.status.agent.simulated ? ' (simulated replicas)' : ''}` : 'no agent'}</div>
        </div>
      </div>
      <div class="grid">
        <Card title="Replicas on this cluster">
          <Table
            caption="workloads on this cluster"
            rows={running}
            rowKey={(x) => wlKey(x.w)}
            empty="No replicas placed here."
            columns={[
              { header: 'Workload', cell: (x) => <Link to={`workloads/${wlKey(x.w)}`}>{wlKey(x.w)}</Link> },
              { header: 'Ready / placed', numeric: true, cell: (x) => `${x.r!.ready}/${x.r!.replicas}` },
            ]}
          />
        </Card>
        <Card title="Node pools">
          <Table
            caption="node pools"
            rows={(c.spec?.nodePools ?? []) as { name: string; instanceType: string; count: number; spot?: boolean }[]}
            rowKey={(p) => p.name}
            empty="Capacity declared directly (no node pools)."
            columns={[
              { header: 'Pool', cell: (p) => p.name },
              { header: 'Instance type', cell: (p) => p.instanceType },
              { header: 'Nodes', numeric: true, cell: (p) => p.count },
              { header: 'Spot', cell: (p) => (p.spot ? 'yes' : 'no') },
            ]}
          />
        </Card>
      </div>
      <Card title="Events">
        <Table
          caption="events of this cluster"
          rows={mine}
          rowKey={(e) => e.metadata.name}
          empty="No events."
          columns={[
            { header: 'When', cell: (e) => ago(e.spec.lastTimestamp) },
            { header: 'Reason', cell: (e) => <Badge tone={e.spec.type === 'Warning' ? 'warn' : 'info'}>{e.spec.reason}</Badge> },
            { header: 'Message', cell: (e) => e.spec.message },
          ]}
        />
      </Card>
    </Page>
  );
}
