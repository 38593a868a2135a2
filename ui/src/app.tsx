// The dashboard shell: navigation, connection state, token prompt and the route switch.
// Keyboard: Tab through everything, keys 1–7 jump to a view, focus moves to each page's title.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, setToken } from './api';
import { Link } from './components';
import { isUnreachable, useKind } from './live';
import { navigate, useSegments } from './route';
import { ClusterDetail } from './views/cluster-detail';
import { Compliance } from './views/compliance';
import { Cost } from './views/cost';
import { Failover } from './views/failover';
import { Fleet } from './views/fleet';
import { Overview } from './views/overview';
import { Traffic } from './views/traffic';
import { WorkloadDetail } from './views/workload-detail';
import { Workloads } from './views/workloads';

const NAV = [
  ['overview', 'Overview'],
  ['fleet', 'Fleet'],
  ['workloads', 'Workloads'],
  ['traffic', 'Traffic'],
  ['failover', 'Failover'],
  ['cost', 'Cost'],
  ['compliance', 'Compliance'],
] as const;

function View({ segs }: { segs: string[] }) {
  const [a, b, c] = segs;
  switch (a ?? 'overview') {
    case 'overview':
      return <Overview />;
    case 'fleet':
      return <Fleet />;
    case 'clusters':
      return b ? <ClusterDetail name={b} /> : <Fleet />;
    case 'workloads':
      return b && c ? <WorkloadDetail namespace={b} name={c} /> : <Workloads />;
    case 'traffic':
      return <Traffic />;
    case 'failover':
      return <Failover />;
    case 'cost':
      return <Cost />;
    case 'compliance':
      return <Compliance />;
    default:
      return (
        <section class="page">
          <h1 tabIndex={-1}>Not found</h1>
          <p>
            There is no page <code>/ui/{segs.join('/')}</code>. <Link to="overview">Go to the overview</Link>.
          </p>
        </section>
      );
  }
}

function ConnectionBanner() {
  const clusters = useKind('clusters');
  const [token, setTokenInput] = useState('');
  if (clusters.state !== 'error') return null;
  const needsToken = clusters.error instanceof ApiError && clusters.error.status === 401;
  if (needsToken)
    return (
      <form
        class="banner warn"
        role="alert"
        onSubmit={(e) => {
          e.preventDefault();
          setToken(token.trim());
          location.reload();
        }}
      >
        <label>
          This server requires a token: <input type="password" value={token} onInput={(e) => setTokenInput((e.target as HTMLInputElement).value)} autoComplete="off" aria-label="API token" />
        </label>{' '}
        <button type="submit">Sign in</button>
      </form>
    );
  return (
    <div class="banner bad" role="alert" data-testid="unreachable">
      {isUnreachable(clusters.error) ? 'The TrustStram server is unreachable' : `The API answered with an error: ${clusters.error?.message}`} — reconnecting automatically…
    </div>
  );
}

export function App() {
  const segs = useSegments();
  const current = segs[0] === 'clusters' ? 'fleet' : (segs[0] ?? 'overview');
  const clusters = useKind('clusters');
  useEffect(() => {
    // Move focus to the new page's title so screen readers announce it and Tab starts there.
    (document.getElementById('page-title') as HTMLElement | null)?.focus({ preventScroll: true });
    const name = NAV.find(([k]) => k === current)?.[1];
    document.title = `${segs.length > 1 ? segs.slice(1).join('/') : (name ?? 'TrustStram')} · TrustStram`;
  }, [segs.join('/')]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (e.ctrlKey || e.metaKey || e.altKey || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)) return;
      const i = Number(e.key) - 1;
      if (Number.isInteger(i) && NAV[i]) navigate(NAV[i][0]);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <div class="brand">
          <span class="logo" aria-hidden="true" />
          TrustStram
        </div>
        <nav aria-label="views">
          <ul>
            {NAV.map(([k, label], i) => (
              <li key={k}>
                <Link to={k} class={current === k ? 'active' : ''} current={current === k}>
                  <span title={`${label} (key ${i + 1})`}>{label}</span>
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div class={`live ${clusters.state}`} role="status" aria-live="polite" data-testid="link-state">
          <span class="dot" aria-hidden="true" />
          {clusters.state === 'live' ? 'live' : clusters.state === 'connecting' ? 'connecting…' : 'offline'}
        </div>
      </header>
      <ConnectionBanner />
      <main id="main">
        <View segs={segs} />
      </main>
    </>
  );
}
