import { describe, expect, it } from 'vitest';
import { readNdjson } from './ndjson.js';
import { seededRandom } from './random.js';

async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield new TextEncoder().encode(p);
}

describe('readNdjson', () => {
  it('reassembles lines split across chunks, multi-byte characters included, and skips blank lines', async () => {
    const out: unknown[] = [];
    const euro = new TextEncoder().encode('{"a":"€"}\n');
    async function* split(): AsyncGenerator<Uint8Array> {
      yield* chunks('{"type":"ADD', 'ED"}\n\n');
      yield euro.slice(0, 7);
      yield euro.slice(7);
      yield* chunks('{"last":true}');
    }
    for await (const v of readNdjson(split())) out.push(v);
    expect(out).toEqual([{ type: 'ADDED' }, { a: '€' }, { last: true }]);
  });
});

describe('seededRandom', () => {
  it('repeats for a seed and differs between seeds', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const xs = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(xs);
    expect(seededRandom(43)()).not.toBe(xs[0]);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
