// `truststram demo` end to end (issue 4): the six-cluster example fleet runs every replica as a
// real process, the demo prints where each replica runs with all of them ready, exits 0 on its
// own after --duration and leaves no agent or replica process behind.
import { afterAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from './harness.js';
import { killTracked, markedProcesses, newMark, reapMarked, runBin, waitUntil } from './fleet-harness.js';

const mark = newMark();

afterAll(async () => {
  await killTracked();
  expect(reapMarked(mark)).toEqual([]);
});

describe('truststram demo', () => {
  it('runs the example fleet to full readiness, prints the placement table and stops cleanly', async () => {
    await ensureBuilt();
    const demo = runBin(['demo', '--duration', '2', '--listen', '127.0.0.1:0'], mark);
    // Replicas are running while the demo waits out its duration.
    await waitUntil(() => demo.output().includes('Stopping in 2s') || demo.proc.exitCode !== null, 60_000, `the demo to converge:\n${demo.output()}`);
    const running = markedProcesses(mark).filter((p) => p.cmdline.startsWith('node examples/apps/echo.mjs'));
    const timer = setTimeout(() => demo.proc.kill('SIGKILL'), 30_000);
    const { code } = await demo.exited;
    clearTimeout(timer);
    const out = demo.output();
    expect(code, out).toBe(0);
    expect(out).toMatch(/All replicas ready in [\d.]+ s/);

    const table = out.slice(out.indexOf('WHERE EVERY REPLICA RUNS'));
    const rows = table.split('\n').slice(2).filter((l) => /^\S+\/\S+\s/.test(l));
    expect(rows.length).toBe(3);
    let replicas = 0;
    for (const row of rows) {
      const m = /^(\S+)\s+(\d+)\/(\d+)\s+(\S.*?)\s+\$[\d.]+\s+\$[\d.]+$/.exec(row);
      expect(m, row).not.toBeNull();
      expect(m![2], row).toBe(m![3]);
      expect(m![4]).toMatch(/^[\w-]+×\d+(, [\w-]+×\d+)*$/);
      replicas += Number(m![3]);
    }
    expect(out).toMatch(/payments\/payments-api\s+4\/4\s+/);
    // Every ready replica was a real process while the demo ran.
    expect(running.length).toBe(replicas);
    expect(out).toContain('Demo stopped and its temporary state removed.');

    await waitUntil(() => markedProcesses(mark).length === 0, 10_000, 'no demo process left').catch(() => undefined);
    expect(markedProcesses(mark)).toEqual([]);
  });
});
