// `truststram demo`: a server on SQLite in a temporary folder with the examples applied, a
// summary, and what to try next; runs until Ctrl-C or --duration, then cleans up. The work is
// a list of stages so later features (the embedded fleet's agents, the gateway) add a stage.
import { mkdir, mkdtemp, open, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option, type Command } from 'commander';
import { ValidationError } from '../../api/index.js';
import { DEFAULT_SERVER, createClient, resourcePath, type Client, type ListResponse } from '../client.js';
import { columnsFor, rowsFor } from '../columns.js';
import { loadControlPlane, loadInstanceSizer, type RunningServer } from '../components.js';
import type { CliContext } from '../context.js';
import { loadManifests } from '../manifests.js';
import { formatTable, type Out } from '../output.js';
import { onPathOption } from '../fs-options.js';
import type { DataPlane } from '../../gateway/index.js';
import type { ObservedGateway } from '../../chaos/index.js';
import { applyObjects } from './apply.js';
import { untilStopped } from './server.js';

/** The examples shipped in the package (same relative place from src/ and dist/). */
export const EXAMPLES_DIR = fileURLToPath(new URL('../../../examples/', import.meta.url));
/** The baseline policy pack the demo enforces. */
export const BASELINE_DIR = fileURLToPath(new URL('../../../policies/baseline/', import.meta.url));
/** The package root: replicas' commands (`node examples/apps/echo.mjs`) resolve from here. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface DemoContext {
  server: RunningServer;
  client: Client;
  dataDir: string;
  examplesDir: string;
  out: Out;
  err: Out;
  /** Commands each stage suggests, printed under "Try next". */
  hints: string[];
  /** The control plane's in-process gateway, unless disabled. */
  gateway?: ObservedGateway;
}

/** One step of the demo; may return a cleanup run (in reverse order) when the demo stops. */
export interface DemoStage {
  name: string;
  run(ctx: DemoContext): Promise<void | (() => Promise<void>)>;
}

/** Applies the baseline policies and every manifest in examples/ (not the apps, not gameday scenarios) in one atomic apply. */
export const applyExamplesStage: DemoStage = {
  name: 'apply examples',
  async run(ctx) {
    const entries = await readdir(ctx.examplesDir, { withFileTypes: true });
    const paths = entries
      .filter((e) => (e.isDirectory() ? !['apps', 'gameday'].includes(e.name) : /\.(ya?ml|json)$/i.test(e.name)))
      .map((e) => join(ctx.examplesDir, e.name))
      .sort();
    if (!paths.length) throw new Error(`no example manifests in ${ctx.examplesDir}`);
    const objects = await loadManifests([BASELINE_DIR, ...paths]);
    const res = await applyObjects(ctx.client, objects);
    ctx.out.write(`Applied ${res.results.length} objects: the baseline policy pack and ${ctx.examplesDir}\n\n`);
  },
};

interface WorkloadView {
  metadata: { name: string; namespace: string };
  spec: { replicas: number };
  status?: { readyReplicas?: number; desiredReplicas?: number; clusters?: { cluster: string; replicas: number; readyReplicas: number }[]; costPerHour?: number; conditions?: { type: string; status: string; reason?: string }[] };
}

