// Chunked lists over real HTTP: limit/continue walk every object exactly once in namespace/name
// order, and every malformed list parameter is a 400 naming it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE, fixtures, startTestServer, type TestServer } from './testing/harness.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
  const workloads = [fixtures.workload('c', 'team-a'), fixtures.workload('a', 'team-b'), fixtures.workload('b', 'team-a'), fixtures.workload('a', 'team-a'), fixtures.workload('z', 'team-b')];
  const r = await s.req('POST', '/api/v1alpha1/apply', { items: [fixtures.budget('one'), fixtures.budget('two'), fixtures.budget('three'), ...workloads] });
  expect(r.status).toBe(200);
});
afterAll(async () => {
  await s.stop();
});

const names = (items: { metadata: { namespace?: string; name: string } }[]) => items.map((o) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name));

/** Follows `continue` tokens until the list ends; returns every page's names. */
async function walk(path: string, limit: number): Promise<string[][]> {
  const pages: string[][] = [];
  let token: string | undefined;
  for (;;) {
    const sep = path.includes('?') ? '&' : '?';
    const r = await s.req('GET', `${path}${sep}limit=${limit}${token ? `&continue=${encodeURIComponent(token)}` : ''}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    pages.push(names(r.body.items));
    token = r.body.metadata.continue;
    if (!token) {
      expect(r.body.metadata.remainingItemCount).toBeUndefined();
      return pages;
    }
    expect(r.body.items).toHaveLength(limit);
    expect(pages.length).toBeLessThan(20);
  }
}

describe('limit and continue', () => {
  it('limit=1 returns one item and a token; following it returns each object once, in order', async () => {
    const first = await s.req('GET', `${BASE}/budgets?limit=1`);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.metadata).toMatchObject({ remainingItemCount: 2, continue: expect.any(String) });
    expect(await walk(`${BASE}/budgets`, 1)).toEqual([['one'], ['three'], ['two']]);
    expect(await walk(`${BASE}/budgets`, 2)).toEqual([['one', 'three'], ['two']]);
    expect(await walk(`${BASE}/budgets`, 3)).toEqual([['one', 'three', 'two']]);
  });

  it('pages across namespaces, inside one namespace and under a selector', async () => {
    expect((await walk(`${BASE}/workloads`, 2)).flat()).toEqual(['team-a/a', 'team-a/b', 'team-a/c', 'team-b/a', 'team-b/z']);
    expect(await walk(`${BASE}/namespaces/team-a/workloads`, 2)).toEqual([['team-a/a', 'team-a/b'], ['team-a/c']]);
    expect((await walk(`${BASE}/workloads?labelSelector=app%3Da`, 1)).flat()).toEqual(['team-a/a', 'team-b/a']);
  });

  it('limit=0 or no limit returns everything without a token', async () => {
    for (const q of ['', '?limit=0']) {
      const r = await s.req('GET', `${BASE}/budgets${q}`);
      expect(names(r.body.items)).toEqual(['one', 'three', 'two']);
      expect(r.body.metadata.continue).toBeUndefined();
    }
  });

  it('a page continues after the last item served even when objects change between pages', async () => {
    const first = await s.req('GET', `${BASE}/budgets?limit=1`);
    expect((await s.req('POST', `${BASE}/budgets`, fixtures.budget('four'))).status).toBe(201);
    const next = await s.req('GET', `${BASE}/budgets?limit=5&continue=${first.body.metadata.continue}`);
    expect(names(next.body.items)).toEqual(['three', 'two']);
    expect((await s.req('DELETE', `${BASE}/budgets/four`)).status).toBe(200);
  });
});

describe('malformed list parameters are a 400 naming the parameter', () => {
  it.each([
    ['limit', 'limit=-1'],
    ['limit', 'limit=abc'],
    ['limit', 'limit=1.5'],
    ['limit', 'limit=99999999999'],
    ['continue', 'continue=garbage!'],
    ['continue', `continue=${Buffer.from('{"v":1}').toString('base64url')}`],
    ['continue', `continue=${Buffer.from('not json').toString('base64url')}`],
    ['resourceVersion', 'resourceVersion=-5'],
    ['resourceVersion', 'resourceVersion=abc'],
  ])('%s: ?%s', async (param, query) => {
    const r = await s.req('GET', `${BASE}/budgets?${query}`);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ kind: 'Status', code: 400 });
    expect(r.body.details.causes[0].field).toBe(param);
  });

  it('a token from another list, or next to a resourceVersion, is refused', async () => {
    const token = (await s.req('GET', `${BASE}/namespaces/team-a/workloads?limit=1`)).body.metadata.continue as string;
    for (const other of [`${BASE}/namespaces/team-b/workloads`, `${BASE}/workloads`, `${BASE}/namespaces/team-a/workloads?labelSelector=app%3Da&`, `${BASE}/budgets`]) {
      const r = await s.req('GET', `${other}${other.endsWith('&') ? '' : '?'}continue=${token}`);
      expect(r.status, other).toBe(400);
      expect(r.body.message).toMatch(/different list/);
    }
    const both = await s.req('GET', `${BASE}/namespaces/team-a/workloads?continue=${token}&resourceVersion=1`);
    expect(both.status).toBe(400);
    expect(both.body.details.causes[0].field).toBe('resourceVersion');
  });

  it('a well-formed resourceVersion is accepted on a list', async () => {
    const r = await s.req('GET', `${BASE}/budgets?resourceVersion=0`);
    expect(r.status).toBe(200);
    expect(r.body.items).toHaveLength(3);
  });
});
