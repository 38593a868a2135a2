// The importer: valid files become catalogs; every kind of bad cell is named by line and column.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../api/index.js';
import { parseCsv } from './csv.js';
import { loadPriceFile } from './import.js';
import { PRICE_COLUMNS, parsePriceFile } from './price-file.js';

const HEADER = PRICE_COLUMNS.join(',');
const ROW = 'aws,eu-west-1,m6i.xlarge,4,16.0,0.214,0.09,"vendor list, read by hand"';
const dir = mkdtempSync(join(tmpdir(), 'truststram-prices-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function errorOf(text: string): ValidationError {
  try {
    parsePriceFile(text, { file: 'p.csv', readOn: '2027-01-05' });
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error('expected a ValidationError');
}

describe('parseCsv', () => {
  it('handles quotes, doubled quotes, CRLF and multi-line fields with their start line', () => {
    const r = parseCsv('a,"b,""c"""\r\n\r\n"x\ny",2\n3,4');
    expect(r).toEqual([
      { line: 1, fields: ['a', 'b,"c"'] },
      { line: 3, fields: ['x\ny', '2'] },
      { line: 5, fields: ['3', '4'] },
    ]);
  });

  it('rejects an unterminated quote', () => {
    expect(() => parseCsv('a,"b\n')).toThrow(/line 1.*unterminated/);
  });
});

describe('parsePriceFile', () => {
  it('parses a valid file, dating rows by as_of, by the source, or by the read date', () => {
    const text = `${HEADER},as_of\n${ROW},2026-12-01\ngcp,us-central1,e2-standard-4,4,16,0.134,,"catalog (generated 2026-07-30)",\nazure,eastus,Standard_D4s_v5,4,16,0.192,0.02,src,\n`;
    const p = parsePriceFile(text, { readOn: '2027-01-05' });
    expect(p.instances.map((i) => i.asOf)).toEqual(['2026-12-01', '2026-07-30', '2027-01-05']);
    expect(p.instances[0]).toMatchObject({ vcpu: 4, memoryGiB: 16, onDemandHourly: 0.214, spotHourly: 0.09, source: 'vendor list, read by hand' });
    expect(p.instances[1]!.spotHourly).toBeUndefined();
    expect(p.instances[2]!.spotHourly).toBeUndefined(); // Azure spot ignored by default
    expect(parsePriceFile(`${HEADER}\nazure,eastus,Standard_D4s_v5,4,16,0.192,0.02,src`, { untrustedSpot: [] }).instances[0]!.spotHourly).toBe(0.02);
  });

  it.each([
    ['a wrong header', `provider,region,type,vcpu,memory_gib,ondemand_usd_per_hour,spot_usd_per_hour,source\n${ROW}`, /line 1, column 3 \(instance_type\): header must be "instance_type", found "type"/],
    ['an empty file', '', /empty price file/],
    ['no rows', `${HEADER}\n`, /no price rows/],
    ['an unknown provider', `${HEADER}\n${ROW.replace('aws', 'ibm')}`, /line 2, column 1 \(provider\): must be one of aws, azure, gcp/],
    ['an unknown region', `${HEADER}\n${ROW.replace('eu-west-1', 'eu-west-9')}`, /line 2, column 2 \(region\): "eu-west-9" is not a aws region/],
    ['a non-numeric vcpu', `${HEADER}\n${ROW.replace(',4,', ',four,')}`, /line 2, column 4 \(vcpu\): must be a positive number, got "four"/],
    ['a zero price', `${HEADER}\n${ROW.replace('0.214', '0')}`, /line 2, column 6 \(ondemand_usd_per_hour\): must be a positive price/],
    ['a negative memory', `${HEADER}\n${ROW.replace('16.0', '-16')}`, /line 2, column 5 \(memory_gib\)/],
    ['spot above on-demand', `${HEADER}\n${ROW.replace('0.09', '0.5')}`, /line 2, column 7 \(spot_usd_per_hour\): spot price 0.5 is above the on-demand price 0.214/],
    ['a missing source', `${HEADER}\naws,eu-west-1,m6i.xlarge,4,16.0,0.214,0.09,`, /line 2, column 8 \(source\): every figure needs its source/],
    ['too few columns', `${HEADER}\naws,eu-west-1,m6i.xlarge,4`, /line 2, column 5 \(memory_gib\): expected 8 columns, found 4/],
    ['a duplicate row', `${HEADER}\n${ROW}\n${ROW}`, /line 3, column 3 \(instance_type\): aws\/eu-west-1\/m6i.xlarge is already priced on line 2/],
    ['a bad as_of', `${HEADER},as_of\n${ROW},yesterday`, /line 2, column 9 \(as_of\): must be a date/],
  ])('rejects %s naming line and column', (_what, text, message) => {
    const e = errorOf(text);
    expect(e.message).toMatch(message);
    expect(e.causes[0]!.file).toBe('p.csv');
  });

  it('reports every bad cell of a file at once', () => {
    const e = errorOf(`${HEADER}\n${ROW.replace('0.214', 'x')}\n${ROW.replace('m6i.xlarge', 'm6i.large').replace(',4,', ',0,')}`);
    expect(e.causes.map((c) => c.message)).toEqual([
      expect.stringMatching(/^line 2, column 6/),
      expect.stringMatching(/^line 3, column 4/),
    ]);
    expect(e.message).toMatch(/and 1 more/);
  });
});

describe('loadPriceFile', () => {
  it('builds a catalog from a newer file, keeping the shipped network prices', () => {
    const path = join(dir, 'new.csv');
    writeFileSync(path, `${HEADER}\n${ROW}\n`);
    const c = loadPriceFile(path, { readOn: '2027-01-05' });
    expect(c.instances()).toHaveLength(1);
    expect(c.instance('aws', 'eu-west-1', 'm6i.xlarge')?.onDemandHourly).toBe(0.214);
    expect(c.network('aws').internetEgressPerGB).toBe(0.09);
    expect(c.meta).toMatchObject({ asOf: '2027-01-05', version: expect.stringMatching(/^file\+sha256:/) });
  });

  it('names the file when it cannot be read or is invalid', () => {
    expect(() => loadPriceFile(join(dir, 'missing.csv'))).toThrow(/missing.csv: cannot read price file: no such file/);
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, `${HEADER}\n${ROW.replace('0.214', 'free')}\n`);
    expect(() => loadPriceFile(bad)).toThrow(new RegExp(`${bad}: line 2, column 6`));
  });
});
