// Usage reporting reads real numbers from /proc: a replica that burns CPU and holds memory
// shows up as such; a parser test pins the awkward /proc/<pid>/stat format.
import { describe, expect, it } from 'vitest';
import { hasProc, parseStat } from '../../util/proc.js';
import { createLocalDriver } from './local-driver.js';

describe('parseStat', () => {
  it('reads state, parent, group and cpu ticks even when the name holds spaces and parens', () => {
    const line = '4242 (my (odd) app) S 1 4240 4240 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 1000 1000000 500';
    expect(parseStat(line)).toEqual({ pid: 4242, state: 'S', ppid: 1, pgrp: 4240, cpuTicks: 300 });
  });
});

describe.runIf(hasProc)('replica usage', () => {
  it('reports the CPU and resident memory a real replica uses', async () => {
    const driver = createLocalDriver({ cluster: 'usage', stopGraceMs: 500 });
    try {
      const key = { namespace: 'default', name: 'burner' };
      // Holds ~64 MiB of touched memory and spins one core; no ports, so ready once running.
      const burn = 'const b = Buffer.alloc(64 * 1024 * 1024, 1); globalThis.keep = b; for (;;) {}';
      await driver.apply({
        workload: key,
        generation: 1,
        replicas: 1,
        command: [process.execPath, '-e', burn],
        env: {},
        ports: [],
        resources: { cpu: 1, memory: 2 ** 28 },
        simulated: false,
      });
      let usage: { cpu: number; memory: number } | undefined;
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline) {
        const r = await driver.status();
        usage = r.workloads[0]?.replicaStatus[0]?.usage;
        if (usage && usage.cpu > 0.3 && usage.memory > 64 * 2 ** 20) break;
        await new Promise((res) => setTimeout(res, 250));
      }
      expect(usage?.cpu).toBeGreaterThan(0.3);
      expect(usage?.memory).toBeGreaterThan(64 * 2 ** 20);
      const r = await driver.status();
      expect(r.usage.pods).toBe(1);
      expect(r.usage.memory).toBeGreaterThan(64 * 2 ** 20);
    } finally {
      await driver.close();
    }
  });

  it('reports synthetic usage within the requests for simulated replicas', async () => {
    const driver = createLocalDriver({ cluster: 'usage-sim' });
    try {
      await driver.apply({
        workload: { namespace: 'default', name: 'sim' },
        generation: 1,
        replicas: 2,
        command: [],
        env: {},
        ports: [{ port: 80, protocol: 'http' }],
        resources: { cpu: 0.25, memory: 2 ** 27 },
        simulated: true,
      });
      let reps = (await driver.status()).workloads[0]!.replicaStatus;
      for (let i = 0; i < 100 && !reps.every((x) => x.ready); i++) {
        await new Promise((res) => setTimeout(res, 50));
        reps = (await driver.status()).workloads[0]!.replicaStatus;
      }
      expect(reps).toHaveLength(2);
      for (const rep of reps) {
        expect(rep.usage!.cpu).toBeGreaterThan(0);
        expect(rep.usage!.cpu).toBeLessThanOrEqual(0.25);
        expect(rep.usage!.memory).toBeGreaterThan(0);
        expect(rep.usage!.memory).toBeLessThanOrEqual(2 ** 27);
      }
    } finally {
      await driver.close();
    }
  });
});
