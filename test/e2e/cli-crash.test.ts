// Crash safety (issue 2): applies stream into a `truststram server` process that is killed
// with SIGKILL mid-stream. After a restart on the same data directory every acknowledged
// apply is there, no apply is there in part, and the audit chain verifies. And tampering
// with the audit table directly in the SQLite file is caught by `truststram audit verify`.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { docs, workload } from './fixtures.js';
import { cli, ensureBuilt, getJson, killAll, liveChildren, startServerProcess, tempDir, type ServerProcess } from './harness.js';

const PER_APPLY = 25;
const STREAMS = 2;

const servers: ServerProcess[] = [];

afterAll(async () => {
  for (const s of servers) await s.stop();
  await killAll();
  expect(liveChildren()).toBe(0);
});

function batch(stream: number, i: number): string {
  return docs(...Array.from({ length: PER_APPLY }, (_, j) => workload(`s${stream}-b${i}-w${j}`, 'crash', 1 + (j % 3)).replace('team: e2e', `batch: s${stream}-b${i}`)));
}

describe('crash safety and tamper evidence', () => {
  it('SIGKILL mid-stream keeps every acknowledged apply, never half of one, and a valid audit chain', async () => {
    await ensureBuilt();
    const dir = await tempDir();
    const dataDir = join(dir, 'data');
    const first = await startServerProcess(dataDir);
    servers.push(first);

    const acked = new Set<string>();
    const attempted = new Set<string>();
    let killed = false;
    // Kill once a few applies are acknowledged, while both streams keep sending.
    let streamsDone = 0;
    const killer = (async () => {
      const deadline = Date.now() + 30_000;
      while (acked.size < 4 && streamsDone < STREAMS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 120));
      await first.kill();
      killed = true;
    })();
    const stream = async (s: number) => {
      for (let i = 0; i < 200; i++) {
        const file = join(dir, `s${s}-b${i}.yaml`);
        await writeFile(file, batch(s, i));
        attempted.add(`s${s}-b${i}`);
        const r = await cli(['apply', '-f', file], { server: first.url });
        if (r.code === 0) {
          expect(r.stdout.trim().split('\n')).toHaveLength(PER_APPLY);
          acked.add(`s${s}-b${i}`);
          continue;
        }
        // The only acceptable failure is the server going away (exit 2, or a reset mid-request).
        expect(r.code, r.stderr).toBe(2);
        if (killed || r.code === 2) return;
      }
    };
    await Promise.all([...Array.from({ length: STREAMS }, (_, s) => stream(s).finally(() => streamsDone++)), killer]);
    expect(killed).toBe(true);
    expect(acked.size).toBeGreaterThanOrEqual(4);

    const second = await startServerProcess(dataDir);
    servers.push(second);
    const list = await getJson<{ items: { metadata: { name: string; labels: Record<string, string> } }[] }>(second.url, '/apis/truststram.io/v1alpha1/namespaces/crash/workloads');
    const perBatch = new Map<string, number>();
    for (const o of list.items) perBatch.set(o.metadata.labels.batch!, (perBatch.get(o.metadata.labels.batch!) ?? 0) + 1);

    for (const b of acked) expect(perBatch.get(b), `acknowledged ${b}`).toBe(PER_APPLY);
    for (const [b, n] of perBatch) {
      expect(attempted.has(b)).toBe(true);
      expect(n, `batch ${b} is half-applied`).toBe(PER_APPLY);
    }

    const verify = await cli(['audit', 'verify'], { server: second.url });
    expect(verify.code, verify.stderr).toBe(0);
    // One audit entry per object written: the chain and the state agree after the crash.
    const audit = await getJson<{ items: { kind?: string; namespace?: string }[] }>(second.url, '/api/v1alpha1/audit?namespace=crash&kind=Workload&limit=10000');
    expect(audit.items.length).toBe(list.items.length);

    // The restarted server takes new writes on top of the recovered state.
    const more = join(dir, 'after.yaml');
    await writeFile(more, batch(9, 0));
    expect((await cli(['apply', '-f', more], { server: second.url })).code).toBe(0);
    expect((await cli(['audit', 'verify'], { server: second.url })).code).toBe(0);
    expect(await second.stop()).toBe(0);
  });

  it('audit verify exits 1 naming the first bad entry when the SQLite file is edited', async () => {
    await ensureBuilt();
    const dir = await tempDir();
    const dataDir = join(dir, 'data');
    const one = await startServerProcess(dataDir);
    servers.push(one);
    const file = join(dir, 'three.yaml');
    await writeFile(file, batch(7, 0).split('\n---\n').slice(0, 3).join('\n---\n'));
    expect((await cli(['apply', '-f', file], { server: one.url })).code).toBe(0);
    expect(await one.stop()).toBe(0);

    const db = new Database(join(dataDir, 'truststram.db'));
    try {
      expect(db.prepare("UPDATE audit SET actor = 'mallory' WHERE seq = 2").run().changes).toBe(1);
    } finally {
      db.close();
    }

    const two = await startServerProcess(dataDir);
    servers.push(two);
    const r = await cli(['audit', 'verify'], { server: two.url });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: audit chain is BROKEN at entry 2: /);
  });
});
