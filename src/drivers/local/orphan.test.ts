// No orphans, ever: a supervisor that dies — killed with SIGKILL (no handler runs) or by an
// uncaught error — takes every replica process with it. The supervisor runs in a child
// process here so the test can kill it for real.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { processAlive } from '../driver.conformance.js';
import { ECHO_APP } from './testing/echo-app-path.js';

const childScript = fileURLToPath(new URL('./testing/orphan-child.ts', import.meta.url));
const started: number[] = [];

async function startSupervisor(mode: 'wait' | 'throw') {
  const child = spawn(process.execPath, ['--import', 'tsx', childScript, mode, ECHO_APP], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child.pid!);
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      if (buf.includes('\n')) resolve(buf.split('\n')[0]!);
    });
    child.once('exit', (code) => reject(new Error(`supervisor exited early (${code}): ${err}`)));
  });
  const reps = JSON.parse(line) as { pid: number; pgid: number }[];
  for (const r of reps) started.push(r.pid, r.pgid);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return { child, reps, exited };
}

async function waitAllGone(pids: number[]) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && pids.some(processAlive)) await new Promise((r) => setTimeout(r, 50));
  return pids.filter(processAlive);
}

afterEach(() => {
  // Belt and braces: never leave anything behind, even when an assertion failed.
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});

describe('no orphan replicas', () => {
  it('kills every replica when the supervisor is SIGKILLed', async () => {
    const { child, reps, exited } = await startSupervisor('wait');
    expect(reps).toHaveLength(3);
    expect(reps.every((r) => processAlive(r.pid) && processAlive(r.pgid))).toBe(true);
    child.kill('SIGKILL');
    await exited;
    expect(await waitAllGone(reps.flatMap((r) => [r.pid, r.pgid]))).toEqual([]);
  });

  it('kills every replica when the supervisor dies of an uncaught error', async () => {
    const { reps, exited } = await startSupervisor('throw');
    await exited;
    expect(await waitAllGone(reps.flatMap((r) => [r.pid, r.pgid]))).toEqual([]);
  });
});
