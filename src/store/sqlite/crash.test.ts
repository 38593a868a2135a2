import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSqliteStore } from './sqlite-store.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const writer = fileURLToPath(new URL('./testing/crash-writer.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'truststram-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Runs the writer until it has acknowledged `acks` batches, then SIGKILLs it mid-stream. */
function runAndKill(dbPath: string, run: string, acks: number): Promise<{ acked: string[]; lastRevision: number; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, dbPath, run], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const acked: string[] = [];
    let lastRevision = 0;
    let buf = '';
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const line of lines) {
        const [, batch, rev] = line.split(' ');
        acked.push(batch!);
        lastRevision = Number(rev);
      }
      if (acked.length >= acks && child.exitCode === null) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited with ${code ?? signal} before it was killed: ${stderr}`));
      else resolve({ acked, lastRevision, signal });
    });
  });
}

describe('SQLite store crash safety', () => {
  it('keeps every acknowledged apply, never half an apply, and a valid audit chain after SIGKILL', async () => {
    const dbPath = join(dir, 'crash.db');
    const allAcked: string[] = [];
    for (const [index, run] of ['r1', 'r2', 'r3'].entries()) {
      const { acked, lastRevision, signal } = await runAndKill(dbPath, run, 30);
      expect(signal).toBe('SIGKILL');
      allAcked.push(...acked);

      const store = openSqliteStore({ path: dbPath });
      try {
        const items = (await store.list('Workload', { namespace: 'crash' })).items;
        const perBatch = new Map<string, number>();
        for (const o of items) perBatch.set(o.metadata.labels!.batch!, (perBatch.get(o.metadata.labels!.batch!) ?? 0) + 1);
        for (const b of allAcked) expect(perBatch.get(b), `acknowledged batch ${b}`).toBe(3);
        for (const [b, count] of perBatch) expect(count, `batch ${b} is all or nothing`).toBe(3);
        // Per kill, at most one batch may have committed after its acknowledgement was lost.
        expect(perBatch.size - allAcked.length).toBeLessThanOrEqual(index + 1);
        const revision = Number(await store.revision());
        expect(revision).toBeGreaterThanOrEqual(lastRevision);
        expect(revision).toBe(items.length);
        const verify = await store.verifyAudit();
        expect(verify).toMatchObject({ ok: true });
        const audit = await store.auditLog();
        expect(audit.filter((e) => e.verb === 'create')).toHaveLength(items.length);
      } finally {
        await store.close();
      }
    }
  });
});
