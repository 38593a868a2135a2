// Reconcile benchmark (issue 4). Workload: 20 local clusters (10 EU, 10 US, AWS/Azure/GCP) run by
// server-managed agents with SIMULATED replicas (one in-agent HTTP responder per replica, as
// KWOK's fake pods), and 1,000 workloads × 3 replicas (half EU-resident, half US) applied in one
// atomic apply. The control plane is the real `truststram server` as a child process (SQLite in
// a temp dir); this process is only a client that watches Workloads over the HTTP API.
// Measures: apply → every workload ready (status.readyReplicas = 3 at its generation); p50/p99
// from a change (scale one workload 3 → 4, 50 samples, one at a time) to convergence as a user
// sees it (status.readyReplicas = desired); control-plane peak RSS (VmHWM of the server process).
// Targets: all ready ≤ 10 s; change-to-converged p99 ≤ 1 s; server peak RSS ≤ 300 MB.
// Writes bench/results/reconcile.json.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Table from 'cli-table3';
import { ensureBuilt } from '../test/e2e/harness.js';
import { own } from './lib/children.js';

const ROOT = dirname(fileURLToPath(import.meta.url));
const BIN = join(ROOT, '..', 'bin', 'truststram');
const API = '/apis/truststram.io/v1alpha1';
const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 20);
const WORKLOADS = Number(process.env.BENCH_WORKLOADS ?? 1000);
const REPLICAS = 3;
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 50);
const TARGETS = { allReadyS: 10, changeP99Ms: 1000, rssMB: 300 };

const REGIONS = [
  ['aws', 'eu-west-1'], ['aws', 'eu-central-1'], ['azure', 'westeurope'], ['azure', 'northeurope'], ['gcp', 'europe-west1'],
  ['aws', 'us-east-1'], ['aws', 'us-west-2'], ['azure', 'eastus'], ['azure', 'westus2'], ['gcp', 'us-central1'],
] as const;

function clusterObject(i: number) {
  const [provider, region] = REGIONS[(i % 2) * 5 + (Math.floor(i / 2) % 5)]!;
  return {
    apiVersion: 'truststram.io/v1alpha1',
    kind: 'Cluster',
    metadata: { name: `${provider}-${region}-${i}`, labels: { bench: 'reconcile' } },
    spec: {
      provider,
      region,
      capacity: { cpu: '64', memory: '256Gi', pods: 1000 },
      pricing: { cpuHour: 0.03 + (i % 7) * 0.002, memoryGiBHour: 0.004 },
      driver: { type: 'local', simulated: true },
    },
  };
}

function workloadObject(i: number) {
  return {
    apiVersion: 'truststram.io/v1alpha1',
    kind: 'Workload',
    metadata: { name: `svc-${i}`, namespace: `team-${i % 10}`, labels: { bench: 'reconcile' } },
    spec: {
      image: 'registry.example/echo:1.0',
      command: ['node', 'examples/apps/echo.mjs'],
      replicas: REPLICAS,
      resources: { cpu: '100m', memory: '64Mi' },
      ports: [{ name: 'http', port: 8080 }],
      healthCheck: { path: '/healthz' },
      placement: { residency: i % 2 === 0 ? 'eu' : 'us' },
    },
  };
}

