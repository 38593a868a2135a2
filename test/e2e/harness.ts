// End-to-end harness: builds dist/ once when src/ is newer, runs the real `bin/truststram`
// as a child process, starts `truststram server` processes on port 0, and snapshots the
// store revision and audit chain through the API. Every process it starts is tracked and
// killed by `killAll()` (call it in afterAll), so no test leaves an orphan behind.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const BIN = join(ROOT, 'bin', 'truststram');
export const EXAMPLES = join(ROOT, 'examples');

const children = new Set<ChildProcess>();

function newestMtime(dir: string, filter: (name: string) => boolean): number {
  let max = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !filter(e.name)) continue;
    max = Math.max(max, statSync(join(e.parentPath, e.name)).mtimeMs);
  }
  return max;
}

/**
 * Compiles src/ into dist/ when any source is newer than the compiled CLI. Test files run in
 * parallel workers, so a lock directory makes sure only one of them builds.
 */
export async function ensureBuilt(): Promise<void> {
  const lock = join(ROOT, 'dist', '.e2e-build-lock');
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  const stale = () => {
    let built = 0;
    try {
      built = statSync(join(ROOT, 'dist', 'cli', 'main.js')).mtimeMs;
    } catch {
      return true;
    }
    return newestMtime(join(ROOT, 'src'), (n) => n.endsWith('.ts') && !n.endsWith('.test.ts')) > built;
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (!stale()) return;
    try {
      mkdirSync(lock);
    } catch {
      // Another worker is building; a lock older than two minutes is left over from a crash.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        /* gone already */
      }
      if (Date.now() > deadline) throw new Error('timed out waiting for another worker to build dist/');
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    try {
      if (stale()) {
        const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
        // tsc still emits when other components have type errors; the CLI tests can run on that.
        if (r.status !== 0) process.stderr.write(`e2e: build reported errors (continuing with what was emitted):\n${r.stdout.slice(0, 2000)}\n`);
      }
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
    return;
  }
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `truststram ARGS` with TRUSTSTRAM_SERVER set to `server` (when given). */
export function cli(args: string[], opts: { server?: string; input?: string | Buffer; env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((done, fail) => {
    const env: Record<string, string | undefined> = { ...process.env, ...opts.env, NO_COLOR: '1' };
    if (opts.server) env.TRUSTSTRAM_SERVER = opts.server;
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
      done({ code, stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

/** Starts a long-running CLI command (`get --watch`); read its output as it arrives, stop it with `proc.kill()`. */
export function spawnCli(args: string[], opts: { server?: string; env?: Record<string, string> } = {}): { proc: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const env: Record<string, string | undefined> = { ...process.env, ...opts.env, NO_COLOR: '1' };
  if (opts.server) env.TRUSTSTRAM_SERVER = opts.server;
  const proc = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(proc);
  let out = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => (children.delete(proc), r(code))));
  return { proc, output: () => out, exited };
}

/** Polls `cond` (which may ask a server) every 50 ms until it holds or `ms` pass. */
export async function waitFor(cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

export interface ServerProcess {
  url: string;
  dataDir: string;
  proc: ChildProcess;
  /** Output so far (for diagnostics when a test fails). */
  log(): string;
  /** SIGTERM and wait for exit (SIGKILL after 5 s); resolves to the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, no cleanup: the crash test. */
  kill(): Promise<void>;
}

const tempDirs = new Set<string>();

/** A fresh temporary data directory, removed by `killAll()` / `removeTempDirs()`. */
export async function tempDir(prefix = 'truststram-e2e-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

/** Removes the temporary directories this test file made (after its processes are gone). */
export async function removeTempDirs(): Promise<void> {
  await Promise.all([...tempDirs].map((d) => rm(d, { recursive: true, force: true })));
  tempDirs.clear();
}

/**
 * Starts `truststram server --listen 127.0.0.1:0` and waits for the URL it prints. By default
 * the API alone (`--no-controllers`): tests that compare the store before and after a request
 * must see only their own writes. Pass `[]` for the whole control plane.
 */
export function startServerProcess(dataDir: string, extraArgs: string[] = ['--no-controllers']): Promise<ServerProcess> {
  return new Promise((done, fail) => {
    const proc = spawn(process.execPath, [BIN, 'server', '--data-dir', dataDir, '--listen', '127.0.0.1:0', ...extraArgs], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(proc);
    let out = '';
    const exited = new Promise<number | null>((r) => proc.on('exit', (code) => (children.delete(proc), r(code))));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      fail(new Error(`server did not start within 20 s:\n${out}`));
    }, 20_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      const url = m[1]!;
      done({
        url,
        dataDir,
        proc,
        log: () => out,
        async stop() {
          if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
          proc.kill('SIGTERM');
          const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
          const code = await exited;
          clearTimeout(t);
          return code;
        },
        async kill() {
          if (proc.exitCode !== null || proc.signalCode !== null) return;
          proc.kill('SIGKILL');
          await exited;
        },
      });
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    proc.on('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`server exited with ${code} before listening:\n${out}`));
    });
  });
}

/** Kills every child still running. Call in afterAll. */
export async function killAll(): Promise<void> {
  const waits = [...children].map(
    (c) =>
      new Promise<void>((r) => {
        if (c.exitCode !== null || c.signalCode !== null) return r();
        c.once('exit', () => r());
        c.kill('SIGKILL');
      }),
  );
  await Promise.all(waits);
  children.clear();
  await removeTempDirs();
}

/** How many children the harness still tracks (asserted to be 0 at the end). */
export function liveChildren(): number {
  return [...children].filter((c) => c.exitCode === null && c.signalCode === null).length;
}

/** GET a JSON document from the server. */
export async function getJson<T = any>(server: string, path: string): Promise<T> {
  const res = await fetch(server + path);
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** What must not change when an apply is rejected: the store revision and the whole audit chain. */
export async function snapshot(server: string): Promise<{ revision: string; audit: string }> {
  const list = await getJson<{ metadata: { resourceVersion: string } }>(server, '/apis/truststram.io/v1alpha1/clusters');
  const res = await fetch(server + '/api/v1alpha1/audit/export');
  return { revision: list.metadata.resourceVersion, audit: await res.text() };
}
