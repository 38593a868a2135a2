// The embedded fleet with auth on: a real `truststram server --token-file` with its controllers
// and the managed agents it starts for the example fleet (simulated replicas). The user applies
// examples/ with their token; the agents authenticate with their own in-memory credentials, so
// every workload becomes ready, the audit log names each agent as `system:agent:<cluster>`, no
// credential shows in any argv or log line, and every process is gone after the server stops.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt, EXAMPLES, tempDir } from './harness.js';
import { API, allReady, freePort, killTracked, markedProcesses, newMark, reapMarked, startFleetServer, waitUntil, type FleetServer, type WorkloadView } from './fleet-harness.js';

const USER_TOKEN = 'e2e-fleet-Token-5c0ffee';
const CLUSTERS = ['aws-eu-west-1', 'aws-us-east-1', 'azure-westeurope', 'azure-eastus', 'gcp-europe-west1', 'gcp-us-central1'];
const mark = newMark();
let server: FleetServer;

async function authed<T>(path: string, token = USER_TOKEN, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(server.url + path, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Each running agent's pid, argv and the TRUSTSTRAM_TOKEN in its environment. */
function agentProcesses(): { pid: number; argv: string; token: string }[] {
  return markedProcesses(mark)
    .filter((p) => p.cmdline.includes('agent-main'))
    .map((p) => {
      const env = readFileSync(`/proc/${p.pid}/environ`, 'utf8').split('\0');
      const token = env.find((e) => e.startsWith('TRUSTSTRAM_TOKEN='))?.slice('TRUSTSTRAM_TOKEN='.length) ?? '';
      return { pid: p.pid, argv: readFileSync(`/proc/${p.pid}/cmdline`, 'utf8'), token };
    });
}

beforeAll(async () => {
  await ensureBuilt();
  const dir = await tempDir('truststram-fleet-auth-');
  await writeFile(join(dir, 'tokens.csv'), `${USER_TOKEN},alice\n`);
  server = await startFleetServer(join(dir, 'data'), await freePort(), mark, ['--token-file', join(dir, 'tokens.csv'), '--simulated', '--no-gateway']);
});

afterAll(async () => {
  await killTracked();
  expect(reapMarked(mark)).toEqual([]);
});

describe('truststram server --token-file with managed agents', () => {
  let agentTokens: string[] = [];

  it('runs the example fleet applied with the user\'s token to full readiness', async () => {
    const files = ['fleet.yaml', 'workloads.yaml', 'budgets.yaml'].flatMap((f) => ['-f', join(EXAMPLES, f)]);
    const apply = await cli(['apply', ...files], { server: server.url, env: { TRUSTSTRAM_TOKEN: USER_TOKEN } });
    expect(apply.code, apply.stderr).toBe(0);
    const workloads = await waitUntil(
      async () => {
        const r = await authed<{ items: WorkloadView[] }>(`${API}/workloads`);
        return r.body.items.length === 3 && r.body.items.every((w) => allReady(w)) ? r.body.items : undefined;
      },
      60_000,
      `every example workload ready:\n${server.output()}`,
    );
    expect(workloads.map((w) => w.metadata.name).sort()).toEqual(['catalog-api', 'nightly-reports', 'payments-api']);
    const clusters = await authed<{ items: { metadata: { name: string }; status?: { phase?: string } }[] }>(`${API}/clusters`);
    expect(clusters.body.items.map((c) => [c.metadata.name, c.status?.phase]).sort()).toEqual(CLUSTERS.map((c) => [c, 'Ready']).sort());
    expect(server.output()).not.toMatch(/invalid bearer token|authentication required/);
  });

  it('records every agent as system:agent:<cluster> in the audit log, and the user as user:alice', async () => {
    const log = await cli(['audit', 'log', '-o', 'json'], { server: server.url, env: { TRUSTSTRAM_TOKEN: USER_TOKEN } });
    expect(log.code, log.stderr).toBe(0);
    const entries = (JSON.parse(log.stdout) as { items: { actor: string; kind?: string; name?: string }[] }).items;
    for (const c of CLUSTERS) expect(entries.some((e) => e.actor === `system:agent:${c}` && e.kind === 'Cluster' && e.name === c), c).toBe(true);
    expect(entries.some((e) => e.actor === 'user:alice' && e.kind === 'Workload')).toBe(true);
    // Each agent wrote only its own cluster.
    expect(entries.filter((e) => e.actor.startsWith('system:agent:')).every((e) => e.kind === 'Cluster' && e.actor === `system:agent:${e.name}`)).toBe(true);
  });

  it('hands each agent its own credential in the environment, never argv, never a log line', async () => {
    const agents = agentProcesses();
    expect(agents).toHaveLength(CLUSTERS.length);
    agentTokens = agents.map((a) => a.token);
    expect(new Set(agentTokens).size).toBe(CLUSTERS.length);
    for (const a of agents) {
      expect(a.token).toMatch(/^[A-Za-z0-9_-]{43,}$/);
      expect(a.argv).not.toContain(a.token);
      expect(server.output()).not.toContain(a.token);
    }
    // What an agent credential may not do: apply, or read the audit log.
    expect((await authed(`/api/v1alpha1/apply`, agentTokens[0], { method: 'POST', body: JSON.stringify({ objects: [] }) })).status).toBe(403);
    expect((await authed(`/api/v1alpha1/audit`, agentTokens[0])).status).toBe(403);
  });

  it('stops every agent with the server and leaves no process behind', async () => {
    expect(await server.stop()).toBe(0);
    await waitUntil(() => markedProcesses(mark).length === 0, 15_000, 'no agent or replica left').catch(() => undefined);
    expect(markedProcesses(mark)).toEqual([]);
  });
});
