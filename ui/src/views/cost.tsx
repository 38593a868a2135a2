// Cost: showback by team, provider, region or residency (projected month, accrued window),
// budgets with burn and forecast, and recommendations with their monthly savings.
import { useState } from 'preact/hooks';
import { Badge, Bar, Card, Page, PollState, Table } from '../components';
import type { CostReport, CostRow, RecommendationList } from '../compliance-types';
import { pct, usd } from '../format';
import { useKind, usePoll } from '../live';

const DIMENSIONS = ['team', 'provider', 'region', 'residency', 'cluster', 'workload'] as const;
const WINDOWS = ['24h', '7d', '30d'] as const;
const INFRA = ['provider', 'region', 'residency', 'cluster'];

export function Cost() {
  const [by, setBy] = useState<string>('team');
  const [window, setWindow] = useState<string>('24h');
  const workloads = useKind('workloads');
  const budgets = useKind('budgets');
  const report = usePoll<CostReport>(`/api/v1alpha1/cost?by=${by}&window=${window}`, 15_000, [workloads.version]);
  const recs = usePoll<RecommendationList>('/api/v1alpha1/recommendations', 60_000, [workloads.version]);
  return (
    <Page title="Cost" subtitle="Accrued from actual placements over time (OpenCost-style allocation), projected to the month.">
      <Card wide>
        <div class="toolbar" role="toolbar" aria-label="cost breakdown">
          <span class="muted">By</span>
          {DIMENSIONS.map((d) => (
            <button type="button" key={d} class={by === d ? 'seg on' : 'seg'} aria-pressed={by === d} onClick={() => setBy(d)}>
              {d}
            </button>
          ))}
          <span class="muted">Window</span>
          {WINDOWS.map((w) => (
            <button type="button" key={w} class={window === w ? 'seg on' : 'seg'} aria-pressed={window === w} onClick={() => setWindow(w)}>
              {w}
            </button>
          ))}
        </div>
        <PollState polled={report} what="cost" />
        {report.data && (
          <>
            <Table
              caption={`cost by ${by}`}
              rows={report.data.rows}
              rowKey={(r) => r.name}
              columns={[
                { header: by, cell: (r) => (r.name === '__idle__' ? <em>idle capacity</em> : r.name === '__overhead__' ? <em>cluster fees (overhead)</em> : r.name) },
                { header: 'Per hour', numeric: true, cell: (r) => usd(r.costPerHour) },
                { header: 'Projected month', numeric: true, cell: (r) => <strong>{usd(r.projectedMonthly)}</strong> },
                { header: `Accrued (${report.data!.window})`, numeric: true, cell: (r) => usd(r.totalCost) },
                // By an infrastructure dimension each row is its clusters' whole bill: what of it sat idle, and the fees.
                ...(INFRA.includes(report.data!.by)
                  ? [
                      { header: 'of which idle', numeric: true, cell: (r: CostRow) => usd(r.idleCost) },
                      { header: 'of which fees', numeric: true, cell: (r: CostRow) => usd(r.overheadCost) },
                    ]
                  : []),
                { header: 'Share', numeric: true, cell: (r) => pct(r.share, 1) },
              ]}
            />
            <p class="muted" data-testid="cost-total">
              Total {usd(report.data.totals.projectedMonthly)}/month ({usd(report.data.totals.costPerHour)}/h). {report.data.notes.join(' ')}
            </p>
          </>
        )}
      </Card>
      <div class="grid">
        <Card title="Budgets">
          <Table
            caption="budgets"
            rows={budgets.items}
            rowKey={(b) => b.metadata.name}
            empty="No budgets declared."
            columns={[
              { header: 'Budget', cell: (b) => `${b.metadata.name} (${Object.entries(b.spec?.scope ?? {}).map(([k, v]) => `${k}=${String(v)}`).join(', ')})` },
              { header: 'Spent / limit', numeric: true, cell: (b) => `${usd(b.status?.spent)} / ${usd(b.spec?.monthlyLimit)}` },
              {
                header: 'Burn',
                cell: (b) => (
                  <div class="burn">
                    <Bar value={(b.status?.percent ?? 0) / 100} label={`${b.metadata.name} spent`} />
                    <span class="small">{(b.status?.percent ?? 0).toFixed(0)}%</span>
                  </div>
                ),
              },
              {
                header: 'Forecast',
                numeric: true,
                cell: (b) => <Badge tone={b.status?.forecastExceeded ? 'bad' : (b.status?.forecastPercent ?? 0) > 80 ? 'warn' : 'ok'}>{`${usd(b.status?.forecast)} (${(b.status?.forecastPercent ?? 0).toFixed(0)}%)`}</Badge>,
              },
              { header: 'Action', cell: (b) => b.spec?.action ?? 'alert' },
            ]}
          />
        </Card>
        <Card title="Recommendations">
          <PollState polled={recs} what="recommendations" />
          {recs.data && (
            <>
              <p data-testid="savings">
                Applying all saves <strong>{usd(recs.data.monthlySaving)}</strong> per month ({usd(recs.data.monthlyBefore)} → {usd(recs.data.monthlyAfter)}).
              </p>
              <Table
                caption="recommendations"
                rows={recs.data.items}
                rowKey={(r) => r.id}
                empty="No recommendation: every placement is already the cheapest allowed."
                columns={[
                  { header: 'Type', cell: (r) => r.type },
                  { header: 'What', cell: (r) => `${r.reason} (${[...r.workloads, ...r.clusters].join(', ')})` },
                  { header: 'Saves / month', numeric: true, cell: (r) => usd(r.monthlySaving) },
                  { header: 'Risk', cell: (r) => <Badge tone={r.risk === 'low' ? 'ok' : r.risk === 'medium' ? 'warn' : 'bad'}>{r.risk}</Badge> },
                ]}
              />
            </>
          )}
        </Card>
      </div>
    </Page>
  );
}
