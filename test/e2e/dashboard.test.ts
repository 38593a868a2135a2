// The web dashboard in a real headless Chromium (Debian's chromium driven by playwright-core)
// against a real demo fleet: every view shows what a user should see, deep links and keyboard
// navigation work, "fail provider" shifts traffic and the failover timeline shows the recovery,
// and the empty and unreachable states read sensibly. Screenshots go to docs/screenshots/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, uiViews, type RunningServer } from '../../src/server/index.js';
import { startDemoFleet, type DemoFleet } from './dashboard-fleet.js';
import { ROOT, removeTempDirs, tempDir } from './harness.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SHOTS = join(ROOT, 'docs', 'screenshots');
const UI_DIST = join(ROOT, 'ui', 'dist');
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`dashboard e2e skipped: no Chromium at ${CHROMIUM} (install it with: apt-get install -y chromium)`);

/** Builds ui/dist when any dashboard source is newer than the build (vite, a few seconds). */
function ensureUiBuilt(): void {
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile())
      .reduce((m, e) => Math.max(m, statSync(join(e.parentPath, e.name)).mtimeMs), 0);
  const index = join(UI_DIST, 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= Math.max(newest(join(ROOT, 'ui', 'src')), statSync(join(ROOT, 'ui', 'vite.config.ts')).mtimeMs)) return;
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'ui/vite.config.ts', '--logLevel', 'warn'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`vite build failed:\n${r.stdout}\n${r.stderr}`);
}

let browser: Browser;
let fleet: DemoFleet;
let page: Page;
const pageErrors: string[] = [];

async function open(path: string): Promise<void> {
  await page.goto(`${fleet.url}/ui/${path}`);
  await page.locator('[data-testid="link-state"]', { hasText: 'live' }).waitFor();
}

