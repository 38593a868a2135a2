import { describe, it, expect } from 'vitest';
import { ValidationError } from '../api/index.js';
import { linkEntry, verifyChain } from './chain.js';
import { exportJsonl, parseJsonl } from './jsonl.js';

describe('JSON Lines export', () => {
  const a = linkEntry({ seq: 1, time: '2026-01-01T00:00:00.000Z', actor: 'user:a', verb: 'create', kind: 'Cluster', name: 'c1', resourceVersion: '1', afterDigest: 'f'.repeat(64), details: { reason: 'apply -f x.yaml' } }, undefined);
  const b = linkEntry({ seq: 2, time: '2026-01-01T00:00:01.000Z', actor: 'controller:placement', verb: 'schedule', details: { score: 0.5 } }, a);

  it('writes one canonical line per entry and parses it back to a verifiable chain', () => {
    const text = exportJsonl([a, b]);
    expect(text.split('\n')).toHaveLength(3);
    expect(text.startsWith('{"actor":"user:a","afterDigest":')).toBe(true);
    const back = parseJsonl(`\n${text}\n\n`);
    expect(back).toEqual([a, b]);
    expect(verifyChain(back).ok).toBe(true);
  });

  it('rejects malformed lines with their line numbers', () => {
    const lines = exportJsonl([a, b]).split('\n');
    const broken = [lines[0], '{not json', JSON.stringify({ ...b, seq: 'two' }), JSON.stringify({ ...b, extra: 1 })].join('\n');
    let err: unknown;
    try {
      parseJsonl(broken);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).causes.map((c) => `${c.field}: ${c.message}`)).toEqual([
      expect.stringMatching(/^line 2: not JSON/),
      'line 3: seq must be a positive integer',
      'line 4: unknown field "extra"',
    ]);
  });
});
