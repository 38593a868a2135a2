import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import type { AuditEntry } from '../store/store.js';
import { GENESIS_HASH, computeEntryHash, linkEntry, verifyChain, type AuditEntryFields } from './chain.js';
import { exportJsonl, parseJsonl } from './jsonl.js';

function fields(seq: number, extra: Partial<AuditEntryFields> = {}): AuditEntryFields {
  const time = new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString();
  return { seq, time, actor: 'user:alice', verb: 'upsert', kind: 'Workload', namespace: 'payments', name: `api-${seq}`, resourceVersion: String(seq), afterDigest: 'a'.repeat(64), details: { n: seq }, ...extra };
}

function chain(n: number): AuditEntry[] {
  const out: AuditEntry[] = [];
  for (let i = 1; i <= n; i++) out.push(linkEntry(fields(i), out[out.length - 1]));
  return out;
}

/** Re-links every entry from `from` on, as an attacker who recomputes hashes would. */
function relink(entries: AuditEntry[], from = 0): AuditEntry[] {
  const out = entries.slice(0, from);
  for (const e of entries.slice(from)) {
    const { prevHash: _p, hash: _h, ...f } = e;
    out.push(linkEntry(f, out[out.length - 1]));
  }
  return out;
}

describe('verifyChain', () => {
  it('accepts an intact chain and reports its head', () => {
    const c = chain(10);
    expect(c[0]!.prevHash).toBe(GENESIS_HASH);
    expect(verifyChain(c)).toEqual({ ok: true, entries: 10, headHash: c[9]!.hash });
    expect(verifyChain([])).toEqual({ ok: true, entries: 0, headHash: GENESIS_HASH });
  });

  it('finds an edited field', () => {
    const c = chain(10);
    c[4] = { ...c[4]!, actor: 'user:mallory' };
    const r = verifyChain(c);
    expect(r.ok).toBe(false);
    expect(r.firstBad).toEqual({ seq: 5, problem: expect.stringMatching(/entry 5 was modified/) });
    expect(r.entries).toBe(4);
  });

  it('finds an edited detail even when the attacker recomputes that entry hash', () => {
    const c = chain(10);
    const { prevHash, hash: _h, ...f } = c[3]!;
    c[3] = { ...f, details: { n: 999 }, prevHash, hash: computeEntryHash({ ...f, details: { n: 999 } }, prevHash) };
    expect(verifyChain(c).firstBad).toEqual({ seq: 5, problem: expect.stringMatching(/does not link to entry 4/) });
  });

  it('finds a deleted entry and names the missing seq', () => {
    const c = chain(10);
    c.splice(6, 1);
    expect(verifyChain(c).firstBad).toEqual({ seq: 7, problem: expect.stringMatching(/entry 7 is missing \(the next entry is 8\)/) });
    expect(verifyChain(chain(3).slice(1)).firstBad?.seq).toBe(1);
  });

  it('finds an inserted entry, naive or with renumbered seqs and recomputed hashes', () => {
    const c = chain(6);
    const naive = [...c.slice(0, 3), linkEntry(fields(4, { actor: 'user:mallory' }), c[2]), ...c.slice(3)];
    expect(verifyChain(naive).firstBad).toEqual({ seq: 4, problem: expect.stringMatching(/entry 4 appears after entry 4/) });
    const renumbered = [...c.slice(0, 3), linkEntry(fields(4, { actor: 'user:mallory' }), c[2]), ...c.slice(3).map((e) => ({ ...e, seq: e.seq + 1 }))];
    expect(verifyChain(renumbered).firstBad).toEqual({ seq: 5, problem: expect.stringMatching(/entry 5 does not link to entry 4/) });
  });

  it('finds reordered entries', () => {
    const c = chain(6);
    [c[2], c[3]] = [c[3]!, c[2]!];
    expect(verifyChain(c).firstBad).toEqual({ seq: 3, problem: expect.stringMatching(/entry 3 is missing/) });
    const swappedContent = chain(6);
    const a = swappedContent[2]!;
    swappedContent[2] = { ...swappedContent[3]!, seq: 3 };
    swappedContent[3] = { ...a, seq: 4 };
    expect(verifyChain(swappedContent).firstBad?.seq).toBe(3);
  });

  it('finds time going backwards even in a consistently re-hashed chain', () => {
    const c = chain(6);
    c[3] = { ...c[3]!, time: '2025-12-31T00:00:00.000Z' };
    const r = verifyChain(relink(c, 3));
    expect(r.firstBad).toEqual({ seq: 4, problem: expect.stringMatching(/entry 4 goes back in time/) });
  });

  it('finds tail truncation only with a head recorded elsewhere', () => {
    const c = chain(8);
    const head = { seq: 8, hash: c[7]!.hash };
    expect(verifyChain(c.slice(0, 6)).ok).toBe(true);
    expect(verifyChain(c.slice(0, 6), { expectedHead: head }).firstBad).toEqual({ seq: 7, problem: expect.stringMatching(/entries 7\.\.8 are missing/) });
    expect(verifyChain(relink(c.map((e) => ({ ...e, actor: 'x' }))), { expectedHead: head }).firstBad?.problem).toMatch(/rewritten/);
    // A chain that grew after the head was published still verifies against it.
    expect(verifyChain(c, { expectedHead: { seq: 5, hash: c[4]!.hash } }).ok).toBe(true);
  });

  it('detects any single tampering of a chain (property)', () => {
    type Tamper = { op: 'edit' | 'delete' | 'insert' | 'swap' | 'relinkEdit'; at: number; other: number };
    const tamper = fc.record({
      op: fc.constantFrom<Tamper['op']>('edit', 'delete', 'insert', 'swap', 'relinkEdit'),
      at: fc.nat(),
      other: fc.nat(),
    });
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 15 }), tamper, fc.string({ minLength: 1 }), (n, t, junk) => {
        const c = chain(n);
        const head = { seq: n, hash: c[n - 1]!.hash };
        const i = t.at % n;
        let bad: AuditEntry[];
        switch (t.op) {
          case 'edit':
            bad = c.map((e, k) => (k === i ? { ...e, actor: `${e.actor}${junk}` } : e));
            break;
          case 'relinkEdit':
            bad = relink(c.map((e, k) => (k === i ? { ...e, actor: `${e.actor}${junk}` } : e)), i);
            break;
          case 'delete':
            bad = c.filter((_e, k) => k !== i);
            break;
          case 'insert':
            bad = [...c.slice(0, i), linkEntry(fields(i + 1, { actor: junk }), c[i - 1]), ...c.slice(i)];
            break;
          case 'swap': {
            const j = (i + 1 + (t.other % (n - 1))) % n;
            bad = [...c];
            [bad[i], bad[j]] = [bad[j]!, bad[i]!];
            break;
          }
        }
        const r = verifyChain(parseJsonl(exportJsonl(bad)), { expectedHead: head });
        expect(r.ok).toBe(false);
        // A consistent re-hash from the edit on is only visible against the recorded head.
        if (t.op === 'relinkEdit') expect(r.firstBad!.problem).toMatch(/rewritten/);
        else expect(r.firstBad!.seq).toBeLessThanOrEqual(i + 2);
      }),
    );
  });
});