async function shot(name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

describe.skipIf(!hasChromium)('dashboard in headless Chromium', () => {
  beforeAll(async () => {
    ensureUiBuilt();
    fleet = await startDemoFleet();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await fleet?.close();
    await removeTempDirs();
  });

  it('overview: clusters ready, workloads healthy, cost, verdicts and the audit chain', async () => {
    await open('');
    await expect.poll(() => page.getByTestId('stat-clusters').textContent()).toContain('6/6');
    expect(await page.getByTestId('stat-workloads').textContent()).toContain('3/3');
    await expect.poll(() => page.getByTestId('stat-audit').textContent()).toContain('verified');
    await expect.poll(() => page.getByTestId('stat-cost').textContent()).toMatch(/\$\d+\.\d\d/);
    await expect.poll(() => page.getByTestId('stat-violations').textContent()).toContain('0');
    await expect.poll(() => page.getByTestId('stat-availability').textContent(), { timeout: 15_000 }).toMatch(/\d+\.\d\d%/);
    await shot('overview');
  });

  it('fleet: every cluster on the map at its region, grouped by provider, with utilisation', async () => {
    await open('fleet');
    await expect.poll(() => page.locator('.countries path').count()).toBeGreaterThan(100);
    expect(await page.locator('.markers [data-cluster]').count()).toBe(6);
    // Jurisdictions of the fleet (eu, us) are shaded.
    expect(await page.locator('.countries path.juris').count()).toBeGreaterThan(25);
    for (const p of ['AWS', 'Azure', 'Google Cloud']) await page.getByRole('heading', { name: p }).waitFor();
    expect(await page.getByTestId('cluster-aws-eu-west-1').textContent()).toMatch(/Ready.*eu-west-1 · eu.*CPU \d+%/);
    await shot('fleet');
    // Keyboard: a focused map marker opens its cluster page with Enter.
    await page.locator('.markers [data-cluster="gcp-europe-west1"]').focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/ui\/clusters\/gcp-europe-west1$/);
    await page.getByTestId('cluster-phase').getByText('Ready').waitFor();
  });

  it('workloads: the placement matrix shows ready/placed replicas per cluster', async () => {
    await open('workloads');
    const row = page.locator('tr[data-workload="payments/payments-api"]');
    await row.waitFor();
    const cells = (await row.locator('td.cell').allTextContents()).filter((t) => /\d+\/\d+/.test(t));
    expect(cells.map((t) => Number(t.split('/')[1])).reduce((a, b) => a + b, 0)).toBe(4);
    // Every US cluster is marked outside the EU workload's residency.
    expect(await row.locator('td.cell.outside').count()).toBe(3);
    expect(await page.locator('tr[data-workload="catalog/catalog-api"] td.num').first().textContent()).toBe('3/3');
    await shot('workloads');
  });

  it('workload page (deep link): explanation, events and routes', async () => {
    await open('workloads/payments/payments-api');
    await page.getByTestId('wl-ready').getByText('4/4').waitFor();
    await page.getByText('filtered: residency').first().waitFor();
    expect(await page.getByText(/chosen ×2/).count()).toBe(2);
    await page.getByRole('cell', { name: 'Scheduled' }).first().waitFor();
    await expect.poll(() => page.getByRole('region', { name: 'gateway endpoints' }).getByText('serving').count(), { timeout: 15_000 }).toBe(4);
    await shot('workload');
  });

  it('cost: showback by team, budgets with forecast, recommendations with savings', async () => {
    await open('cost');
    const table = page.getByRole('region', { name: 'cost by team' });
    await table.getByText('payments').waitFor();
    expect(await table.getByText('idle capacity').count()).toBe(1);
    expect(await page.getByTestId('cost-total').textContent()).toMatch(/Total \$\d+\.\d\d\/month/);
    await page.getByRole('region', { name: 'budgets' }).getByText('team-payments').waitFor();
    await page.getByTestId('savings').waitFor();
    await page.getByRole('button', { name: 'provider' }).click();
    const byProvider = page.getByRole('region', { name: 'cost by provider' });
    await byProvider.getByText('gcp').waitFor();
    // By provider, each row is its clusters' whole bill: no idle-capacity row, idle and fees as columns.
    expect(await byProvider.getByText('idle capacity').count()).toBe(0);
    await byProvider.getByRole('columnheader', { name: 'of which fees' }).waitFor();
    await page.getByRole('button', { name: 'team' }).click();
    await shot('cost');
  });

  it('compliance: policy verdicts, residency map and the verified audit log', async () => {
    await open('compliance');
    const verdicts = page.getByRole('region', { name: 'policy verdicts' });
    await verdicts.getByRole('cell', { name: 'allowed-registries' }).waitFor();
    expect(await verdicts.locator('tbody tr').count()).toBe(9);
    expect(await verdicts.locator('.badge.bad').count()).toBe(0);
    await expect.poll(() => page.getByTestId('stat-chain').textContent()).toContain('verified');
    expect(await page.getByTestId('stat-crossings').textContent()).toContain('0');
    await page.getByRole('region', { name: 'residency per workload' }).getByText('payments/payments-api').waitFor();
    expect(await page.getByRole('region', { name: 'audit log' }).locator('tbody tr').count()).toBeGreaterThan(10);
    await shot('compliance');
  });

  it('fail provider: traffic shifts off the failed provider and the timeline shows the recovery', async () => {
    // The provider to fail is one that serves the EU payments API right now.
    const api = `${fleet.url}/apis/truststram.io/v1alpha1`;
    const wl = (await (await fetch(`${api}/namespaces/payments/workloads/payments-api`)).json()) as { status: { clusters: { cluster: string }[] } };
    const victim = wl.status.clusters[0]!.cluster;
    const clusters = (await (await fetch(`${api}/clusters`)).json()) as { items: { metadata: { name: string }; spec: { provider: string; residency: string } }[] };
    const provider = clusters.items.find((c) => c.metadata.name === victim)!.spec.provider;
    const survivors = clusters.items.filter((c) => c.spec.provider !== provider && c.spec.residency === 'eu').map((c) => c.metadata.name);
    const share = async (c: string) => parseInt((await page.getByTestId(`share-${c}`).textContent({ timeout: 2000 }).catch(() => '0')) ?? '0', 10);

    await open('traffic');
    await expect.poll(() => share(victim), { timeout: 20_000 }).toBeGreaterThan(0);
    await open('failover');
    await page.getByRole('button', { name: `fail provider ${provider}` }).click();
    const dialog = page.getByRole('alertdialog');
    await dialog.getByText(`Fail provider ${provider}?`).waitFor();
    await dialog.getByRole('button', { name: 'Fail it' }).click();
    await page.getByTestId('chaos-message').getByText(`Failed provider ${provider}.`).waitFor();
    await expect.poll(() => page.getByRole('button', { name: `fail provider ${provider}` }).isDisabled()).toBe(true);

    // Traffic: within seconds no request is served by the failed provider; the other EU clusters serve all of it.
    await open('traffic');
    await expect.poll(() => share(victim), { timeout: 30_000, interval: 500 }).toBe(0);
    await expect.poll(async () => (await Promise.all(survivors.map(share))).reduce((a, b) => a + b, 0), { timeout: 10_000 }).toBeGreaterThanOrEqual(99);
    await page.waitForTimeout(4000);
    await shot('traffic');

    // Failover timeline: the incident on the failed cluster with a measured recovery time.
    await open('failover');
    const incident = page.getByTestId('incident').filter({ hasText: `cluster ${victim} went down` }).first();
    await incident.getByText(/recovered in/).first().waitFor({ timeout: 60_000 });
    expect(await incident.getByTestId('recovery').first().textContent()).toMatch(/\d+(\.\d)? (ms|s)/);
    await shot('failover');

    await page.getByRole('button', { name: `restore provider ${provider}` }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Restore it' }).click();
    await page.getByTestId('chaos-message').getByText(`Restored provider ${provider}.`).waitFor();
    // No client request failed while the provider went down (GETs are retried elsewhere).
    expect(fleet.load.sent).toBeGreaterThan(100);
    expect(fleet.load.failed).toBe(0);
  }, 150_000);

  it('keyboard: number keys switch views and focus lands on the page title', async () => {
    await open('overview');
    await page.keyboard.press('3');
    await page.waitForURL(/\/ui\/workloads$/);
    // Focus moves in an effect after the new page renders, a moment after the URL changes.
    await page.waitForFunction(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id === 'page-title', undefined, { timeout: 5000 });
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id)).toBe('page-title');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { tagName: string } | null } }).document.activeElement?.tagName)).toMatch(/^(A|DIV)$/);
    await page.goBack();
    await page.waitForURL(/\/ui\/overview$/);
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  });

  it('unknown pages and missing objects say so', async () => {
    await open('workloads/payments/nope');
    await page.getByText('Workload payments/nope does not exist.').waitFor();
    await open('clusters/nope');
    await page.getByText('Cluster nope does not exist.').waitFor();
    await open('no-such-view');
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    expect(pageErrors).toEqual([]);
  });
});

describe.skipIf(!hasChromium)('dashboard without a fleet', () => {
  let server: RunningServer | undefined;
  let b: Browser;

  beforeAll(async () => {
    ensureUiBuilt();
    b = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  }, 60_000);

  afterAll(async () => {
    await b?.close();
    await server?.close();
    await removeTempDirs();
  });

  it('shows "no clusters yet", then "unreachable" when the server goes away, and the unavailable views', async () => {
    server = await startServer({ dataDir: await tempDir(), listen: '127.0.0.1:0', views: uiViews(), log: () => undefined });
    const p = await b.newPage({ viewport: { width: 1440, height: 900 } });
    await p.goto(`${server.url}/ui/`);
    await p.getByTestId('no-clusters').waitFor();
    await p.goto(`${server.url}/ui/traffic`);
    await p.getByTestId('unavailable').waitFor();
    await p.goto(`${server.url}/ui/failover`);
    await p.getByTestId('chaos-unavailable').waitFor();
    await server.close();
    server = undefined;
    await p.getByTestId('unreachable').waitFor({ timeout: 20_000 });
    expect(await p.getByTestId('link-state').textContent()).toContain('offline');
  });
});
