import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { ValidationError } from '../../api/index.js';
import { CliUserError, ExitCode, ServiceUnreachableError, exitCodeOf } from '../exit.js';
import { DEFAULT_DATA_DIR, chooseServerStore, explainStoreFailure } from './server-store.js';

const PG = 'postgres://truststram:s3cret@db.internal:5432/truststram';

describe('chooseServerStore', () => {
  it('defaults to SQLite in the default data directory', () => {
    expect(chooseServerStore({}, {})).toEqual({ kind: 'dataDir', dataDir: resolve(DEFAULT_DATA_DIR), source: 'the default data directory' });
  });

  it('prefers flags to the environment and --store to --data-dir', () => {
    expect(chooseServerStore({ dataDir: 'd' }, { TRUSTSTRAM_STORE_URL: PG })).toMatchObject({ kind: 'dataDir', dataDir: resolve('d') });
    expect(chooseServerStore({ store: PG }, { TRUSTSTRAM_DATA_DIR: 'x' })).toMatchObject({ kind: 'spec', storeSpec: PG, source: '--store' });
    expect(chooseServerStore({}, { TRUSTSTRAM_STORE_URL: PG, TRUSTSTRAM_DATA_DIR: 'x' })).toMatchObject({ kind: 'spec', source: 'TRUSTSTRAM_STORE_URL' });
    expect(chooseServerStore({}, { TRUSTSTRAM_DATA_DIR: 'x' })).toMatchObject({ kind: 'dataDir', dataDir: resolve('x'), source: 'TRUSTSTRAM_DATA_DIR' });
    expect(() => chooseServerStore({ store: PG, dataDir: 'd' }, {})).toThrow(/either --store or --data-dir/);
  });

  it('hides the password in what it prints and accepts sqlite:// too', () => {
    const c = chooseServerStore({ store: PG }, {});
    expect(c.kind === 'spec' && c.label).toBe('state in Postgres at postgres://truststram:***@db.internal:5432/truststram');
    expect(chooseServerStore({ store: 'sqlite:///tmp/x.db' }, {})).toMatchObject({ kind: 'spec', storeSpec: 'sqlite:///tmp/x.db' });
  });

  it('rejects an empty or malformed Postgres URL naming the option, without the password', () => {
    expect(() => chooseServerStore({ store: ' ' }, {})).toThrow(/--store is empty/);
    const err = (() => {
      try {
        chooseServerStore({}, { TRUSTSTRAM_STORE_URL: 'postgres://u:pw@/db' });
      } catch (e) {
        return e as CliUserError;
      }
    })();
    expect(err).toBeInstanceOf(CliUserError);
    expect(err!.message).toMatch(/^TRUSTSTRAM_STORE_URL: "postgres:\/\/u:\*\*\*@\/db" is not a valid Postgres URL/);
    expect(exitCodeOf(err)).toBe(ExitCode.UserError);
  });
});

describe('explainStoreFailure', () => {
  const spec = chooseServerStore({ store: PG }, {});
  class Down extends Error {}

  it('turns an unreachable database into exit code 2 naming the option', () => {
    const e = explainStoreFailure(new Down('cannot connect to the Postgres store at x: ECONNREFUSED'), spec, (x) => x instanceof Down);
    expect(e).toBeInstanceOf(ServiceUnreachableError);
    expect((e as Error).message).toBe('--store: cannot connect to the Postgres store at x: ECONNREFUSED');
    expect(exitCodeOf(e)).toBe(ExitCode.Unreachable);
  });

  it('keeps store location errors user errors and passes everything else through', () => {
    const bad = explainStoreFailure(new ValidationError('store: unknown store scheme "x:"', [{ field: 'store', message: 'unknown scheme' }]), spec, () => false);
    expect(bad).toBeInstanceOf(CliUserError);
    expect((bad as Error).message).toBe('--store: unknown store scheme "x:"');
    const other = new Error('boom');
    expect(explainStoreFailure(other, spec, () => false)).toBe(other);
    expect(explainStoreFailure(new Down('x'), chooseServerStore({ dataDir: 'd' }, {}), () => true)).toBeInstanceOf(Down);
  });
});
