// Failover: a timeline of faults and recoveries with measured recovery times, and the chaos
// controls (fail / restore a cluster, region or provider) behind a confirmation. Controls are
// enabled only when the server says it runs in demo mode or that this caller may use chaos.
import { useState } from 'preact/hooks';
import { postJson } from '../api';
import { Badge, Card, Link, Page, PollState, Table, phaseTone } from '../components';
import type { ComplianceReport, FailoverIncident } from '../compliance-types';
import { clock, duration } from '../format';
import { useKind, usePoll } from '../live';
import { PROVIDERS, clusterPhase } from '../model';

/** `GET /api/v1alpha1/chaos`: the faults in force and whether this caller may inject more. */
export interface ChaosState {
  demo: boolean;
  /** The caller is authorised to use chaos outside demo mode. */
  allowed?: boolean;
  faults: { kind: 'cluster' | 'region' | 'provider'; name: string; since?: string; clusters?: string[] }[];
}

type Target = { kind: 'cluster' | 'region' | 'provider'; name: string };

export function Failover() {
  const clusters = useKind('clusters');
  const events = useKind('events');
  const chaos = usePoll<ChaosState>('/api/v1alpha1/chaos', 2000, [clusters.version]);
  const report = usePoll<ComplianceReport>('/api/v1alpha1/compliance', 3000, [events.version]);
  const [confirm, setConfirm] = useState<{ action: 'fail' | 'restore'; target: Target } | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const enabled = !!chaos.data && (chaos.data.demo || chaos.data.allowed === true);
  const faulted = new Set((chaos.data?.faults ?? []).map((f) => `${f.kind}/${f.name}`));

  const providers = PROVIDERS.filter((p) => clusters.items.some((c) => c.spec?.provider === p));
  const regions = [...new Set(clusters.items.map((c) => c.spec?.region as string))].sort();
  const incidents = [...(report.data?.failovers.incidents ?? [])].sort((a, b) => Date.parse(b.notReadyAt) - Date.parse(a.notReadyAt));
  // Without the compliance view the timeline falls back to the raw cluster and failover events.
  const rawEvents = events.items
    .filter((e) => ['ClusterNotReady', 'ClusterReady', 'FailedOver', 'Degraded', 'ChaosFault', 'ChaosRestore'].includes(e.spec?.reason))
    .sort((a, b) => Date.parse(b.spec.lastTimestamp) - Date.parse(a.spec.lastTimestamp));

  const run = async () => {
    if (!confirm) return;
    const { action, target } = confirm;
    setConfirm(undefined);
    try {
      await postJson(`/api/v1alpha1/chaos/${action}`, target);
      setMessage(`${action === 'fail' ? 'Failed' : 'Restored'} ${target.kind} ${target.name}.`);
    } catch (err) {
      setMessage(`Could not ${action} ${target.kind} ${target.name}: ${(err as Error).message}`);
    }
  };

  const button = (action: 'fail' | 'restore', target: Target) => (
    <button
      type="button"
      class={action === 'fail' ? 'danger' : 'secondary'}
      disabled={!enabled || (action === 'fail') === faulted.has(`${target.kind}/${target.name}`)}
      onClick={() => setConfirm({ action, target })}
      aria-label={`${action} ${target.kind} ${target.name}`}
    >
      {action === 'fail' ? `Fail ${target.kind}` : 'Restore'}
    </button>
  );

  return (
    <Page title="Failover" subtitle="Faults and recoveries, measured from the control plane's own events and workload status.">
      <Card title="Chaos" wide>
        {chaos.unavailable ? (
          <p class="state unavailable" role="status" data-testid="chaos-unavailable">
            Chaos is not available on this server (no <code>/api/v1alpha1/chaos</code> endpoint). Use <code>truststram chaos</code> where it is installed.
          </p>
        ) : (
          <PollState polled={chaos} what="chaos state" />
        )}
        {chaos.data && !enabled && <p class="muted">Chaos controls are disabled: the server is not in demo mode and you are not authorised to inject faults.</p>}
        {message && (
          <p class="state info" role="status" data-testid="chaos-message">
            {message}
          </p>
        )}
        <div class="chaos-grid">
          <div>
            <h3>Providers</h3>
            {providers.map((p) => (
              <div class="row chaos-row" key={p} data-testid={`chaos-provider-${p}`}>
                <span>
                  {p} {faulted.has(`provider/${p}`) && <Badge tone="bad">failed</Badge>}
                </span>
                <span>
                  {button('fail', { kind: 'provider', name: p })} {button('restore', { kind: 'provider', name: p })}
                </span>
              </div>
            ))}
          </div>
          <div>
            <h3>Regions</h3>
            {regions.map((r) => (
              <div class="row chaos-row" key={r}>
                <span>
                  {r} {faulted.has(`region/${r}`) && <Badge tone="bad">failed</Badge>}
                </span>
                <span>
                  {button('fail', { kind: 'region', name: r })} {button('restore', { kind: 'region', name: r })}
                </span>
              </div>
            ))}
          </div>
          <div>
            <h3>Clusters</h3>
            {clusters.items.map((c) => (
              <div class="row chaos-row" key={c.metadata.name}>
                <span>
                  <Link to={`clusters/${c.metadata.name}`}>{c.metadata.name}</Link> <Badge tone={phaseTone(clusterPhase(c))}>{clusterPhase(c)}</Badge>
                </span>
                <span>
                  {button('fail', { kind: 'cluster', name: c.metadata.name })} {button('restore', { kind: 'cluster', name: c.metadata.name })}
                </span>
              </div>
            ))}
          </div>
        </div>
      </Card>
      {confirm && (
        <div class="modal-backdrop">
          <div class="modal" role="alertdialog" aria-modal="true" aria-labelledby="confirm-title" aria-describedby="confirm-text">
            <h2 id="confirm-title">
              {confirm.action === 'fail' ? 'Fail' : 'Restore'} {confirm.target.kind} {confirm.target.name}?
            </h2>
            <p id="confirm-text">
              {confirm.action === 'fail'
                ? `Every agent of the ${confirm.target.kind} ${confirm.target.name} is killed with its replicas; workloads fail over inside their residency.`
                : `The agents of ${confirm.target.name} are allowed to start again.`}
            </p>
            <div class="row">
              <button type="button" class="secondary" onClick={() => setConfirm(undefined)}>
                Cancel
              </button>
              <button type="button" class={confirm.action === 'fail' ? 'danger' : 'primary'} ref={(b) => b?.focus()} onClick={() => void run()} onKeyDown={(e) => e.key === 'Escape' && setConfirm(undefined)}>
                {confirm.action === 'fail' ? 'Fail it' : 'Restore it'}
              </button>
            </div>
          </div>
        </div>
      )}
      <Card title="Timeline" wide>
        {report.unavailable ? (
          <Table
            caption="failover events"
            rows={rawEvents}
            rowKey={(e) => e.metadata.name}
            empty="No faults so far."
            columns={[
              { header: 'Time', cell: (e) => clock(e.spec.lastTimestamp) },
              { header: 'Event', cell: (e) => <Badge tone={e.spec.reason === 'ClusterReady' ? 'ok' : 'bad'}>{e.spec.reason}</Badge> },
              { header: 'Object', cell: (e) => `${e.spec.involvedObject.kind} ${e.spec.involvedObject.namespace ? `${e.spec.involvedObject.namespace}/` : ''}${e.spec.involvedObject.name}` },
              { header: 'Message', cell: (e) => e.spec.message },
            ]}
          />
        ) : (
          <>
            <PollState polled={report} what="the failover history" />
            {report.data && !incidents.length && <p class="state empty">No faults so far.</p>}
            <ol class="timeline" data-testid="timeline">
              {incidents.map((i) => (
                <Incident key={`${i.cluster}@${i.notReadyAt}`} i={i} />
              ))}
            </ol>
            {report.data && <p class="muted small">{report.data.failovers.method}</p>}
          </>
        )}
      </Card>
    </Page>
  );
}

