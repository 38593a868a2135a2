// YAML aliases through the manifest loader: an alias with no anchor and an alias bomb are the
// input's fault, named by file, document and position; ordinary aliases expand.
import { describe, expect, it } from 'vitest';
import { parseSources } from './load.js';
import { ValidationError } from './errors.js';

const BOMB = ['a: &a [x,x,x,x,x,x,x,x,x]', 'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]', 'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]', 'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]'].join('\n');
const causesOf = (file: string, text: string) => {
  try {
    parseSources([{ file, content: Buffer.from(text) }]);
  } catch (err) {
    if (err instanceof ValidationError) return err.causes;
    throw err;
  }
  return [];
};

describe('YAML aliases in manifests', () => {
  it('names the document and position of an alias with no anchor', () => {
    expect(causesOf('w.yaml', 'a: 1\n---\nb:\n  c: *y\n')).toEqual([{ file: 'w.yaml', document: 1, field: '', message: 'alias *y at line 4, column 6 refers to no anchor: define &y before it' }]);
  });

  it('refuses an alias bomb in its document and expands ordinary aliases', () => {
    const causes = causesOf('b.yaml', `ok: &o [1]\nalso: *o\n---\n${BOMB}\n`);
    expect(causes).toHaveLength(1);
    expect(causes[0]).toMatchObject({ file: 'b.yaml', document: 1 });
    expect(causes[0]!.message).toMatch(/more than 100 alias expansions/);
    expect(parseSources([{ file: 'ok.yaml', content: Buffer.from('base: &b {cpu: 1}\nx: *b\ny: *b\n') }])[0]!.value).toEqual({ base: { cpu: 1 }, x: { cpu: 1 }, y: { cpu: 1 } });
  });
});
