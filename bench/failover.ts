// bench:failover — the provider-outage GameDay (examples/gameday/provider-outage.gameday) at
// 1,000 GETs/s through the gateway, repeated on a fresh control plane each run so every run
// starts from the same placement. Each run: a real `truststram server --allow-chaos` (its own
// process, six managed local agents, real replica processes), the example fleet and workloads
// applied, then `chaos run`'s runner in this process: a gateway fed by the API (as
// `truststram gateway` runs), an open-loop undici load, AWS failed at 3 s (every AWS agent
// SIGKILLed with its replicas) and restored at 14 s.
// Measured per run, from what happened: failed GETs, trafficRecoveredMs (fault → last request
// the gateway routed or retried to an AWS cluster, from its access log), capacityRestoredMs
// (fault → every affected workload at its desired ready replicas outside AWS, from status),
// residency violations (requests answered and replicas placed outside a workload's
// jurisdiction). Reported as p50/p99 over the runs. Failure detection is the real one: the
// agents' leases (3 × 500 ms heartbeat) expire; chaos does not tell the control plane.
// Targets (issue 5): 0 failed GETs; trafficRecovered ≤ 500 ms; capacityRestored ≤ 3,000 ms; 0 violations.
// Writes bench/results/failover.json (failover-haproxy.json with --data-plane haproxy). Flags:
// --runs N (10), --rate N (1000), --quick (3 runs), --data-plane node|haproxy (the runner's gateway).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Table from 'cli-table3';
import { own } from './lib/children.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCENARIO = join(ROOT, 'examples', 'gameday', 'provider-outage.gameday');
const self = fileURLToPath(import.meta.url);

if (process.argv[2] === '--server-child') await serverChild(process.argv.slice(3));
else await main();

/** Child mode: `truststram server ARGS` from source (the agents it starts run from source too). */
async function serverChild(args: string[]): Promise<void> {
  const { main: cli } = await import('../src/cli/main.js');
  await cli(['node', 'truststram', 'server', ...args]);
}

