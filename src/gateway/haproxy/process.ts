// Runs HAProxy in master-worker mode under the process wrapper (../../util/wrapper.ts),
// so it dies with this process even on SIGKILL. Reloads are HAProxy's own hitless ones: SIGUSR2
// to the master, which starts new workers on the inherited listeners while old ones finish.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { isGroupAlive, signalGroup } from '../../util/proc.js';
import { WRAPPER_SCRIPT } from '../../util/wrapper.js';

export interface HaproxyProcess {
  /** The master's pid. */
  pid: number;
  /** Re-reads the configuration; rejects (old workers keep serving) when HAProxy refuses it. */
  reload(): Promise<void>;
  /** Soft stop: the master stops its workers; SIGKILL for the whole group after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** Resolves when the master exits (`code`, `signal`). */
  exited: Promise<{ code: number | null; signal: string | null }>;
  /** The last lines HAProxy printed on stderr (for error messages). */
  stderrTail(): string;
  /** True when it runs under SCHED_BATCH (asked for, and `chrt` was there). */
  batch: boolean;
}

export interface StartHaproxyOptions {
  bin: string;
  config: string;
  /** File descriptor HAProxy's stdout goes to: the access-log file (`log stdout`). */
  stdout: number;
  /** Master notices and alerts, line by line. */
  onStderrLine?(line: string): void;
  timeoutMs?: number;
  /** Runs HAProxy (master and worker threads inherit it) under SCHED_BATCH, through `chrt`. */
  batch?: boolean;
}

/** Where Debian and Ubuntu put util-linux's `chrt`. */
export const DEFAULT_CHRT = '/usr/bin/chrt';

/**
 * The argv that starts HAProxy under the wrapper, under SCHED_BATCH when asked and `chrt` exists
 * (`chrt` execs the shell: the pid, the process group and the policy carry over to HAProxy).
 * `batch` in the result says what was applied.
 */
export function haproxyArgv(o: Pick<StartHaproxyOptions, 'bin' | 'config' | 'batch'>): { file: string; args: string[]; batch: boolean } {
  const wrapped = ['-c', WRAPPER_SCRIPT, 'truststram-haproxy', o.bin, '-W', '-db', '-f', o.config];
  if (o.batch && existsSync(DEFAULT_CHRT)) return { file: DEFAULT_CHRT, args: ['--batch', '0', '/bin/sh', ...wrapped], batch: true };
  return { file: '/bin/sh', args: wrapped, batch: false };
}

export async function startHaproxy(o: StartHaproxyOptions): Promise<HaproxyProcess> {
  const argv = haproxyArgv(o);
  const child = spawn(argv.file, argv.args, {
    detached: true,
    stdio: ['pipe', o.stdout, 'pipe', 'pipe'],
  });
  child.stdin!.on('error', () => undefined);
  const tail: string[] = [];
  // Each "Loading success/failure" (start and every reload) settles the oldest waiter.
  const waiters: { resolve(): void; reject(e: Error): void }[] = [];
  let err = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    err += d;
    let nl: number;
    while ((nl = err.indexOf('\n')) >= 0) {
      const line = err.slice(0, nl);
      err = err.slice(nl + 1);
      tail.push(line);
      if (tail.length > 30) tail.shift();
      o.onStderrLine?.(line);
      if (line.includes('Loading success')) waiters.shift()?.resolve();
      else if (line.includes('Loading failure')) waiters.shift()?.reject(new Error(`haproxy refused its configuration:\n${tail.join('\n')}`));
    }
  });
  const pgid = child.pid!;
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      signalGroup(pgid, 'SIGKILL');
      child.stdin?.destroy();
      for (const w of waiters.splice(0)) w.reject(new Error(`haproxy exited (${signal ?? code}):\n${tail.join('\n')}`));
      resolve({ code, signal });
    });
  });
  const settled = (timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`haproxy did not report loading within ${timeoutMs} ms:\n${tail.join('\n')}`)), timeoutMs);
      waiters.push({
        resolve: () => (clearTimeout(timer), resolve()),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
    });
  // Registered before anything can be read: HAProxy may report loading before the pid arrives.
  const started = settled(o.timeoutMs ?? 10_000);
  started.catch(() => undefined);
  const pid = await readPid(child.stdio[3] as Readable);
  const stop = async (graceMs = 3000) => {
    if (child.exitCode === null && child.signalCode === null) {
      signalGroup(pgid, 'SIGTERM');
      const t = setTimeout(() => signalGroup(pgid, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    }
    for (let waited = 0; waited < 3000 && isGroupAlive(pgid); waited += 20) {
      signalGroup(pgid, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  try {
    if (pid === undefined) throw new Error(`haproxy did not start:\n${tail.join('\n')}`);
    await started;
  } catch (e) {
    await stop(0);
    throw bindFailure(tail) ?? e;
  }
  let reloading = Promise.resolve();
  return {
    pid,
    batch: argv.batch,
    exited,
    stderrTail: () => tail.join('\n'),
    stop,
    reload() {
      // One reload at a time: each waits for its own "Loading" line.
      const next = reloading.then(() => {
        const done = settled(o.timeoutMs ?? 10_000);
        process.kill(pid, 'SIGUSR2');
        return done;
      });
      reloading = next.catch(() => undefined);
      return next;
    },
  };
}

/**
 * HAProxy's "cannot bind socket (Address already in use) for [127.0.0.1:7480]" as the error Node's
 * own listen would raise (code, syscall, address, port), so callers handle both data planes alike.
 */
export function bindFailure(lines: readonly string[]): Error | undefined {
  for (const l of lines) {
    const m = /cannot bind socket \(([^)]*)\) for \[(.*):(\d+)\]/.exec(l);
    if (!m) continue;
    const code = /in use/i.test(m[1]!) ? 'EADDRINUSE' : /permission/i.test(m[1]!) ? 'EACCES' : /assign/i.test(m[1]!) ? 'EADDRNOTAVAIL' : 'EIO';
    return Object.assign(new Error(`haproxy: listen ${code}: ${m[1]} ${m[2]}:${m[3]}`), { code, syscall: 'listen', address: m[2]!.replace(/^\[|\]$/g, ''), port: Number(m[3]) });
  }
  return undefined;
}

function readPid(stream: Readable): Promise<number | undefined> {
  return new Promise((resolve) => {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => (buf += d));
    stream.on('error', () => resolve(undefined));
    stream.on('close', () => {
      const n = Number.parseInt(buf.trim(), 10);
      resolve(Number.isFinite(n) && n > 0 ? n : undefined);
    });
  });
}
