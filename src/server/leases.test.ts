import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeLeaseTableConformance } from '../store/testing/lease-conformance.js';
import { createLeaseTable } from './leases.js';
import { startTestServer, type TestServer } from './testing/harness.js';

describeLeaseTableConformance('in memory', async () => createLeaseTable());

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
