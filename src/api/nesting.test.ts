import { describe, expect, it } from 'vitest';
import { jsonTextNestingExceeds, MAX_NESTING_DEPTH, nestingExceeds } from './nesting.js';
import { ValidationError } from './errors.js';
import { parseSources } from './load.js';

const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

describe('nesting limits', () => {
  it('counts levels of objects and arrays, scalars count nothing', () => {
    expect(nestingExceeds(1, 0)).toBe(false);
    expect(nestingExceeds({ a: 1 }, 1)).toBe(false);
    expect(nestingExceeds({ a: [{}] }, 2)).toBe(true);
    expect(nestingExceeds({ a: [{}] }, 3)).toBe(false);
    expect(jsonTextNestingExceeds('{"a":[{}]}', 2)).toBe(true);
    expect(jsonTextNestingExceeds('{"a":[{}]}', 3)).toBe(false);
  });

  it('accepts exactly the limit and refuses one more, as text and as a value', () => {
    expect(jsonTextNestingExceeds(nested(MAX_NESTING_DEPTH))).toBe(false);
    expect(jsonTextNestingExceeds(nested(MAX_NESTING_DEPTH + 1))).toBe(true);
    expect(nestingExceeds(JSON.parse(nested(MAX_NESTING_DEPTH)))).toBe(false);
    expect(nestingExceeds(JSON.parse(nested(MAX_NESTING_DEPTH + 1)))).toBe(true);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonTextNestingExceeds(JSON.stringify({ s: '[[[[{{{{"\\"[[[[' }), 1)).toBe(false);
    expect(jsonTextNestingExceeds(JSON.stringify({ s: 'x\\', t: ['[['] }), 2)).toBe(false);
  });

  it('walks a million levels without recursion (no stack overflow)', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 1_000_000; i++) deep = [deep];
    expect(nestingExceeds(deep)).toBe(true);
    expect(jsonTextNestingExceeds('['.repeat(1_000_000) + ']'.repeat(1_000_000))).toBe(true);
  });

  it('terminates on a cyclic value (YAML anchors can build one)', () => {
    const a: unknown[] = [];
    a.push(a);
    expect(nestingExceeds(a)).toBe(true);
  });
});

describe('manifests nested as YAML blocks', () => {
  const causesOf = (text: string) => {
    try {
      parseSources([{ file: 'deep.yaml', content: Buffer.from(text) }]);
    } catch (err) {
      if (err instanceof ValidationError) return err.causes;
      throw err;
    }
    return [];
  };
  it('refuses a line of tens of thousands of block markers before parsing (the YAML library ran out of memory on it)', () => {
    const causes = causesOf(`${'- '.repeat(60_000)}x\n`);
    expect(causes).toHaveLength(1);
    expect(causes[0]).toMatchObject({ file: 'deep.yaml', field: '' });
    expect(causes[0]!.message).toMatch(/^a line starts with 120000 characters of indentation and block markers \(at most 1000\)/);
  });
  it('still parses ordinary indentation and document separators', () => {
    expect(parseSources([{ file: 'ok.yaml', content: Buffer.from('a:\n  - b: 1\n    c:\n      - - x\n---\nd: 2\n') }]).map((d) => d.value)).toEqual([{ a: [{ b: 1, c: [['x']] }] }, { d: 2 }]);
  });
});
