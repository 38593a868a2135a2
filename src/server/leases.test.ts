import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '../api/index.js';
import { createLeaseTable } from './leases.js';
import { startTestServer, type TestServer } from './testing/harness.js';

describe('lease table', () => {
  it('refuses a second holder while the lease is live and hands over once it expires', () => {
    const t = createLeaseTable();
    t.renew('c1', 'agent-a', 1500, 1000);
    expect(() => t.renew('c1', 'agent-b', 1500, 2000)).toThrow(ConflictError);
    expect(t.isLive('c1', 2500)).toBe(true);
    expect(t.isLive('c1', 2501)).toBe(false);
    const l = t.renew('c1', 'agent-b', 1500, 2600);
    expect(l.holder).toBe('agent-b');
    expect(l.acquireTime).toBe(2600);
  });

  it('keeps acquireTime across renewals and lets only the holder release', () => {
    const t = createLeaseTable();
    const events: string[] = [];
    t.onChange((_l, e) => events.push(e));
    t.renew('c1', 'a', 1000, 0);
    expect(t.renew('c1', 'a', 1000, 500).acquireTime).toBe(0);
    t.release('c1', 'someone-else');
    expect(t.get('c1')).toBeDefined();
    t.release('c1', 'a');
    expect(t.get('c1')).toBeUndefined();
    expect(events).toEqual(['acquired', 'renewed', 'released']);
  });
});

describe('lease API', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.stop();
  });

  it('renews without writing the store or the audit chain', async () => {
    const before = await s.snapshot();
    const r = await s.req('PUT', '/api/v1alpha1/leases/aws-eu-1', { holder: 'agent-1', durationMs: 1500 });
    expect(r.status).toBe(200);
    expect(r.body.holder).toBe('agent-1');
    expect(s.leases.isLive('aws-eu-1')).toBe(true);
    expect(await s.snapshot()).toEqual(before);
  });

  it('answers 409 to a competing holder and 400 to malformed bodies', async () => {
    await s.req('PUT', '/api/v1alpha1/leases/c2', { holder: 'a', durationMs: 60000 });
    expect((await s.req('PUT', '/api/v1alpha1/leases/c2', { holder: 'b', durationMs: 1000 })).status).toBe(409);
    expect((await s.req('PUT', '/api/v1alpha1/leases/c2', { holder: 'b' })).status).toBe(400);
    expect((await s.req('PUT', '/api/v1alpha1/leases/c2', { holder: '', durationMs: 1 })).status).toBe(400);
    expect((await s.req('PUT', '/api/v1alpha1/leases/c2', '[1,2')).status).toBe(400);
    expect((await s.req('DELETE', '/api/v1alpha1/leases/c2?holder=a')).status).toBe(200);
    expect((await s.req('GET', '/api/v1alpha1/leases')).body.items.map((l: { name: string }) => l.name)).not.toContain('c2');
  });
});
