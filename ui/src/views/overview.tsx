// Overview: the fleet at a glance — clusters ready, workloads healthy vs degraded,
// availability against SLO, cost per month, policy violations and the audit chain.
import { Card, Link, Page, PollState, Stat, Badge } from '../components';
import type { AuditVerify, ComplianceReport, CostReport } from '../compliance-types';
import { pct, usd } from '../format';
import { useKind, usePoll } from '../live';
import { clusterReady, healthTone, workloadHealth, wlKey } from '../model';
import { useTraffic } from '../traffic-data';

export function Overview() {
  const clusters = useKind('clusters');
  const workloads = useKind('workloads');
  const cost = usePoll<CostReport>('/api/v1alpha1/cost?by=team&window=24h', 15_000, [workloads.version]);
  const verify = usePoll<AuditVerify>('/api/v1alpha1/audit/verify', 10_000);
  const compliance = usePoll<ComplianceReport>('/api/v1alpha1/compliance', 15_000);
  const traffic = useTraffic();

  const ready = clusters.items.filter(clusterReady).length;
  const health = workloads.items.map((w) => ({ w, h: workloadHealth(w) }));
  const healthy = health.filter((x) => x.h === 'healthy').length;
  const degraded = health.filter((x) => x.h === 'degraded').length;
  const placedMonthly = workloads.items.reduce((a, w) => a + ((w.status?.costPerHour as number | undefined) ?? 0), 0) * 730;
  const slo = traffic.data?.slo ?? [];
  const worst = slo.length ? slo.reduce((a, b) => (a.availability < b.availability ? a : b)) : undefined;

  if (clusters.loaded && !clusters.items.length)
    return (
      <Page title="Overview">
        <Card>
          <p class="state empty" role="status" data-testid="no-clusters">
            No clusters yet. Declare your fleet with <code>truststram apply -f examples/fleet.yaml</code>, or start <code>truststram demo</code>.
          </p>
        </Card>
      </Page>
    );

  return (
    <Page title="Overview" subtitle="Placement, traffic, money and proof of the whole fleet, live.">
      <div class="stats">
        <Stat testid="stat-clusters" label="Clusters ready" value={`${ready}/${clusters.items.length}`} tone={ready === clusters.items.length ? 'ok' : 'bad'} hint={<Link to="fleet">see the fleet</Link>} />
        <Stat testid="stat-workloads" label="Workloads healthy" value={`${healthy}/${workloads.items.length}`} tone={degraded ? 'bad' : healthy === workloads.items.length ? 'ok' : 'warn'} hint={`${degraded} degraded`} />
        <Stat
          testid="stat-availability"
          label="Availability (worst route)"
          value={worst ? pct(worst.availability, 2) : '–'}
          tone={!worst ? 'muted' : worst.availability >= worst.slo ? 'ok' : 'bad'}
          hint={worst ? `SLO ${pct(worst.slo, 1)} · error budget left ${pct(Math.max(-9.99, worst.errorBudgetRemaining))}` : traffic.unavailable ? 'gateway metrics not available' : 'no traffic yet'}
        />
        <Stat testid="stat-cost" label="Cost per month" value={usd(cost.data?.totals.projectedMonthly ?? placedMonthly)} hint={cost.data ? `${usd(placedMonthly)} placed workloads, rest idle & fees` : 'from placements'} />
        <Stat
          testid="stat-violations"
          label="Policy violations"
          value={compliance.data ? String(compliance.data.summary.violatingObjects) : '–'}
          tone={!compliance.data ? 'muted' : compliance.data.summary.violatingObjects ? 'bad' : 'ok'}
          hint={compliance.unavailable ? 'compliance view not available' : compliance.data ? `${compliance.data.summary.residencyCrossings} residency crossings` : ''}
        />
        <Stat
          testid="stat-audit"
          label="Audit chain"
          value={verify.data ? (verify.data.ok ? 'verified' : 'BROKEN') : '–'}
          tone={!verify.data ? 'muted' : verify.data.ok ? 'ok' : 'bad'}
          hint={verify.data ? `${verify.data.entries} entries` : ''}
        />
      </div>
      <div class="grid">
        <Card title="Workloads">
          <PollState polled={{ loading: !workloads.loaded, error: workloads.error, unavailable: false, data: workloads.loaded || undefined }} what="workloads" />
          <ul class="plain">
            {health.map(({ w, h }) => (
              <li key={wlKey(w)}>
                <Badge tone={healthTone(h)}>{h}</Badge> <Link to={`workloads/${wlKey(w)}`}>{wlKey(w)}</Link>{' '}
                <span class="muted">
                  {(w.status?.readyReplicas as number | undefined) ?? 0}/{(w.status?.desiredReplicas as number | undefined) ?? w.spec?.replicas} ready
                </span>
              </li>
            ))}
          </ul>
        </Card>
        <Card title="Spend by team (projected month)">
          <PollState polled={cost} what="cost" />
          <ul class="plain">
            {(cost.data?.rows ?? [])
              .filter((r) => !r.name.startsWith('__'))
              .map((r) => (
                <li key={r.name}>
                  <strong>{r.name}</strong> <span class="muted">{usd(r.projectedMonthly)}</span>
                </li>
              ))}
          </ul>
        </Card>
      </div>
    </Page>
  );
}
