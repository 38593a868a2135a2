import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mergePatch } from '../../server/index.js';
import { createMergePatch } from './merge-diff.js';

// JSON objects without null members (null has no merge-patch encoding as a value).
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.integer(), fc.string(), fc.boolean(), fc.array(tie('value'), { maxLength: 3 }), tie('object')),
  object: fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), tie('value'), { maxKeys: 4 }),
})).object;

describe('createMergePatch', () => {
  it('is empty for equal values and sends only what changed', () => {
    expect(createMergePatch({ a: 1, b: [1] }, { a: 1, b: [1] })).toBeUndefined();
    expect(createMergePatch({ a: 1, b: { c: 2, d: 3 } }, { b: { c: 2, d: 4 } })).toEqual({ a: null, b: { d: 4 } });
  });

  it('applied with the server merge patch, turns `from` into `to`', () => {
    fc.assert(
      fc.property(json, json, (from, to) => {
        const patch = createMergePatch(from, to);
        const result = patch === undefined ? from : mergePatch(from, patch);
        expect(result).toEqual(to);
      }),
    );
  });
});
