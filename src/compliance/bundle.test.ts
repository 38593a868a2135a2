import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exportJsonl, linkEntry, type AuditEntry } from '../audit/index.js';
import { buildEvidenceBundle, verifyEvidenceBundle, writeEvidenceBundle, type BundleManifest } from './bundle.js';
import type { ComplianceReportDoc } from './types.js';

/** A real chain of `n` entries (seq 1..n). */
function chain(n: number): AuditEntry[] {
  const out: AuditEntry[] = [];
  for (let i = 1; i <= n; i++) out.push(linkEntry({ seq: i, time: `2026-11-21T10:00:${String(i).padStart(2, '0')}.000Z`, actor: 'user:alice', verb: 'apply', kind: 'Workload', namespace: 'ns', name: `w${i}`, details: { outcome: 'created' } }, out.at(-1)));
  return out;
}

function report(head: AuditEntry): ComplianceReportDoc {
  return {
    apiVersion: 'truststram.io/v1alpha1',
    kind: 'ComplianceReport',
    generatedAt: '2026-11-21T11:00:00.000Z',
    resourceVersion: '9',
    summary: { policies: 0, pass: 0, fail: 0, warn: 0, audit: 0, violatingObjects: 0, residencyCrossings: 0, auditChainOk: true, failovers: 0 },
    policies: { evaluatedAt: '2026-11-21T11:00:00.000Z', objects: 0, placedPairs: 0, policies: [], violatingObjects: [] },
    residency: { workloads: [], crossings: [], routeSource: 'test' },
    audit: { ok: true, entries: head.seq, headHash: head.hash, headSeq: head.seq },
    failovers: { since: '2026-11-14T11:00:00.000Z', incidents: [], method: 'test' },
  };
}

const dirs: string[] = [];
async function bundleOf(entries: AuditEntry[], reportHead = entries.at(-1)!): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ts-bundle-'));
  dirs.push(dir);
  const files = buildEvidenceBundle({ report: report(reportHead), policies: [], placements: [], auditJsonl: exportJsonl(entries), createdAt: '2026-11-21T11:00:01.000Z' });
  await writeEvidenceBundle(join(dir, 'b'), files);
  return join(dir, 'b');
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('evidence bundle', () => {
  it('writes the report, policies, placements, audit slice and a manifest of digests, and verifies', async () => {
    const dir = await bundleOf(chain(5));
    expect((await readdir(dir)).sort()).toEqual(['audit.jsonl', 'manifest.json', 'placements.json', 'policies.json', 'report.html', 'report.json']);
    const m = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as BundleManifest;
    expect(m.files.map((f) => f.path).sort()).toEqual(['audit.jsonl', 'placements.json', 'policies.json', 'report.html', 'report.json']);
    expect(m.chain).toMatchObject({ firstSeq: 1, headSeq: 5, entries: 5, anchorPrevHash: '0'.repeat(64) });
    const r = await verifyEvidenceBundle(dir);
    expect(r).toMatchObject({ ok: true, problems: [], files: 5, entries: 5 });
  });

  it('names the file when one byte of it changes', async () => {
    const dir = await bundleOf(chain(3));
    const p = join(dir, 'policies.json');
    const text = await readFile(p, 'utf8');
    await writeFile(p, text.replace('PolicyList', 'PolicyLisT'));
    const r = await verifyEvidenceBundle(dir);
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatchObject({ file: 'policies.json' });
    expect(r.problems[0]!.problem).toContain('does not match');
  });

  it('names the audit entry that was edited, even when the attacker also fixes the file digest', async () => {
    const dir = await bundleOf(chain(6));
    const p = join(dir, 'audit.jsonl');
    const lines = (await readFile(p, 'utf8')).split('\n');
    lines[3] = lines[3]!.replace('"w4"', '"w9"');
    await writeFile(p, lines.join('\n'));
    const r = await verifyEvidenceBundle(dir);
    expect(r.problems.map((x) => [x.file, x.seq])).toEqual([
      ['audit.jsonl', undefined],
      ['audit.jsonl', 4],
    ]);
    expect(r.problems[1]).toMatchObject({ line: 4 });
    expect(r.problems[1]!.problem).toContain('entry 4 was modified');

    // Re-digesting the file in the manifest does not help: the chain still names entry 4.
    const m = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as BundleManifest;
    const { createHash } = await import('node:crypto');
    m.files.find((f) => f.path === 'audit.jsonl')!.sha256 = createHash('sha256').update(await readFile(p)).digest('hex');
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(m));
    const again = await verifyEvidenceBundle(dir);
    expect(again.problems).toHaveLength(1);
    expect(again.problems[0]).toMatchObject({ file: 'audit.jsonl', seq: 4 });
  });

  it('catches a removed entry (not contiguous) and a cut-off tail', async () => {
    const entries = chain(5);
    const gap = await bundleOf(entries);
    const p = join(gap, 'audit.jsonl');
    const lines = (await readFile(p, 'utf8')).split('\n');
    await writeFile(p, [...lines.slice(0, 2), ...lines.slice(3)].join('\n'));
    expect((await verifyEvidenceBundle(gap)).problems.find((x) => x.seq !== undefined)).toMatchObject({ seq: 3, problem: expect.stringContaining('entry 3 is missing') });

    const cut = await bundleOf(entries);
    const q = join(cut, 'audit.jsonl');
    await writeFile(q, (await readFile(q, 'utf8')).split('\n').slice(0, 3).join('\n') + '\n');
    expect((await verifyEvidenceBundle(cut)).problems.find((x) => x.seq !== undefined)!.problem).toContain('truncated');
  });

  it('verifies a slice that starts in the middle of the chain against its anchor', async () => {
    const all = chain(8);
    const dir = await bundleOf(all.slice(4), all[7]);
    const r = await verifyEvidenceBundle(dir);
    expect(r).toMatchObject({ ok: true, entries: 4, chain: { firstSeq: 5, headSeq: 8, anchorPrevHash: all[3]!.hash } });
  });

  it('requires the report’s verified audit head to be on the slice', async () => {
    const a = chain(4);
    const forged = { ...a[2]!, hash: 'f'.repeat(64) };
    const dir = await bundleOf(a, forged);
    const r = await verifyEvidenceBundle(dir);
    expect(r.problems[0]).toMatchObject({ file: 'report.json', seq: 3 });
  });

  it('refuses to write into a non-empty directory and reports a directory without a manifest', async () => {
    const dir = await bundleOf(chain(1));
    await expect(writeEvidenceBundle(dir, new Map([['x', 'y']]))).rejects.toThrow(/not empty/);
    await rm(join(dir, 'manifest.json'));
    expect((await verifyEvidenceBundle(dir)).problems[0]).toMatchObject({ file: 'manifest.json', problem: expect.stringContaining('not an evidence bundle') });
  });
});
