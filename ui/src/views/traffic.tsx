// Traffic: requests/s, latency percentiles and errors per route and per cluster over the last
// minutes, and the share of traffic per cluster — the picture that shifts during a failover.
import { Chart, PALETTE } from '../chart';
import { Badge, Card, Page, Table } from '../components';
import { duration, pct } from '../format';
import { quantile, useTraffic, type Bucket } from '../traffic-data';

const LAST_S = 120;

export function Traffic() {
  const t = useTraffic();
  if (!t.data)
    return (
      <Page title="Traffic">
        <Card>
          {t.unavailable ? (
            <p class="state unavailable" role="status" data-testid="unavailable">
              Traffic is not available: this server runs no gateway (<code>/api/v1alpha1/traffic</code> has nothing to show).
            </p>
          ) : t.error ? (
            <p class="state error" role="alert">
              Could not load traffic: {t.error.message}
            </p>
          ) : (
            <p class="state loading">Loading traffic…</p>
          )}
        </Card>
      </Page>
    );
  const d = t.data;
  const buckets = d.buckets.slice(-LAST_S);
  // Only clusters that served something in the window get a band: idle ones would stack as zero-height noise.
  const serving = d.clusters.filter((c) => buckets.some((b) => (b.byCluster.get(c)?.count ?? 0) > 0));
  const xs = buckets.map((b) => b.t);
  const per = (f: (b: Bucket) => number | undefined) => buckets.map((b) => f(b) ?? null) as number[];
  const clusters = d.clusters.filter((c) => c !== '(none)');
  const last10 = buckets.slice(-10);
  const shareNow = shares(last10, clusters);
  const rows = d.routes.map((route) => {
    const lat = buckets.flatMap((b) => b.byRoute.get(route)?.latencies ?? []);
    const count = buckets.reduce((a, b) => a + (b.byRoute.get(route)?.count ?? 0), 0);
    const errors = buckets.reduce((a, b) => a + (b.byRoute.get(route)?.errors ?? 0), 0);
    const slo = d.slo.find((s) => s.route === route);
    return { route, rps: last10.reduce((a, b) => a + (b.byRoute.get(route)?.count ?? 0), 0) / Math.max(1, last10.length), p50: quantile(lat, 0.5), p99: quantile(lat, 0.99), count, errors, slo };
  });
  const clusterRows = clusters.map((c) => {
    const count = buckets.reduce((a, b) => a + (b.byCluster.get(c)?.count ?? 0), 0);
    const errors = buckets.reduce((a, b) => a + (b.byCluster.get(c)?.errors ?? 0), 0);
    const eps = d.endpoints.filter((e) => e.cluster === c);
    return { cluster: c, count, errors, share: shareNow.get(c) ?? 0, ready: eps.filter((e) => e.ready && e.healthy && !e.ejected).length, endpoints: eps.length };
  });
  return (
    <Page title="Traffic" subtitle={`Through the gateway, last ${LAST_S / 60} minutes, per second. ${d.totals ? `${d.totals.requests} requests, ${d.totals.retries} retries, ${d.totals.ejections} ejections, ${d.totals.residencyViolations} residency violations since start.` : ''}`}>
      <div class="grid grid-2">
        <Card title="Requests per second">
          <Chart title="requests/s and errors/s" unit="req/s" data={[xs, per((b) => b.count), per((b) => b.errors)]} series={[{ label: 'requests/s', color: PALETTE[0]! }, { label: '5xx/s', color: '#ff6b6b' }]} />
        </Card>
        <Card title="Latency">
          <Chart
            title="latency percentiles"
            unit="ms"
            data={[xs, per((b) => quantile(b.latencies, 0.5)), per((b) => quantile(b.latencies, 0.95)), per((b) => quantile(b.latencies, 0.99))]}
            series={[{ label: 'p50', color: PALETTE[2]! }, { label: 'p95', color: PALETTE[1]! }, { label: 'p99', color: '#ff6b6b' }]}
          />
        </Card>
        <Card title="Traffic share per cluster" wide>
          <Chart
            testid="share-chart"
            title="share of requests served by each cluster (stacked)"
            unit="%"
            height={200}
            data={[xs, ...stackedShares(buckets, serving).reverse()]}
            series={serving.map((c, i) => ({ label: c, color: PALETTE[i % PALETTE.length]!, fill: `${PALETTE[i % PALETTE.length]!}55` })).reverse()}
          />
        </Card>
      </div>
      <Card title="Per cluster">
        <Table
          caption="traffic per cluster"
          rows={clusterRows}
          rowKey={(r) => r.cluster}
          empty="No cluster has served a request yet."
          columns={[
            { header: 'Cluster', cell: (r) => r.cluster },
            { header: 'Share (last 10 s)', numeric: true, cell: (r) => <span data-testid={`share-${r.cluster}`}>{pct(r.share)}</span> },
            { header: 'Requests', numeric: true, cell: (r) => r.count },
            { header: 'Errors', numeric: true, cell: (r) => r.errors },
            { header: 'Endpoints serving', numeric: true, cell: (r) => <Badge tone={r.ready ? 'ok' : r.endpoints ? 'bad' : 'muted'}>{`${r.ready}/${r.endpoints}`}</Badge> },
          ]}
        />
      </Card>
      <Card title="Per route">
        <Table
          caption="traffic per route"
          rows={rows}
          rowKey={(r) => r.route}
          empty="No routes: no workload declares traffic.host."
          columns={[
            { header: 'Route (workload)', cell: (r) => r.route },
            { header: 'Req/s', numeric: true, cell: (r) => r.rps.toFixed(1) },
            { header: 'p50', numeric: true, cell: (r) => duration(r.p50) },
            { header: 'p99', numeric: true, cell: (r) => duration(r.p99) },
            { header: 'Errors', numeric: true, cell: (r) => `${r.errors}/${r.count}` },
            { header: 'Availability / SLO', numeric: true, cell: (r) => (r.slo ? <Badge tone={r.slo.availability >= r.slo.slo ? 'ok' : 'bad'}>{`${pct(r.slo.availability, 2)} / ${pct(r.slo.slo, 1)}`}</Badge> : '–') },
            { header: 'Error budget left', numeric: true, cell: (r) => (r.slo ? pct(Math.max(-9.99, r.slo.errorBudgetRemaining)) : '–') },
          ]}
        />
      </Card>
    </Page>
  );
}

function shares(buckets: Bucket[], clusters: string[]): Map<string, number> {
  const total = buckets.reduce((a, b) => a + b.count, 0);
  return new Map(clusters.map((c) => [c, total ? buckets.reduce((a, b) => a + (b.byCluster.get(c)?.count ?? 0), 0) / total : 0]));
}

/** Cumulative percentages per second so the areas stack to 100% (uPlot draws plain series). */
function stackedShares(buckets: Bucket[], clusters: string[]): number[][] {
  const out = clusters.map(() => [] as number[]);
  for (const b of buckets) {
    let acc = 0;
    clusters.forEach((c, i) => {
      acc += b.count ? ((b.byCluster.get(c)?.count ?? 0) / b.count) * 100 : 0;
      out[i]!.push(b.count ? acc : (null as unknown as number));
    });
  }
  // The caller reverses the series so each smaller cumulative area is drawn on top of the larger one.
  return out;
}
