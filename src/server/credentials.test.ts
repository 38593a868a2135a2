// Internal credentials (managed agents' identities): issued in memory, accepted only while
// live, and limited to what an agent does on the real API server.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnauthorizedError } from '../api/index.js';
import { createAuthenticator, parseTokenFile } from './auth.js';
import { agentClusterOf, agentIdentity, createInternalCredentials, type InternalCredentials } from './credentials.js';
import { BASE, fixtures, startTestServer, type TestServer } from './testing/harness.js';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('internal credentials', () => {
  it('issues 256-bit base64url tokens, one live per identity, and forgets revoked ones', () => {
    const c = createInternalCredentials();
    const first = c.issue(agentIdentity('eu-1'));
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(c.lookup(first)).toBe('system:agent:eu-1');
    const second = c.issue(agentIdentity('eu-1'));
    expect(second).not.toBe(first);
    expect(c.lookup(first)).toBeUndefined();
    const other = c.issue(agentIdentity('us-1'));
    c.revoke(agentIdentity('eu-1'));
    expect(c.lookup(second)).toBeUndefined();
    expect(c.lookup(other)).toBe('system:agent:us-1');
    c.revokeAll();
    expect(c.lookup(other)).toBeUndefined();
  });

  it('authenticate as their identity only while auth is on; a file user cannot take an agent identity', () => {
    const c = createInternalCredentials();
    const token = c.issue(agentIdentity('eu-1'));
    const on = createAuthenticator(parseTokenFile('file-token,system:agent:eu-1\n'), c);
    expect(on.authenticate(bearer(token))).toBe('system:agent:eu-1');
    expect(on.authenticate(bearer('file-token'))).toBe('user:system:agent:eu-1');
    expect(agentClusterOf(on.authenticate(bearer('file-token')))).toBeUndefined();
    c.revoke(agentIdentity('eu-1'));
    expect(() => on.authenticate(bearer(token))).toThrow(UnauthorizedError);
  });
});

describe('an agent identity on the API', () => {
  let s: TestServer;
  let creds: InternalCredentials;
  let agent: Record<string, string>;
  let tokenDir: string;
  const alice = bearer('alice-token');

  beforeAll(async () => {
    creds = createInternalCredentials();
    tokenDir = await mkdtemp(join(tmpdir(), 'truststram-tokens-'));
    const tokenFile = join(tokenDir, 'tokens.csv');
    await writeFile(tokenFile, 'alice-token,alice\n');
    s = await startTestServer({ credentials: creds, tokenFile });
    agent = bearer(creds.issue(agentIdentity('aws-eu')));
    for (const o of [fixtures.cluster('aws-eu'), fixtures.cluster('aws-us')]) expect((await s.req('POST', `${BASE}/clusters`, o, alice)).status).toBe(201);
    expect((await s.req('POST', `${BASE}/namespaces/team-a/workloads`, fixtures.workload(), alice)).status).toBe(201);
  });
  afterAll(async () => {
    await s?.stop();
    await rm(tokenDir, { recursive: true, force: true });
  });

  it('does what an agent does, and the audit log names it as the actor', async () => {
    expect((await s.req('PUT', '/api/v1alpha1/leases/aws-eu', { holder: 'a1', durationMs: 1000 }, agent)).status).toBe(200);
    expect((await s.req('GET', `${BASE}/clusters/aws-eu`, undefined, agent)).status).toBe(200);
    const patch = await s.req('PATCH', `${BASE}/clusters/aws-eu/status`, JSON.stringify({ status: { allocatable: { cpu: 1, memory: 1, pods: 1 } } }), { ...agent, 'content-type': 'application/merge-patch+json' });
    expect(patch.status, JSON.stringify(patch.body)).toBe(200);
    expect((await s.req('GET', `${BASE}/workloads`, undefined, agent)).status).toBe(200);
    expect((await s.req('GET', `${BASE}/namespaces/team-a/workloads/payments`, undefined, agent)).status).toBe(200);
    expect((await s.req('GET', `${BASE}/placements`, undefined, agent)).status).toBe(200);
    expect((await s.req('DELETE', '/api/v1alpha1/leases/aws-eu?holder=a1', undefined, agent)).status).toBe(200);
    const log = await s.req('GET', '/api/v1alpha1/audit', undefined, alice);
    expect((log.body as { items: { actor: string; kind?: string; name?: string }[] }).items.at(-1)).toMatchObject({ actor: 'system:agent:aws-eu', kind: 'Cluster', name: 'aws-eu' });
  });

  it.each([
    ['PUT', '/api/v1alpha1/leases/aws-us', { holder: 'a1', durationMs: 1000 }],
    ['PATCH', `${BASE}/clusters/aws-us/status`, { status: {} }],
    ['GET', `${BASE}/clusters/aws-us`, undefined],
    ['PUT', `${BASE}/clusters/aws-eu`, fixtures.cluster('aws-eu')],
    ['POST', `${BASE}/clusters`, fixtures.cluster('aws-new')],
    ['DELETE', `${BASE}/namespaces/team-a/workloads/payments`, undefined],
    ['PATCH', `${BASE}/namespaces/team-a/workloads/payments/status`, { status: {} }],
    ['POST', '/api/v1alpha1/apply', { objects: [] }],
    ['GET', '/api/v1alpha1/audit', undefined],
    ['GET', `${BASE}/namespaces/team-a/events`, undefined],
  ])('is forbidden everything else: %s %s', async (method, path, body) => {
    const before = await s.snapshot();
    const r = await s.req(method, path, body, agent);
    expect(r.status).toBe(403);
    expect((r.body as { reason: string }).reason).toBe('Forbidden');
    expect(await s.snapshot()).toEqual(before);
  });

  it('is refused (401) once revoked; health probes stay open', async () => {
    const token = creds.issue(agentIdentity('aws-eu'));
    creds.revokeAll();
    expect((await s.req('GET', `${BASE}/clusters/aws-eu`, undefined, bearer(token))).status).toBe(401);
    expect((await s.req('GET', '/healthz', undefined, bearer(token))).status).toBe(200);
  });
});
