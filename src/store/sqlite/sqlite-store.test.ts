import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExpiredError, ValidationError } from '../../api/index.js';
import { openSqliteSpec, openStore } from '../open-store.js';
import { describeStoreConformance } from '../testing/conformance.js';
import { collect, obj, rv } from '../testing/fixtures.js';
import { openSqliteStore, type SqliteStore } from './sqlite-store.js';

const root = mkdtempSync(join(tmpdir(), 'truststram-sqlite-'));
let n = 0;
const fresh = () => join(root, `s${n++}.db`);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describeStoreConformance('sqlite', async () => openSqliteStore({ path: fresh() }));

describe('SQLite store', () => {
  const open: SqliteStore[] = [];
  const openAt = (path: string, extra: { watchBufferSize?: number; watchPageSize?: number } = {}) => {
    const s = openSqliteStore({ path, ...extra });
    open.push(s);
    return s;
  };
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });
  const alice = { actor: 'user:alice' };

  it('persists objects, revision and audit across reopen, in WAL mode', async () => {
    const path = fresh();
    const a = openAt(path);
    await a.apply([{ verb: 'create', object: obj('Cluster', 'c1', undefined, { spec: { v: 1 } }) }], alice);
    await a.recordDecision({ actor: 'controller:x', verb: 'note' });
    await a.close();
    expect(existsSync(`${path}-wal`) || existsSync(path)).toBe(true);
    const b = openAt(path);
    expect((await b.get({ kind: 'Cluster', name: 'c1' }))!.spec).toEqual({ v: 1 });
    expect(await b.revision()).toBe('1');
    const res = await b.apply([{ verb: 'create', object: obj('Cluster', 'c2') }], alice);
    expect(res.resourceVersion).toBe('2');
    expect((await b.auditLog()).map((e) => e.seq)).toEqual([1, 2, 3]);
    expect((await b.verifyAudit()).ok).toBe(true);
  });

  it('expires watches from compacted revisions but keeps audit verifiable', async () => {
    const s = openAt(fresh());
    for (let i = 0; i < 5; i++) await s.apply([{ verb: 'upsert', object: obj('Cluster', 'c', undefined, { spec: { i } }) }], alice);
    expect(await s.compact(3)).toEqual({ removed: 3, compactedRevision: '3' });
    expect(() => s.watch('Cluster', { resourceVersion: '2' })).toThrow(ExpiredError);
    const ac = new AbortController();
    const got = collect(s.watch('Cluster', { resourceVersion: '3', signal: ac.signal }), 2, ac);
    expect((await got).map((e) => rv(e.object))).toEqual([4, 5]);
    expect((await s.history('Cluster', { since: '2000-01-01' })).map((h) => h.resourceVersion)).toEqual(['4', '5']);
    expect((await s.verifyAudit()).ok).toBe(true);
  });

  it('ends a watch that falls too far behind with ExpiredError instead of blocking writers', async () => {
    const s = openAt(fresh(), { watchBufferSize: 5 });
    const it = s.watch('Cluster')[Symbol.asyncIterator]();
    for (let i = 0; i < 10; i++) await s.apply([{ verb: 'upsert', object: obj('Cluster', 'c', undefined, { spec: { i } }) }], alice);
    await expect(it.next()).rejects.toBeInstanceOf(ExpiredError);
    expect(await s.revision()).toBe('10');
  });

  it('replays a long backlog page by page without gaps while writes continue', async () => {
    const s = openAt(fresh(), { watchPageSize: 4 });
    for (let i = 0; i < 25; i++) await s.apply([{ verb: 'upsert', object: obj('Cluster', `c${i % 3}`, undefined, { spec: { i } }) }], alice);
    const ac = new AbortController();
    const got = collect(s.watch('Cluster', { resourceVersion: '0', signal: ac.signal }), 40, ac);
    for (let i = 25; i < 40; i++) await s.apply([{ verb: 'upsert', object: obj('Cluster', `c${i % 3}`, undefined, { spec: { i } }) }], alice);
    expect((await got).map((e) => rv(e.object))).toEqual(Array.from({ length: 40 }, (_v, i) => i + 1));
  });

  it('rejects a watch from a malformed resourceVersion', () => {
    const s = openAt(fresh());
    expect(() => s.watch('Cluster', { resourceVersion: 'abc' })).toThrow(ValidationError);
  });

  it('opens from a data directory and a sqlite:// URL; openSqliteSpec refuses postgres://', async () => {
    const dir = join(root, 'data-dir');
    const a = await openStore(dir);
    await a.apply([{ verb: 'create', object: obj('Cluster', 'c') }], alice);
    await a.close();
    expect(existsSync(join(dir, 'truststram.db'))).toBe(true);
    const b = await openStore(`sqlite://${join(dir, 'truststram.db')}`);
    expect(await b.get({ kind: 'Cluster', name: 'c' })).toBeDefined();
    await b.close();
    await expect(openSqliteSpec('postgres://u@localhost/db')).rejects.toThrow(/needs a SQLite store/);
    await expect(openStore('postgres://')).rejects.toBeInstanceOf(ValidationError);
    await expect(openStore('mysql://x')).rejects.toBeInstanceOf(ValidationError);
    await expect(openStore('  ')).rejects.toBeInstanceOf(ValidationError);
  });
});