function Incident({ i }: { i: FailoverIncident }) {
  const recovered = i.workloads.filter((w) => w.recoveryMs !== undefined);
  const worst = recovered.length ? Math.max(...recovered.map((w) => w.recoveryMs!)) : undefined;
  const allBack = i.workloads.length > 0 && recovered.length === i.workloads.length;
  return (
    <li class={`incident ${allBack ? 'recovered' : i.workloads.length ? 'open' : 'quiet'}`} data-testid="incident">
      <div class="row">
        <strong>
          {clock(i.notReadyAt)} · cluster <Link to={`clusters/${i.cluster}`}>{i.cluster}</Link> went down
        </strong>
        {allBack ? <Badge tone="ok">recovered in {duration(worst)}</Badge> : i.workloads.length ? <Badge tone="warn">recovering</Badge> : <Badge tone="muted">no workloads affected</Badge>}
      </div>
      <div class="muted small">
        {i.reason ?? ''}
        {i.readyAgainAt ? ` · cluster back at ${clock(i.readyAgainAt)}` : ' · cluster still down'}
      </div>
      {i.workloads.length > 0 && (
        <ul class="plain">
          {i.workloads.map((w) => (
            <li key={w.workload}>
              <Link to={`workloads/${w.workload}`}>{w.workload}</Link> lost {w.replicasLost} replica(s) → {w.outcome ?? '…'}
              {w.recoveryMs !== undefined ? <> · back to full strength in <strong data-testid="recovery">{duration(w.recoveryMs)}</strong></> : ' · not recovered yet'}
              {w.message && <div class="muted small">{w.message}</div>}
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}
