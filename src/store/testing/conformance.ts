// The Store conformance suite: every Store implementation (SQLite now, Postgres later) runs it
// so that controllers, the server and the CLI can rely on one behaviour.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AlreadyExistsError, BadRequestError, ConflictError, NotFoundError, ValidationError } from '../../api/index.js';
import { verifyChain } from '../../audit/index.js';
import type { Mutation, Store, WatchEvent } from '../store.js';
import { collect, obj, rv } from './fixtures.js';

const alice = { actor: 'user:alice', reason: 'conformance' };

/**
 * Registers the conformance suite for one implementation.
 * @param open returns a NEW, EMPTY store each call; the suite closes it.
 * @example describeStoreConformance('sqlite', async () => openSqliteStore({ path: tmpFile() }))
 */
export function describeStoreConformance(name: string, open: () => Promise<Store>): void {
  describe(`Store conformance: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('CRUD', () => {
      it('creates, reads, lists, updates and deletes, setting server-owned metadata', async () => {
        expect(await store.revision()).toBe('0');
        const res = await store.apply([{ verb: 'create', object: obj('Workload', 'api', 'payments', { spec: { replicas: 2 } }) }], alice);
        expect(res.results[0]!.outcome).toBe('created');
        const got = (await store.get({ kind: 'Workload', namespace: 'payments', name: 'api' }))!;
        expect(got.spec).toEqual({ replicas: 2 });
        expect(got.metadata).toMatchObject({ name: 'api', namespace: 'payments', generation: 1, resourceVersion: res.resourceVersion });
        expect(got.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
        expect(Number.isNaN(Date.parse(got.metadata.creationTimestamp!))).toBe(false);
        expect(res.results[0]!.object).toEqual(got);

        const upd = await store.apply([{ verb: 'update', object: { ...got, spec: { replicas: 3 } } }], alice);
        expect(upd.results[0]!.outcome).toBe('configured');
        const after = (await store.get({ kind: 'Workload', namespace: 'payments', name: 'api' }))!;
        expect(after.metadata).toMatchObject({ uid: got.metadata.uid, creationTimestamp: got.metadata.creationTimestamp, generation: 2 });
        expect(rv(after)).toBeGreaterThan(rv(got));

        const del = await store.apply([{ verb: 'delete', ref: { kind: 'Workload', namespace: 'payments', name: 'api' } }], alice);
        expect(del.results[0]).toMatchObject({ outcome: 'deleted', object: { spec: { replicas: 3 } } });
        expect(await store.get({ kind: 'Workload', namespace: 'payments', name: 'api' })).toBeUndefined();
        expect((await store.list('Workload')).items).toEqual([]);
      });

      it('keys objects by kind, namespace and name; cluster-scoped objects have no namespace', async () => {
        await store.apply(
          [
            { verb: 'create', object: obj('Workload', 'api', 'a') },
            { verb: 'create', object: obj('Workload', 'api', 'b') },
            { verb: 'create', object: obj('Cluster', 'api') },
          ],
          alice,
        );
        expect((await store.list('Workload')).items.map((o) => o.metadata.namespace)).toEqual(['a', 'b']);
        expect((await store.list('Workload', { namespace: 'b' })).items).toHaveLength(1);
        const cl = (await store.list('Cluster')).items;
        expect(cl).toHaveLength(1);
        expect(cl[0]!.metadata.namespace).toBeUndefined();
        expect(await store.get({ kind: 'Cluster', name: 'api' })).toBeDefined();
      });

      it('rejects create of an existing object and update or delete of a missing one', async () => {
        await store.apply([{ verb: 'create', object: obj('Cluster', 'c1') }], alice);
        await expect(store.apply([{ verb: 'create', object: obj('Cluster', 'c1') }], alice)).rejects.toBeInstanceOf(AlreadyExistsError);
        await expect(store.apply([{ verb: 'update', object: obj('Cluster', 'nope') }], alice)).rejects.toBeInstanceOf(NotFoundError);
        await expect(store.apply([{ verb: 'updateStatus', object: obj('Cluster', 'nope') }], alice)).rejects.toBeInstanceOf(NotFoundError);
        await expect(store.apply([{ verb: 'delete', ref: { kind: 'Cluster', name: 'nope' } }], alice)).rejects.toBeInstanceOf(NotFoundError);
        expect(await store.revision()).toBe('1');
      });

      it('treats a re-apply of the same object as unchanged: no revision, no audit entry', async () => {
        const o = obj('Workload', 'api', 'p', { labels: { team: 'x' }, spec: { replicas: 1 } });
        await store.apply([{ verb: 'upsert', object: o }], alice);
        const before = await store.revision();
        const audit = (await store.auditLog()).length;
        const again = await store.apply([{ verb: 'upsert', object: o }], alice);
        expect(again.results[0]!.outcome).toBe('unchanged');
        expect(again.resourceVersion).toBe(before);
        expect(await store.revision()).toBe(before);
        expect(await store.auditLog()).toHaveLength(audit);
      });
    });

    describe('optimistic concurrency and atomicity', () => {
      it('fails a stale resourceVersion with ConflictError and writes nothing', async () => {
        const { results } = await store.apply([{ verb: 'create', object: obj('Cluster', 'c1', undefined, { spec: { v: 1 } }) }], alice);
        const v1 = results[0]!.object;
        await store.apply([{ verb: 'update', object: { ...v1, spec: { v: 2 } } }], alice);
        const rev = await store.revision();
        const audit = await store.auditLog();
        await expect(store.apply([{ verb: 'update', object: { ...v1, spec: { v: 3 } } }], alice)).rejects.toBeInstanceOf(ConflictError);
        await expect(store.apply([{ verb: 'upsert', object: obj('Cluster', 'c1'), expectedResourceVersion: '1' }], alice)).rejects.toBeInstanceOf(ConflictError);
        await expect(store.apply([{ verb: 'delete', ref: { kind: 'Cluster', name: 'c1' }, expectedResourceVersion: '1' }], alice)).rejects.toBeInstanceOf(ConflictError);
        await expect(store.apply([{ verb: 'upsert', object: obj('Cluster', 'gone'), expectedResourceVersion: '1' }], alice)).rejects.toBeInstanceOf(ConflictError);
        expect((await store.get({ kind: 'Cluster', name: 'c1' }))!.spec).toEqual({ v: 2 });
        expect(await store.revision()).toBe(rev);
        expect(await store.auditLog()).toEqual(audit);
      });

      it('rolls back earlier mutations and their audit entries when a later one fails', async () => {
        await store.apply([{ verb: 'create', object: obj('Cluster', 'existing') }], alice);
        const rev = await store.revision();
        const audit = await store.auditLog();
        const bad: Mutation[] = [
          { verb: 'create', object: obj('Cluster', 'a') },
          { verb: 'upsert', object: obj('Cluster', 'existing', undefined, { spec: { changed: true } }) },
          { verb: 'create', object: obj('Cluster', 'existing') },
          { verb: 'create', object: obj('Cluster', 'b') },
        ];
        await expect(store.apply(bad, alice)).rejects.toBeInstanceOf(AlreadyExistsError);
        expect(await store.get({ kind: 'Cluster', name: 'a' })).toBeUndefined();
        expect((await store.get({ kind: 'Cluster', name: 'existing' }))!.spec).toBeUndefined();
        expect(await store.revision()).toBe(rev);
        expect(await store.auditLog()).toEqual(audit);
        expect((await store.verifyAudit()).ok).toBe(true);
      });

      it('gives every change of a multi-object apply its own increasing revision', async () => {
        const res = await store.apply(['a', 'b', 'c'].map((n) => ({ verb: 'create' as const, object: obj('Cluster', n) })), alice);
        expect(res.results.map((r) => rv(r.object))).toEqual([1, 2, 3]);
        expect(res.resourceVersion).toBe('3');
      });

      it('computes a dry run without writing anything, audit included', async () => {
        await store.apply([{ verb: 'create', object: obj('Cluster', 'a', undefined, { spec: { v: 1 } }) }], alice);
        const audit = await store.auditLog();
        const res = await store.apply(
          [
            { verb: 'upsert', object: obj('Cluster', 'a', undefined, { spec: { v: 2 } }) },
            { verb: 'create', object: obj('Cluster', 'b') },
          ],
          { ...alice, dryRun: true },
        );
        expect(res.results.map((r) => r.outcome)).toEqual(['configured', 'created']);
        expect(res.results[0]!.object.metadata.generation).toBe(2);
        expect(await store.revision()).toBe('1');
        expect(await store.get({ kind: 'Cluster', name: 'b' })).toBeUndefined();
        expect((await store.get({ kind: 'Cluster', name: 'a' }))!.spec).toEqual({ v: 1 });
        expect(await store.auditLog()).toEqual(audit);
        await expect(store.apply([{ verb: 'create', object: obj('Cluster', 'a') }], { ...alice, dryRun: true })).rejects.toBeInstanceOf(AlreadyExistsError);
      });
    });

    describe('status subresource and generation', () => {
      it('moves generation only on spec changes and keeps status away from main-resource writes', async () => {
        const ref = { kind: 'Workload', namespace: 'p', name: 'api' };
        await store.apply([{ verb: 'create', object: obj('Workload', 'api', 'p', { spec: { replicas: 1 }, status: { ready: 9 } }) }], alice);
        let o = (await store.get(ref))!;
        expect(o.metadata.generation).toBe(1);
        expect(o.status).toBeUndefined();

        await store.apply([{ verb: 'updateStatus', object: { ...o, status: { ready: 1 } } }], { actor: 'controller:health' });
        o = (await store.get(ref))!;
        expect(o).toMatchObject({ spec: { replicas: 1 }, status: { ready: 1 }, metadata: { generation: 1 } });

        await store.apply([{ verb: 'upsert', object: obj('Workload', 'api', 'p', { labels: { a: 'b' }, spec: { replicas: 1 }, status: { ready: 0 } }) }], alice);
        o = (await store.get(ref))!;
        expect(o).toMatchObject({ status: { ready: 1 }, metadata: { generation: 1, labels: { a: 'b' } } });

        await store.apply([{ verb: 'upsert', object: obj('Workload', 'api', 'p', { labels: { a: 'b' }, spec: { replicas: 5 } }) }], alice);
        o = (await store.get(ref))!;
        expect(o).toMatchObject({ spec: { replicas: 5 }, status: { ready: 1 }, metadata: { generation: 2 } });

        const st = await store.apply([{ verb: 'updateStatus', object: { ...o, spec: { replicas: 99 }, status: { ready: 1 } } }], alice);
        expect(st.results[0]!.outcome).toBe('unchanged');
        expect((await store.get(ref))!.spec).toEqual({ replicas: 5 });
      });

      it('lets one apply create an object and set its status', async () => {
        const o = obj('Placement', 'api', 'p', { spec: { workload: 'api' } });
        await store.apply([{ verb: 'create', object: o }, { verb: 'updateStatus', object: { ...o, status: { phase: 'Bound' } } }], { actor: 'controller:placement' });
        expect((await store.get({ kind: 'Placement', namespace: 'p', name: 'api' }))!.status).toEqual({ phase: 'Bound' });
      });
    });

    describe('list', () => {
      it('filters by label selector and reports the revision it read at', async () => {
        await store.apply(
          [
            { verb: 'create', object: obj('Cluster', 'eu1', undefined, { labels: { geo: 'eu', tier: '0' } }) },
            { verb: 'create', object: obj('Cluster', 'eu2', undefined, { labels: { geo: 'eu', tier: '1', legacy: 'true' } }) },
            { verb: 'create', object: obj('Cluster', 'us1', undefined, { labels: { geo: 'us', tier: '0' } }) },
            { verb: 'create', object: obj('Cluster', 'bare') },
          ],
          alice,
        );
        const names = async (sel: string) => (await store.list('Cluster', { labelSelector: sel })).items.map((o) => o.metadata.name);
        expect(await names('geo=eu')).toEqual(['eu1', 'eu2']);
        expect(await names('geo=eu,!legacy')).toEqual(['eu1']);
        expect(await names('tier in (0),geo!=us')).toEqual(['eu1']);
        expect(await names('geo notin (eu)')).toEqual(['bare', 'us1']);
        expect(await names('')).toHaveLength(4);
        expect((await store.list('Cluster')).resourceVersion).toBe('4');
        await expect(store.list('Cluster', { labelSelector: 'geo in eu' })).rejects.toBeInstanceOf(BadRequestError);
      });
    });

    describe('watch', () => {
      it('replays changes after a resourceVersion, then streams live ones', async () => {
        await store.apply([{ verb: 'create', object: obj('Cluster', 'a') }], alice);
        const { resourceVersion } = await store.list('Cluster');
        await store.apply([{ verb: 'create', object: obj('Cluster', 'b') }, { verb: 'create', object: obj('Workload', 'w', 'n') }], alice);
        await store.apply([{ verb: 'update', object: obj('Cluster', 'b', undefined, { spec: { x: 1 } }) }], alice);
        const ac = new AbortController();
        const got = collect(store.watch('Cluster', { resourceVersion, signal: ac.signal }), 4, ac);
        await store.apply([{ verb: 'delete', ref: { kind: 'Cluster', name: 'a' } }, { verb: 'create', object: obj('Cluster', 'c') }], alice);
        const events = await got;
        expect(events.map((e) => `${e.type} ${e.object.metadata.name} ${rv(e.object)}`)).toEqual(['ADDED b 2', 'MODIFIED b 4', 'DELETED a 5', 'ADDED c 6']);
      });

      it('without a resourceVersion streams only changes from now on, for all kinds when kind is undefined', async () => {
        await store.apply([{ verb: 'create', object: obj('Cluster', 'old') }], alice);
        const ac = new AbortController();
        const got = collect(store.watch(undefined, { signal: ac.signal }), 2, ac);
        await store.apply([{ verb: 'create', object: obj('Cluster', 'new') }, { verb: 'create', object: obj('Workload', 'w', 'n') }], alice);
        expect((await got).map((e) => `${e.object.kind}/${e.object.metadata.name}`)).toEqual(['Cluster/new', 'Workload/w']);
      });

      it('with a selector turns label changes into ADDED and DELETED and hides the rest', async () => {
        const ac = new AbortController();
        const got = collect(store.watch('Cluster', { resourceVersion: '0', labelSelector: 'geo=eu', signal: ac.signal }), 4, ac);
        await store.apply([{ verb: 'create', object: obj('Cluster', 'x', undefined, { labels: { geo: 'us' } }) }], alice);
        await store.apply([{ verb: 'update', object: obj('Cluster', 'x', undefined, { labels: { geo: 'eu' } }) }], alice);
        await store.apply([{ verb: 'update', object: obj('Cluster', 'x', undefined, { labels: { geo: 'eu' }, spec: { a: 1 } }) }], alice);
        await store.apply([{ verb: 'update', object: obj('Cluster', 'x', undefined, { labels: { geo: 'us' } }) }], alice);
        await store.apply([{ verb: 'create', object: obj('Cluster', 'y', undefined, { labels: { geo: 'eu' } }) }], alice);
        expect((await got).map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED x', 'MODIFIED x', 'DELETED x', 'ADDED y']);
      });

      it('filters by namespace', async () => {
        const ac = new AbortController();
        const got = collect(store.watch('Workload', { namespace: 'b', resourceVersion: '0', signal: ac.signal }), 1, ac);
        await store.apply([{ verb: 'create', object: obj('Workload', 'w', 'a') }, { verb: 'create', object: obj('Workload', 'w', 'b') }], alice);
        expect((await got).map((e) => e.object.metadata.namespace)).toEqual(['b']);
      });

      it('ends when the signal aborts and when the store closes', async () => {
        const ac = new AbortController();
        const it1 = store.watch('Cluster', { signal: ac.signal })[Symbol.asyncIterator]();
        const pending = it1.next();
        ac.abort();
        expect((await pending).done).toBe(true);
        const it2 = store.watch('Cluster')[Symbol.asyncIterator]();
        const pending2 = it2.next();
        await store.close();
        expect((await pending2).done).toBe(true);
        store = await open();
      });

      it('never misses or duplicates an event across the replay/live seam under concurrent writes', async () => {
        const writes = 300;
        const watchers: Promise<WatchEvent[]>[] = [];
        const starts: number[] = [];
        const ac = new AbortController();
        const last = String(writes);
        const startWatch = async (from: string) => {
          starts.push(Number(from));
          const c = new AbortController();
          ac.signal.addEventListener('abort', () => c.abort());
          watchers.push(collect(store.watch('Cluster', { resourceVersion: from, signal: c.signal }), (evs) => evs.at(-1)?.object.metadata.resourceVersion === last, c));
        };
        await startWatch('0');
        const writer = (async () => {
          for (let i = 0; i < writes; i++) {
            await store.apply([{ verb: 'upsert', object: obj('Cluster', `c${i % 7}`, undefined, { spec: { i } }) }], alice);
            if (i % 3 === 0) await new Promise((r) => setImmediate(r));
          }
        })();
        for (let k = 0; k < 12; k++) {
          await new Promise((r) => setImmediate(r));
          await startWatch(await store.revision());
        }
        await writer;
        const results = await Promise.all(watchers);
        results.forEach((events, i) => {
          const revs = events.map((e) => rv(e.object));
          const expected = Array.from({ length: writes - starts[i]! }, (_v, k) => starts[i]! + 1 + k);
          expect(revs).toEqual(expected);
        });
      });
    });

    describe('audit', () => {
      it('records every change and decision in a verifiable chain', async () => {
        await store.apply([{ verb: 'create', object: obj('Cluster', 'a', undefined, { spec: { v: 1 } }) }], alice);
        await store.apply([{ verb: 'upsert', object: obj('Cluster', 'a', undefined, { spec: { v: 2 } }) }], { actor: 'user:bob' });
        const decision = await store.recordDecision({ actor: 'controller:placement', verb: 'schedule', ref: { kind: 'Workload', namespace: 'p', name: 'api' }, details: { cluster: 'a', score: 0.75 } });
        await store.apply([{ verb: 'delete', ref: { kind: 'Cluster', name: 'a' } }], alice);
        const log = await store.auditLog();
        expect(log.map((e) => `${e.seq} ${e.actor} ${e.verb} ${e.kind}/${e.name} ${e.resourceVersion ?? '-'}`)).toEqual([
          '1 user:alice create Cluster/a 1',
          '2 user:bob upsert Cluster/a 2',
          '3 controller:placement schedule Workload/api -',
          '4 user:alice delete Cluster/a 3',
        ]);
        expect(log[2]).toEqual(decision);
        expect(log[0]!.beforeDigest).toBeUndefined();
        expect(log[1]!.beforeDigest).toBe(log[0]!.afterDigest);
        expect(log[3]!.beforeDigest).toBe(log[1]!.afterDigest);
        expect(log[3]!.afterDigest).toBeUndefined();
        expect(log[0]!.details).toMatchObject({ reason: 'conformance', outcome: 'created' });
        const v = await store.verifyAudit();
        expect(v).toEqual({ ok: true, entries: 4, headHash: log[3]!.hash });
        expect(verifyChain(log)).toEqual(v);
      });

      it('commits decisions given with an apply in its transaction, after its changes, and none when it fails', async () => {
        const why = { actor: 'controller:placement', verb: 'schedule', ref: { kind: 'Workload', namespace: 'p', name: 'api' }, details: { clusters: ['a'] } };
        await store.apply([{ verb: 'create', object: obj('Placement', 'api', 'p') }], { actor: 'controller:placement', decisions: [why, { ...why, verb: 'note' }] });
        expect((await store.auditLog()).map((e) => `${e.seq} ${e.verb} ${e.kind}/${e.name} ${e.resourceVersion ?? '-'}`)).toEqual(['1 create Placement/api 1', '2 schedule Workload/api -', '3 note Workload/api -']);
        await expect(store.apply([{ verb: 'create', object: obj('Placement', 'api', 'p') }], { actor: 'controller:placement', decisions: [why] })).rejects.toBeInstanceOf(AlreadyExistsError);
        await expect(store.apply([{ verb: 'create', object: obj('Placement', 'b', 'p') }], { actor: 'controller:x', decisions: [{ ...why, details: { bad: Number.NaN } }] })).rejects.toBeInstanceOf(ValidationError);
        expect(await store.get({ kind: 'Placement', namespace: 'p', name: 'b' })).toBeUndefined();
        expect(await store.verifyAudit()).toMatchObject({ ok: true, entries: 3 });
        await store.apply([{ verb: 'upsert', object: obj('Placement', 'c', 'p') }], { actor: 'controller:x', dryRun: true, decisions: [why] });
        expect(await store.auditLog()).toHaveLength(3);
      });

      it('stores decision details as JSON and rejects what JSON cannot hold', async () => {
        const e = await store.recordDecision({ actor: 'controller:x', verb: 'note', details: { at: new Date('2026-01-02T03:04:05Z'), gone: undefined, list: [1, 'a'] } });
        expect(e.details).toEqual({ at: '2026-01-02T03:04:05.000Z', list: [1, 'a'] });
        expect((await store.auditLog())[0]).toEqual(e);
        await expect(store.recordDecision({ actor: 'controller:x', verb: 'note', details: { score: Number.NaN } })).rejects.toBeInstanceOf(ValidationError);
        await expect(store.recordDecision({ actor: '', verb: 'note' })).rejects.toBeInstanceOf(ValidationError);
        await expect(store.apply([{ verb: 'create', object: obj('Cluster', 'c') }], { actor: '' })).rejects.toBeInstanceOf(ValidationError);
        expect(await store.verifyAudit()).toMatchObject({ ok: true, entries: 1 });
      });

      it('filters the log by seq, limit, object and time', async () => {
        for (const n of ['a', 'b', 'c']) await store.apply([{ verb: 'create', object: obj('Cluster', n) }], alice);
        expect((await store.auditLog({ afterSeq: 1, limit: 1 })).map((e) => e.name)).toEqual(['b']);
        expect((await store.auditLog({ ref: { kind: 'Cluster', name: 'c' } })).map((e) => e.seq)).toEqual([3]);
        expect(await store.auditLog({ since: '2999-01-01T00:00:00Z' })).toEqual([]);
        expect(await store.auditLog({ since: '2000-01-01' })).toHaveLength(3);
      });

      it('keeps the chain verifiable and revisions strictly increasing under random operations (property)', async () => {
        const names = ['a', 'b', 'c'];
        const op = fc.record({
          verb: fc.constantFrom('create', 'update', 'upsert', 'updateStatus', 'delete'),
          name: fc.constantFrom(...names),
          v: fc.integer({ min: 0, max: 2 }),
          label: fc.constantFrom('x', 'y'),
        });
        await fc.assert(
          fc.asyncProperty(fc.array(fc.array(op, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 12 }), async (applies) => {
            const s = await open();
            try {
              let last = 0;
              let changes = 0;
              for (const batch of applies) {
                const ms: Mutation[] = batch.map((b) =>
                  b.verb === 'delete'
                    ? { verb: 'delete', ref: { kind: 'Cluster', name: b.name } }
                    : { verb: b.verb, object: obj('Cluster', b.name, undefined, { labels: { l: b.label }, spec: { v: b.v }, status: { s: b.v } }) },
                );
                try {
                  const res = await s.apply(ms, alice);
                  const changed = res.results.filter((r) => r.outcome !== 'unchanged');
                  const written = changed.filter((r) => r.outcome !== 'deleted').map((r) => rv(r.object));
                  written.forEach((r, i) => expect(r).toBeGreaterThan(i ? written[i - 1]! : last));
                  expect(Number(res.resourceVersion)).toBe(last + changed.length);
                  changes += changed.length;
                  last = Number(res.resourceVersion);
                } catch (err) {
                  expect(err).toSatisfy((e) => e instanceof NotFoundError || e instanceof AlreadyExistsError);
                  expect(Number(await s.revision())).toBe(last);
                }
              }
              const v = await s.verifyAudit();
              expect(v.ok).toBe(true);
              expect(v.entries).toBe(changes);
            } finally {
              await s.close();
            }
          }),
          { numRuns: 25 },
        );
      });
    });

    describe('history', () => {
      it('returns every version of a kind in a time window, oldest first', async () => {
        const t0 = new Date(Date.now() - 1000).toISOString();
        await store.apply([{ verb: 'create', object: obj('Workload', 'api', 'p', { spec: { replicas: 1 } }) }], alice);
        await store.apply([{ verb: 'upsert', object: obj('Workload', 'api', 'p', { spec: { replicas: 2 } }) }, { verb: 'create', object: obj('Workload', 'api', 'q') }], alice);
        await store.apply([{ verb: 'delete', ref: { kind: 'Workload', namespace: 'p', name: 'api' } }, { verb: 'create', object: obj('Cluster', 'c') }], alice);
        const h = await store.history('Workload', { since: t0 });
        expect(h.map((e) => `${e.type} ${e.object.metadata.namespace} ${e.resourceVersion}`)).toEqual(['ADDED p 1', 'MODIFIED p 2', 'ADDED q 3', 'DELETED p 4']);
        expect(h[1]!.object.spec).toEqual({ replicas: 2 });
        expect((await store.history('Workload', { since: t0, namespace: 'q' })).map((e) => e.resourceVersion)).toEqual(['3']);
        expect(await store.history('Workload', { since: t0, until: t0 })).toEqual([]);
        for (const e of h) expect(e.time >= t0).toBe(true);
      });

      it('with includeStateAtSince, first returns the version in effect at since (not deleted ones)', async () => {
        await store.apply([{ verb: 'create', object: obj('Workload', 'api', 'p', { spec: { replicas: 1 } }) }], alice);
        await store.apply([{ verb: 'upsert', object: obj('Workload', 'api', 'p', { spec: { replicas: 2 } }) }, { verb: 'create', object: obj('Workload', 'old', 'p') }], alice);
        await store.apply([{ verb: 'delete', ref: { kind: 'Workload', namespace: 'p', name: 'old' } }, { verb: 'create', object: obj('Workload', 'api', 'q') }], alice);
        const all = await store.history('Workload', { since: '2000-01-01T00:00:00.000Z' });
        // Wait until the clock has moved past every write, so `since` separates the before and after.
        const last = all.at(-1)!.time;
        while (new Date().toISOString() <= last) await new Promise((r) => setTimeout(r, 2));
        const since = new Date().toISOString();
        await store.apply([{ verb: 'upsert', object: obj('Workload', 'api', 'p', { spec: { replicas: 3 } }) }], alice);
        const h = await store.history('Workload', { since, includeStateAtSince: true });
        expect(h.map((e) => `${e.type} ${e.object.metadata.namespace}/${e.object.metadata.name} ${e.resourceVersion}`)).toEqual([
          'MODIFIED p/api 2',
          'ADDED q/api 5',
          'MODIFIED p/api 6',
        ]);
        expect(h[0]!.time < since).toBe(true);
        expect(h[0]!.object.spec).toEqual({ replicas: 2 });
        expect((await store.history('Workload', { since, namespace: 'q', includeStateAtSince: true })).map((e) => e.resourceVersion)).toEqual(['5']);
        expect((await store.history('Workload', { since })).map((e) => e.resourceVersion)).toEqual(['6']);
      });
    });
  });
}

