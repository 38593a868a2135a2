import { describe, expect, it } from 'vitest';
import { ValidationError } from '../api/index.js';
import { aliasCausesOf, aliasProblems } from './yaml-aliases.js';

const BOMB = ['a: &a [x,x,x,x,x,x,x,x,x]', 'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]', 'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]', 'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]'].join('\n');

describe('aliasProblems', () => {
  it('names the document and position of an alias with no anchor', () => {
    expect(aliasProblems('w.yaml', 'a: 1\n---\nb:\n  c: *y\n')).toEqual([{ file: 'w.yaml', document: 1, field: '', message: 'alias *y at line 4, column 6 refers to no anchor: define &y before it' }]);
  });

  it('refuses an alias bomb in its document and accepts ordinary aliases', () => {
    const causes = aliasProblems('b.yaml', `ok: &o [1]\nalso: *o\n---\n${BOMB}\n`);
    expect(causes).toHaveLength(1);
    expect(causes[0]).toMatchObject({ file: 'b.yaml', document: 1 });
    expect(causes[0]!.message).toMatch(/more than 100 alias expansions/);
    expect(aliasProblems('ok.yaml', 'base: &b {cpu: 1}\nx: *b\ny: *b\n')).toEqual([]);
  });

  it('classifies only failures it can explain', () => {
    const v = new ValidationError('bad', []);
    expect(() => aliasCausesOf(v, 'x.yaml', 'a: 1')).toThrow(v);
    const bug = new TypeError('a real bug');
    expect(() => aliasCausesOf(bug, 'x.yaml', 'a: 1')).toThrow(bug);
    expect(aliasCausesOf(new ReferenceError('yaml'), 'x.yaml', 'a: *nope')).toHaveLength(1);
  });
});