async function request<T>(url: string, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
  const res = await fetch(url + path, { method, headers: body ? { 'content-type': contentType } : {}, ...(body ? { body: JSON.stringify(body) } : {}), signal: AbortSignal.timeout(120_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

interface WorkloadState {
  generation: number;
  observedGeneration?: number;
  desired?: number;
  ready?: number;
}

/** Keeps every workload's readiness from one list + watch, and wakes waiters on each change. */
async function watchWorkloads(url: string, signal: AbortSignal) {
  const state = new Map<string, WorkloadState>();
  const waiters = new Set<() => void>();
  type W = { metadata: { namespace: string; name: string; generation: number }; status?: { observedGeneration?: number; desiredReplicas?: number; readyReplicas?: number } };
  const put = (w: W) => state.set(`${w.metadata.namespace}/${w.metadata.name}`, { generation: w.metadata.generation, ...(w.status ? { observedGeneration: w.status.observedGeneration, desired: w.status.desiredReplicas, ready: w.status.readyReplicas } : {}) });
  const list = await request<{ items: W[]; metadata: { resourceVersion: string } }>(url, 'GET', `${API}/workloads`);
  list.items.forEach(put);
  const res = await fetch(`${url}${API}/workloads?watch=true&resourceVersion=${list.metadata.resourceVersion}`, { signal });
  const done = (async () => {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (!line) continue;
          const ev = JSON.parse(line) as { type: string; object: W };
          if (ev.type === 'DELETED') state.delete(`${ev.object.metadata.namespace}/${ev.object.metadata.name}`);
          else if (ev.type === 'ADDED' || ev.type === 'MODIFIED') put(ev.object);
        }
        for (const w of [...waiters]) w();
      }
    } catch (err) {
      if (!signal.aborted) throw err;
    }
  })();
  const until = (cond: () => boolean, ms: number, what: string) =>
    new Promise<void>((resolve, reject) => {
      if (cond()) return resolve();
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
      }, ms);
      const check = () => {
        if (!cond()) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
    });
  return { state, until, done };
}

const converged = (s: WorkloadState | undefined, want: number) => !!s && s.observedGeneration === s.generation && s.desired === want && s.ready === want;

function startServer(dataDir: string): Promise<{ url: string; proc: ChildProcess; log: () => string }> {
  return new Promise((resolve, reject) => {
    // BENCH_SERVER_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) profiles the control plane.
    const nodeArgs = process.env.BENCH_SERVER_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [];
    const proc = own(spawn(process.execPath, [...nodeArgs, BIN, 'server', '--data-dir', dataDir, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] }));
    let out = '';
    const keep = (d: Buffer) => (out = (out + d.toString()).slice(-20_000));
    proc.stderr!.on('data', keep);
    proc.stdout!.on('data', (d: Buffer) => {
      keep(d);
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ url: m[1]!, proc, log: () => out });
    });
    proc.on('exit', (code) => reject(new Error(`server exited (${code}):\n${out}`)));
  });
}

function procStatus(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const line of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
      const m = /^(VmHWM|VmRSS):\s+(\d+) kB/.exec(line);
      if (m) out[m[1]!] = Number(m[2]) / 1024;
    }
  } catch {
    /* gone */
  }
  return out;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