interface RunResult {
  run: number;
  failedRequests: number;
  totalRequests: number;
  achievedRate: number;
  trafficRecoveredMs: number | null;
  capacityRestoredMs: number | null;
  /** Fault → every AWS cluster NotReady (lease expiry), and → placements moved off AWS. */
  detectedMs: number | null;
  replacedMs: number | null;
  residencyViolations: number;
  affected: string[];
  failures: Record<string, number>;
  /** When failed requests were sent, ms after the load started (the fault is at 3,000, the restore at 14,000). */
  failedSentAtMs: [number, number][];
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string' }, rate: { type: 'string' }, quick: { type: 'boolean' }, 'data-plane': { type: 'string' } } });
  const dataPlane = (values['data-plane'] ?? 'node') as 'node' | 'haproxy';
  if (dataPlane !== 'node' && dataPlane !== 'haproxy') throw new Error(`--data-plane must be node or haproxy, not ${String(dataPlane)}`);
  const runs = Number(values.runs ?? (values.quick ? 3 : 10));
  const rate = Number(values.rate ?? 1000);
  const { loadScenario, runScenario } = await import('../src/chaos/index.js');
  const base = await loadScenario(SCENARIO);
  // A wider pool at 1,000/s: the open loop must never queue behind a slow answer.
  const scenario = { ...base, load: { ...base.load, rate, connections: 256 } };
  process.stderr.write(`bench:failover — ${scenario.name} at ${rate} GETs/s, ${runs} runs, fresh control plane each\n`);
  const results: RunResult[] = [];
  for (let run = 1; run <= runs; run++) {
    const dir = mkdtempSync(join(tmpdir(), 'truststram-bench-failover-'));
    const server = await startServer(dir);
    try {
      await applyExamples(server.url);
      const report = await runScenario({ server: server.url, scenario, dataPlane, log: (l) => process.stderr.write(`  [run ${run}] ${l}\n`) });
      const f = report.faults[0]!;
      const r: RunResult = {
        run,
        failedRequests: report.totals.failedRequests,
        totalRequests: report.totals.totalRequests,
        achievedRate: report.load.achievedRate,
        trafficRecoveredMs: f.trafficRecoveredMs,
        capacityRestoredMs: f.capacityRestoredMs,
        detectedMs: f.detectedMs,
        replacedMs: f.replacedMs,
        residencyViolations: report.totals.residencyViolations,
        affected: f.affectedWorkloads,
        failures: Object.fromEntries(Object.entries(report.totals.failures).map(([k, v]) => [k, v.count])),
        failedSentAtMs: Object.values(report.totals.failures).map((v) => [v.firstMs, v.lastMs] as [number, number]),
      };
      results.push(r);
      process.stderr.write(`  [run ${run}] failed ${r.failedRequests}/${r.totalRequests}, traffic ${r.trafficRecoveredMs} ms, capacity ${r.capacityRestoredMs} ms (detected ${r.detectedMs}, re-placed ${r.replacedMs}), violations ${r.residencyViolations}${r.failedRequests ? `; failures ${JSON.stringify(r.failures)} sent at ${JSON.stringify(r.failedSentAtMs)} ms; samples ${JSON.stringify(f.failedSamples)}` : ''}\n`);
    } finally {
      await stop(server.proc);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  summarise(results, { runs, rate, dataPlane });
}

function pct(xs: number[], q: number): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

function summarise(results: RunResult[], cfg: { runs: number; rate: number; dataPlane: string }): void {
  const metric = (f: (r: RunResult) => number | null) => results.map(f).filter((x): x is number => x !== null);
  const never = (f: (r: RunResult) => number | null) => results.filter((r) => f(r) === null).length;
  const rows = [
    { name: 'failed GETs', xs: metric((r) => r.failedRequests), target: 0, never: 0 },
    { name: 'trafficRecoveredMs', xs: metric((r) => r.trafficRecoveredMs), target: 500, never: never((r) => r.trafficRecoveredMs) },
    { name: 'capacityRestoredMs', xs: metric((r) => r.capacityRestoredMs), target: 3000, never: never((r) => r.capacityRestoredMs) },
    { name: 'residencyViolations', xs: metric((r) => r.residencyViolations), target: 0, never: 0 },
  ];
  const phases = [
    { name: 'detectedMs (lease expiry)', xs: metric((r) => r.detectedMs) },
    { name: 'replacedMs (placements moved)', xs: metric((r) => r.replacedMs) },
  ];
  const perRun = new Table({ head: ['run', 'requests', 'req/s', 'failed', 'traffic recovered', 'detected', 're-placed', 'capacity restored', 'violations'] });
  for (const r of results) perRun.push([r.run, r.totalRequests, r.achievedRate, r.failedRequests, r.trafficRecoveredMs ?? 'never', r.detectedMs ?? 'never', r.replacedMs ?? 'never', r.capacityRestoredMs ?? 'never', r.residencyViolations]);
  const summary = new Table({ head: ['metric', 'p50', 'p99', 'max', 'target', 'met'] });
  const out = rows.map((m) => {
    const p99 = pct(m.xs, 0.99);
    const met = m.never === 0 && p99 !== null && p99 <= m.target;
    summary.push([m.name, pct(m.xs, 0.5) ?? '-', p99 ?? '-', Math.max(...m.xs, 0), `≤ ${m.target}`, met ? 'yes' : m.never ? `NO (${m.never} never)` : 'NO']);
    return { metric: m.name, p50: pct(m.xs, 0.5), p99, max: m.xs.length ? Math.max(...m.xs) : null, target: m.target, met, never: m.never };
  });
  for (const ph of phases) summary.push([ph.name, pct(ph.xs, 0.5) ?? '-', pct(ph.xs, 0.99) ?? '-', Math.max(...ph.xs, 0), '(part of capacity)', '']);
  process.stdout.write(`\nPer run\n${perRun.toString()}\n\nOver ${results.length} runs (p99 of ${results.length} runs is their maximum)\n${summary.toString()}\n`);
  const machine = { cpus: cpus().length, model: cpus()[0]?.model ?? '?', memGiB: Math.round(totalmem() / 2 ** 30), loadavg: loadavg().map((x) => Math.round(x * 10) / 10), node: process.version };
  process.stdout.write(`Machine: ${machine.cpus} × ${machine.model}, ${machine.memGiB} GiB, load ${machine.loadavg.join(' ')}, Node ${machine.node}\n`);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', cfg.dataPlane === 'node' ? 'failover.json' : `failover-${cfg.dataPlane}.json`), JSON.stringify({ date: new Date().toISOString(), scenario: 'provider-outage', dataPlane: cfg.dataPlane, rate: cfg.rate, runs: cfg.runs, machine, summary: out, results }, null, 2) + '\n');
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => done(p));
    });
    s.on('error', fail);
  });
}

async function startServer(dir: string): Promise<{ url: string; proc: ChildProcess }> {
  const port = await freePort();
  const proc = own(spawn(process.execPath, ['--import', 'tsx', self, '--server-child', '--data-dir', join(dir, 'data'), '--listen', `127.0.0.1:${port}`, '--allow-chaos', '--gateway-listen', '127.0.0.1:0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  }));
  let out = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const end = Date.now() + 60_000;
  while (!/listening on http/.test(out)) {
    if (proc.exitCode !== null || Date.now() > end) throw new Error(`server did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url: `http://127.0.0.1:${port}`, proc };
}

async function applyExamples(url: string): Promise<void> {
  const { main: cli } = await import('../src/cli/main.js');
  let err = '';
  const io = { stdout: { write: () => true }, stderr: { write: (s: string) => ((err += s), true) }, env: { TRUSTSTRAM_SERVER: url } };
  const code = await cli(['node', 'truststram', 'apply', '-f', join(ROOT, 'examples', 'fleet.yaml'), '-f', join(ROOT, 'examples', 'workloads.yaml')], io as never);
  if (code !== 0) throw new Error(`apply failed: ${err}`);
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  const t = setTimeout(() => proc.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(t);
}