/** Waits until every workload has all its replicas ready (or 90 s), showing progress. */
export const convergeStage: DemoStage = {
  name: 'converge',
  async run(ctx) {
    const started = Date.now();
    const tty = (ctx.out as { isTTY?: boolean }).isTTY === true;
    let last = '';
    for (;;) {
      const list = await ctx.client.request<ListResponse<WorkloadView>>('GET', resourcePath({ plural: 'workloads', namespaced: true }));
      const want = list.items.reduce((a, w) => a + (w.status?.desiredReplicas ?? w.spec.replicas), 0);
      const ready = list.items.reduce((a, w) => a + (w.status?.readyReplicas ?? 0), 0);
      const done = list.items.length > 0 && list.items.every((w) => (w.status?.readyReplicas ?? 0) >= (w.status?.desiredReplicas ?? w.spec.replicas) && (w.status?.desiredReplicas ?? 0) > 0);
      const line = `Converging: ${ready}/${want} replicas ready across ${list.items.length} workloads (${((Date.now() - started) / 1000).toFixed(1)} s)`;
      if (tty) ctx.out.write(`\r${line}`);
      else if (line.split('(')[0] !== last.split('(')[0]) ctx.out.write(`${line}\n`);
      last = line;
      if (done || Date.now() - started > 90_000) {
        ctx.out.write(`${tty ? '\n' : ''}${done ? `All replicas ready in ${((Date.now() - started) / 1000).toFixed(1)} s` : 'Not every replica is ready yet; see `get workloads -A` and `describe`'}\n\n`);
        return;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  },
};

/** Where every replica runs, and what it costs. */
export const placementSummaryStage: DemoStage = {
  name: 'placements',
  async run(ctx) {
    const list = await ctx.client.request<ListResponse<WorkloadView>>('GET', resourcePath({ plural: 'workloads', namespaced: true }));
    const rows = list.items.map((w) => [
      `${w.metadata.namespace}/${w.metadata.name}`,
      `${w.status?.readyReplicas ?? 0}/${w.status?.desiredReplicas ?? w.spec.replicas}`,
      (w.status?.clusters ?? []).map((c) => `${c.cluster}×${c.replicas}`).join(', ') || '-',
      `$${(w.status?.costPerHour ?? 0).toFixed(4)}`,
      `$${((w.status?.costPerHour ?? 0) * 730).toFixed(2)}`,
    ]);
    const total = list.items.reduce((a, w) => a + (w.status?.costPerHour ?? 0), 0);
    rows.push(['TOTAL', '', '', `$${total.toFixed(4)}`, `$${(total * 730).toFixed(2)}`]);
    ctx.out.write(`WHERE EVERY REPLICA RUNS\n${formatTable(['WORKLOAD', 'READY', 'CLUSTERS', 'COST/H', 'COST/MONTH'], rows)}\n`);
    ctx.hints.unshift('get placements -A', 'explain workload payments-api -n payments', 'get events -A');
  },
};

/** Prints clusters and workloads as `get` would. */
export const summaryStage: DemoStage = {
  name: 'summary',
  async run(ctx) {
    for (const [plural, namespaced] of [['clusters', false], ['workloads', true], ['policies', false], ['budgets', false]] as const) {
      const list = await ctx.client.request<ListResponse<any>>('GET', resourcePath({ plural, namespaced }));
      if (!list.items.length) continue;
      const kind = list.items[0].kind as string;
      const cols = columnsFor(kind, false, namespaced).filter((c) => c.header !== 'AGE');
      const sizer = kind === 'Cluster' ? await loadInstanceSizer() : undefined;
      ctx.out.write(`${plural.toUpperCase()}\n${formatTable(cols.map((c) => c.header), rowsFor(list.items, cols, Date.now(), sizer))}\n`);
    }
    ctx.hints.push(
      'get clusters -o wide',
      'get workloads -A',
      'describe workload payments-api -n payments',
      'plan -f examples/',
      'get regions --residency eu',
      'audit log',
      'audit verify',
    );
  },
};

/** Where traffic enters: the gateway URL and a curl per workload host. */
export const gatewayStage: DemoStage = {
  name: 'gateway',
  async run(ctx) {
    if (!ctx.gateway) return;
    const list = await ctx.client.request<ListResponse<{ spec: { traffic?: { host?: string } } }>>('GET', resourcePath({ plural: 'workloads', namespaced: true }));
    const hosts = list.items.map((w) => w.spec.traffic?.host).filter((h): h is string => !!h);
    ctx.out.write(`TRAFFIC\nThe gateway at ${ctx.gateway.url} routes by Host header to ready replicas, inside each workload's residency:\n`);
    for (const h of hosts) ctx.out.write(`  curl -i -H 'Host: ${h}' ${ctx.gateway.url}/\n`);
    ctx.out.write(`  (the x-truststram-cluster header names the serving cluster; routes and SLOs: ${ctx.gateway.url}/_truststram/routes)\n\n`);
    ctx.hints.push('chaos fail provider aws', 'chaos restore aws', `chaos run ${join(ctx.examplesDir, 'gameday', 'provider-outage.gameday')}`);
  },
};

/** `demo --chaos`: the provider-outage GameDay through the demo's own gateway, and its report. */
export const chaosStage: DemoStage = {
  name: 'chaos',
  async run(ctx) {
    const { loadScenario, runScenario, formatReport } = await import('../../chaos/index.js');
    const file = join(ctx.examplesDir, 'gameday', 'provider-outage.gameday');
    const scenario = await loadScenario(file);
    ctx.out.write(`GAMEDAY: ${scenario.name} (${file})\n${scenario.description ?? ''}\n`);
    const report = await runScenario({ server: ctx.server.url, scenario, ...(ctx.gateway ? { gateway: ctx.gateway } : {}), log: (l) => ctx.out.write(`  ${l}\n`) });
    ctx.out.write(`${formatReport(report, formatTable)}\n`);
  },
};

/** The stages of the demo, in order. */
export const DEMO_STAGES: DemoStage[] = [applyExamplesStage, convergeStage, summaryStage, placementSummaryStage, gatewayStage];

export interface DemoOptions {
  dataDir?: string;
  listen: string;
  /** Seconds to run before stopping by itself; undefined = until Ctrl-C. */
  durationS?: number;
  stages?: DemoStage[];
  examplesDir?: string;
  /** Run the in-process gateway (default true). */
  gateway?: boolean;
  /** Run the provider-outage GameDay after converging and print its report. */
  chaos?: boolean;
  /** The in-process gateway's data plane (default `node`). */
  dataPlane?: DataPlane;
}

/** Runs the demo end to end and cleans up whatever it started, whatever happens. */
export async function runDemo(ctx: CliContext, opts: DemoOptions): Promise<void> {
  const temp = opts.dataDir ? undefined : await mkdtemp(join(tmpdir(), 'truststram-demo-'));
  const dataDir = resolve(opts.dataDir ?? temp!);
  const cleanups: (() => Promise<void>)[] = [];
  let cp: ControlPlaneHandle | undefined;
  let server: RunningServer | undefined;
  try {
    cp = await (opts.dataDir
      ? onPathOption('--data-dir', opts.dataDir, 'cannot use it as the data directory', async () => {
          await mkdir(dataDir, { recursive: true });
          return start(ctx, dataDir, opts.listen, opts.gateway !== false, opts.dataPlane ?? 'node');
        })
      : start(ctx, dataDir, opts.listen, opts.gateway !== false, opts.dataPlane ?? 'node'));
    server = cp.server;
    const demo: DemoContext = { server, client: createClient(server.url), dataDir, examplesDir: opts.examplesDir ?? EXAMPLES_DIR, out: ctx.stdout, err: ctx.stderr, hints: [], ...(cp.gateway ? { gateway: cp.gateway } : {}) };
    ctx.stdout.write(`TrustStram demo: control plane at ${server.url}, state in ${dataDir}${temp ? ' (temporary)' : ''}\n`);
    ctx.stdout.write(`  API      ${server.url}/apis/truststram.io/v1alpha1\n  metrics  ${server.url}/metrics\n${cp.gateway ? `  gateway  ${cp.gateway.url}\n` : ''}  logs     ${join(dataDir, 'agents.log')} (agents and replicas)\n\n`);
    for (const stage of opts.stages ?? (opts.chaos ? [...DEMO_STAGES, chaosStage] : DEMO_STAGES)) {
      const cleanup = await stage.run(demo);
      if (cleanup) cleanups.push(cleanup);
    }
    const prefix = server.url === DEFAULT_SERVER ? 'truststram' : `truststram --server ${server.url}`;
    ctx.stdout.write(`Try next (in another terminal):\n${demo.hints.map((h) => `  ${prefix} ${h}`).join('\n')}\n\n`);
    ctx.stdout.write(opts.durationS !== undefined ? `Stopping in ${opts.durationS}s (or press Ctrl-C).\n` : 'Press Ctrl-C to stop the demo.\n');
    const ac = new AbortController();
    const timer = opts.durationS !== undefined ? setTimeout(() => ac.abort(), opts.durationS * 1000) : undefined;
    await untilStopped(ac.signal);
    if (timer) clearTimeout(timer);
  } finally {
    for (const c of cleanups.reverse()) await c().catch((err: unknown) => ctx.stderr.write(`demo cleanup failed: ${String(err)}\n`));
    if (cp) await cp.close();
    if (temp) await rm(temp, { recursive: true, force: true });
    ctx.stdout.write('Demo stopped' + (temp ? ' and its temporary state removed' : '') + '.\n');
  }
}

type ControlPlaneHandle = { server: RunningServer; gateway: DemoContext['gateway']; close(): Promise<void> };

// Prefer the well-known port so the hints work without --server; fall back to any free port.
// Agents (and the replicas they start) log to agents.log in the data dir, not the terminal.
async function start(ctx: CliContext, dataDir: string, listen: string, gateway: boolean, dataPlane: DataPlane): Promise<ControlPlaneHandle> {
  const { startControlPlane } = await loadControlPlane();
  const logFile = await open(join(dataDir, 'agents.log'), 'a');
  // Demo mode: the dashboard's and the CLI's chaos controls work without a token.
  const opts = { dataDir, demo: true, ...(gateway ? (dataPlane === 'node' ? {} : { gateway: { options: { dataPlane } } }) : { gateway: false as const }), agents: { cwd: PACKAGE_ROOT, stdio: ['ignore', logFile.fd, logFile.fd] as ('ignore' | number)[] }, log: (l: string) => void logFile.write(`${l}\n`) };
  type Started = Awaited<ReturnType<typeof startControlPlane>>;
  const withLog = (cp: Started): ControlPlaneHandle => ({
    server: cp.server,
    gateway: cp.gateway ? { url: cp.gateway.url, onAccess: (fn) => cp.onAccess(fn), flush: () => cp.gateway!.flush() } : undefined,
    close: async () => {
      await cp.close();
      await logFile.close();
    },
  });
  try {
    return withLog(await startControlPlane({ ...opts, listen }));
  } catch (err) {
    if ((err as { code?: string }).code !== 'EADDRINUSE') {
      await logFile.close();
      throw err;
    }
    ctx.stderr.write(`note: ${listen} is in use; the demo listens on a free port instead\n`);
    return withLog(await startControlPlane({ ...opts, listen: listen.replace(/:\d+$/, ':0') }));
  }
}

export function registerDemo(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description('Start the control plane on a temporary SQLite store with the six-cluster example fleet as local agents, apply the examples, wait until every replica runs, show where and at what cost; Ctrl-C stops everything and cleans up')
    .option('--data-dir <dir>', 'keep the state here instead of a temporary folder (kept after the demo)')
    .option('--listen <host:port>', 'address of the demo server', '127.0.0.1:7400')
    .option('--duration <seconds>', 'stop by itself after this many seconds', (v) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0) throw new ValidationError(`invalid --duration "${v}"`, [{ field: '--duration', message: 'must be a number of seconds >= 0' }]);
      return n;
    })
    .option('--no-gateway', 'do not run the traffic gateway')
    .addOption(new Option('--data-plane <plane>', 'what moves the gateway\'s bytes: node, or haproxy (needs apt-get install -y haproxy)').choices(['node', 'haproxy']).default('node'))
    .option('--chaos', 'after converging, run the provider-outage GameDay (examples/gameday/provider-outage.gameday) through the gateway and print its report')
    .addHelpText('after', '\nChaos is allowed in the demo (demo mode): truststram chaos fail provider aws.\n\nExamples:\n  truststram demo\n  truststram demo --chaos --duration 0\n  truststram demo --duration 60 --listen 127.0.0.1:0')
    .action(async (opts: { dataDir?: string; listen: string; duration?: number; gateway: boolean; chaos?: boolean; dataPlane: string }) => {
      if (opts.chaos && !opts.gateway) throw new ValidationError('--chaos drives its load through the gateway: drop --no-gateway', [{ field: '--chaos', message: 'needs the gateway' }]);
      await runDemo(ctx, { listen: opts.listen, gateway: opts.gateway, dataPlane: opts.dataPlane as DataPlane, ...(opts.chaos ? { chaos: true } : {}), ...(opts.dataDir ? { dataDir: opts.dataDir } : {}), ...(opts.duration !== undefined ? { durationS: opts.duration } : {}) });
    });
}