async function main() {
  await ensureBuilt();
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
  console.log(`reconcile benchmark: ${CLUSTERS} clusters (simulated replicas), ${WORKLOADS} workloads × ${REPLICAS} replicas, ${SAMPLES} change samples`);
  console.log(`machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, node ${machine.node}\n`);
  const dir = await mkdtemp(join(tmpdir(), 'truststram-bench-reconcile-'));
  const server = await startServer(join(dir, 'data'));
  const abort = new AbortController();
  try {
    const { url } = server;
    console.log(`control plane: ${url} (pid ${server.proc.pid})`);
    const t0 = performance.now();
    await request(url, 'POST', '/api/v1alpha1/apply', { items: Array.from({ length: CLUSTERS }, (_, i) => clusterObject(i)) });
    for (;;) {
      const cs = await request<{ items: { status?: { phase?: string } }[] }>(url, 'GET', `${API}/clusters`);
      if (cs.items.filter((c) => c.status?.phase === 'Ready').length === CLUSTERS) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const fleetUpMs = performance.now() - t0;
    console.log(`fleet: ${CLUSTERS} agents Ready in ${(fleetUpMs / 1000).toFixed(2)} s`);

    const watch = await watchWorkloads(url, abort.signal);
    const keys = Array.from({ length: WORKLOADS }, (_, i) => `team-${i % 10}/svc-${i}`);
    const t1 = performance.now();
    await request(url, 'POST', '/api/v1alpha1/apply', { items: Array.from({ length: WORKLOADS }, (_, i) => workloadObject(i)) });
    const applyMs = performance.now() - t1;
    let progress = 0;
    const ticker = setInterval(() => {
      const n = keys.filter((k) => converged(watch.state.get(k), REPLICAS)).length;
      if (n !== progress) process.stdout.write(`  ${((performance.now() - t1) / 1000).toFixed(1)} s: ${n}/${WORKLOADS} workloads ready\n`);
      progress = n;
    }, 1000);
    await watch.until(() => keys.every((k) => converged(watch.state.get(k), REPLICAS)), 180_000, 'every workload ready').finally(() => clearInterval(ticker));
    const allReadyMs = performance.now() - t1;
    console.log(`apply (1 request, ${WORKLOADS} workloads) ${applyMs.toFixed(0)} ms; all ${WORKLOADS * REPLICAS} replicas ready ${(allReadyMs / 1000).toFixed(2)} s after the apply started`);

    // Change → converged: scale one workload at a time to 4 replicas, as a user would.
    const samples: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const idx = Math.floor((i * WORKLOADS) / SAMPLES) + 1;
      const [ns, name] = keys[idx % WORKLOADS]!.split('/') as [string, string];
      const t = performance.now();
      await request(url, 'PATCH', `${API}/namespaces/${ns}/workloads/${name}`, { spec: { replicas: REPLICAS + 1 } }, 'application/merge-patch+json');
      await watch.until(() => converged(watch.state.get(`${ns}/${name}`), REPLICAS + 1), 30_000, `${ns}/${name} scaled`);
      samples.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 20));
    }
    const mem = procStatus(server.proc.pid!);
    const result = {
      benchmark: 'reconcile',
      date: new Date().toISOString(),
      machine,
      scenario: { clusters: CLUSTERS, workloads: WORKLOADS, replicasPerWorkload: REPLICAS, simulatedReplicas: true, samples: SAMPLES, controlPlane: 'truststram server (child process, SQLite in a temp dir, managed agents)' },
      fleetUpMs: Math.round(fleetUpMs),
      applyMs: Math.round(applyMs),
      allReadyMs: Math.round(allReadyMs),
      changeToConverged: { p50Ms: Math.round(pct(samples, 50)), p99Ms: Math.round(pct(samples, 99)), maxMs: Math.round(Math.max(...samples)), samplesMs: samples.map((s) => Math.round(s)) },
      serverPeakRssMB: Math.round(mem.VmHWM ?? NaN),
      serverRssMB: Math.round(mem.VmRSS ?? NaN),
      targets: TARGETS,
    };
    const ok = { ready: result.allReadyMs <= TARGETS.allReadyS * 1000, change: result.changeToConverged.p99Ms <= TARGETS.changeP99Ms, rss: result.serverPeakRssMB <= TARGETS.rssMB };
    const table = new Table({ head: ['metric', 'measured', 'target', 'met'] });
    table.push(
      [`apply → all ${WORKLOADS * REPLICAS} replicas ready`, `${(result.allReadyMs / 1000).toFixed(2)} s`, `≤ ${TARGETS.allReadyS} s`, ok.ready ? 'yes' : 'NO'],
      ['change → converged p50', `${result.changeToConverged.p50Ms} ms`, '', ''],
      ['change → converged p99', `${result.changeToConverged.p99Ms} ms`, `≤ ${TARGETS.changeP99Ms} ms`, ok.change ? 'yes' : 'NO'],
      ['control-plane peak RSS (VmHWM)', `${result.serverPeakRssMB} MB`, `≤ ${TARGETS.rssMB} MB`, ok.rss ? 'yes' : 'NO'],
    );
    console.log(`\n${table.toString()}`);
    mkdirSync(join(ROOT, 'results'), { recursive: true });
    writeFileSync(join(ROOT, 'results', 'reconcile.json'), JSON.stringify({ ...result, met: ok }, null, 2) + '\n');
    console.log('wrote bench/results/reconcile.json');
    abort.abort();
  } catch (err) {
    console.error(server.log().slice(-4000));
    throw err;
  } finally {
    abort.abort();
    // A graceful stop stops the agents (and their simulated replicas) too.
    server.proc.removeAllListeners('exit');
    if (server.proc.exitCode === null && server.proc.signalCode === null) {
      const exited = new Promise((r) => server.proc.once('exit', r));
      server.proc.kill('SIGTERM');
      const killer = setTimeout(() => server.proc.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
