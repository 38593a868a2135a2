// Workloads: the placement matrix (workloads × clusters with replica counts, ready/desired),
// each row linking to the workload's explanation, events and routes.
import { Badge, Card, Link, Page, phaseTone } from '../components';
import { usd } from '../format';
import { useKind } from '../live';
import { clusterPhase, healthTone, replicasByCluster, residencyOf, workloadHealth, wlKey } from '../model';

export function Workloads() {
  const workloads = useKind('workloads');
  const clusters = useKind('clusters');
  const cols = clusters.items;
  if (workloads.loaded && !workloads.items.length)
    return (
      <Page title="Workloads">
        <Card>
          <p class="state empty" role="status">
            No workloads yet: apply one (<code>truststram apply -f examples/workloads.yaml</code>).
          </p>
        </Card>
      </Page>
    );
  return (
    <Page title="Workloads" subtitle="Where every replica runs: ready/placed replicas per cluster. Greyed cells are clusters outside the workload's residency.">
      <Card wide>
        <div class="table-wrap" tabIndex={0} role="region" aria-label="placement matrix">
          <table class="matrix" data-testid="placement-matrix">
            <caption class="sr-only">Placement matrix: workloads by clusters, replicas ready over placed</caption>
            <thead>
              <tr>
                <th scope="col">Workload</th>
                <th scope="col">Health</th>
                <th scope="col" class="num">
                  Ready
                </th>
                {cols.map((c) => (
                  <th scope="col" class="rot" key={c.metadata.name}>
                    <Link to={`clusters/${c.metadata.name}`}>{c.metadata.name}</Link>
                    <div>
                      <Badge tone={phaseTone(clusterPhase(c))}>{clusterPhase(c)}</Badge>
                    </div>
                  </th>
                ))}
                <th scope="col" class="num">
                  Cost / month
                </th>
              </tr>
            </thead>
            <tbody>
              {workloads.items.map((w) => {
                const per = replicasByCluster(w);
                const res = residencyOf(w);
                const h = workloadHealth(w);
                return (
                  <tr key={wlKey(w)} data-workload={wlKey(w)}>
                    <th scope="row">
                      <Link to={`workloads/${wlKey(w)}`}>{wlKey(w)}</Link>
                      {res.length > 0 && <span class="muted small"> · {res.join(', ')}</span>}
                    </th>
                    <td>
                      <Badge tone={healthTone(h)}>{h}</Badge>
                    </td>
                    <td class="num">
                      {(w.status?.readyReplicas as number | undefined) ?? 0}/{(w.status?.desiredReplicas as number | undefined) ?? w.spec?.replicas}
                    </td>
                    {cols.map((c) => {
                      const r = per.get(c.metadata.name);
                      const outside = res.length > 0 && !res.includes(c.spec?.residency);
                      return (
                        <td key={c.metadata.name} class={`cell ${outside ? 'outside' : ''} ${r ? (r.ready < r.replicas ? 'warn' : 'ok') : ''}`} data-cluster={c.metadata.name} title={outside ? 'outside residency' : undefined}>
                          {r ? `${r.ready}/${r.replicas}` : outside ? '·' : ''}
                        </td>
                      );
                    })}
                    <td class="num">{usd(((w.status?.costPerHour as number | undefined) ?? 0) * 730)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </Card>
    </Page>
  );
}
