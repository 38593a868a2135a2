// The managed agents' credentials with auth on (real control plane, real agent processes with
// simulated replicas): the credential reaches the agent through its environment and never its
// argv, authenticates as system:agent:<cluster>, and a restarted control plane issues a new one
// and refuses the old.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgentProcess, type AgentProcess } from '../drivers/index.js';
import { isAgentProcess } from './agent-manager.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';

const API = '/apis/truststram.io/v1alpha1';
const USER_TOKEN = 'user-token-4b1d';
const alice = { authorization: `Bearer ${USER_TOKEN}` };
const cluster = {
  apiVersion: 'truststram.io/v1alpha1',
  kind: 'Cluster',
  metadata: { name: 'local-eu' },
  spec: { provider: 'onprem', region: 'eu-local', residency: 'eu', capacity: { cpu: '2', memory: '4Gi', pods: 8 }, driver: { type: 'local' } },
};

let dir: string;
let tokenFile: string;
const planes: ControlPlane[] = [];
const pids = new Set<number>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cp-agent-creds-'));
  tokenFile = join(dir, 'tokens.csv');
  await writeFile(tokenFile, `${USER_TOKEN},alice\n`);
});

afterAll(async () => {
  for (const cp of planes) await cp.close();
  for (const pid of pids) if (isAgentProcess(pid)) process.kill(pid, 'SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

async function start(): Promise<ControlPlane> {
  const cp = await startControlPlane({ dataDir: join(dir, 'state'), listen: '127.0.0.1:0', tokenFile, gateway: false, log: () => {}, agents: { simulated: true, heartbeatMs: 200, stdio: 'ignore' } });
  planes.push(cp);
  return cp;
}

async function until<T>(what: string, f: () => Promise<T | undefined> | T | undefined, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The live agent's pid (as it reports it) once its lease is live, with its argv and its credential. */
async function runningAgent(cp: ControlPlane): Promise<{ pid: number; argv: string; token: string }> {
  const pid = await until('the managed agent to heartbeat', async () => {
    if (!cp.leases.isLive('local-eu')) return undefined;
    const r = await fetch(`${cp.url}${API}/clusters/local-eu`, { headers: alice });
    const pid = ((await r.json()) as { status?: { agent?: { pid?: number } | null } }).status?.agent?.pid;
    return pid && isAgentProcess(pid) ? pid : undefined;
  });
  pids.add(pid);
  const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  const token = env.find((e) => e.startsWith('TRUSTSTRAM_TOKEN='))?.slice('TRUSTSTRAM_TOKEN='.length) ?? '';
  return { pid, argv: readFileSync(`/proc/${pid}/cmdline`, 'utf8'), token };
}

const status = async (cp: ControlPlane, token: string, method = 'GET', path = `${API}/clusters/local-eu`, body?: unknown) => {
  const r = await fetch(cp.url + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  await r.text();
  return r.status;
};

describe('managed agents with auth on', () => {
  let first: { pid: number; argv: string; token: string };

  it('get a random credential through the environment, never argv, and act as system:agent:<cluster>', async () => {
    const cp = await start();
    const created = await fetch(`${cp.url}${API}/clusters`, { method: 'POST', headers: { ...alice, 'content-type': 'application/json' }, body: JSON.stringify(cluster) });
    expect(created.status).toBe(201);
    first = await runningAgent(cp);
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(first.argv).toContain('agent-main');
    expect(first.argv).not.toContain(first.token);
    expect(await status(cp, first.token)).toBe(200);
    // An agent may not do what users do.
    expect(await status(cp, first.token, 'POST', `${API}/clusters`, { ...cluster, metadata: { name: 'other' } })).toBe(403);
    const audit = await fetch(`${cp.url}/api/v1alpha1/audit?limit=10000`, { headers: alice });
    const actors = new Set(((await audit.json()) as { items: { actor: string }[] }).items.map((e) => e.actor));
    expect(actors).toContain('system:agent:local-eu');
    expect(actors).toContain('user:alice');
  });

  it('is refused once the control plane stopped and restarted, which issues a new one', async () => {
    await planes.at(-1)!.close();
    expect(isAgentProcess(first.pid)).toBe(false);
    const cp = await start();
    expect(await status(cp, first.token)).toBe(401);
    const second = await runningAgent(cp);
    expect(second.token).not.toBe(first.token);
    expect(second.argv).not.toContain(second.token);
    expect(await status(cp, second.token)).toBe(200);
    await cp.close();
    expect(await until('the agent to exit', () => (isAgentProcess(second.pid) ? undefined : true))).toBe(true);
  });

  it('replaces an agent left over from an earlier control plane: its credential cannot work any more', async () => {
    // The stored status names a live agent process, as after a control-plane crash.
    const api = await startControlPlane({ dataDir: join(dir, 'state'), listen: '127.0.0.1:0', tokenFile, gateway: false, controllers: false, log: () => {} });
    planes.push(api);
    const survivor: AgentProcess = startAgentProcess({ cluster: 'local-eu', server: api.url, heartbeatMs: 200, simulated: true }, { stdio: 'ignore', token: 'stale-credential' });
    pids.add(survivor.pid);
    await until('the survivor to start', () => (isAgentProcess(survivor.pid) ? true : undefined));
    const patched = await fetch(`${api.url}${API}/clusters/local-eu/status`, {
      method: 'PATCH',
      headers: { ...alice, 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ status: { agent: { pid: survivor.pid, id: 'old' } } }),
    });
    expect(patched.status).toBe(200);
    await api.close();

    const cp = await start();
    expect(await until('the survivor to be stopped', async () => ((await Promise.race([survivor.exited.then(() => true), new Promise((r) => setTimeout(r, 100))])) ? true : undefined))).toBe(true);
    const fresh = await runningAgent(cp);
    expect(fresh.pid).not.toBe(survivor.pid);
  });
});
