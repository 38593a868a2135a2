import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API_VERSION, NotFoundError, type Cluster } from '../api/index.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/store.js';
import { createChaos, resolveTarget, type ChaosAgents } from './faults.js';
import { chaosAllowed } from './views.js';

const cluster = (name: string, provider: string, region: string): Cluster => ({
  apiVersion: API_VERSION,
  kind: 'Cluster',
  metadata: { name },
  spec: { provider, region, capacity: { cpu: '2', memory: '4Gi', pods: 8 } } as Cluster['spec'],
});
const FLEET = [cluster('aws-eu', 'aws', 'eu-west-1'), cluster('aws-us', 'aws', 'us-east-1'), cluster('gcp-eu', 'gcp', 'europe-west1')];

/** Agents that remember what chaos asked of them (the real ones are processes: see test/e2e/failover). */
function agentLog(): ChaosAgents & { held: Set<string>; killed: string[] } {
  const held = new Set<string>();
  const killed: string[] = [];
  return { held, killed, hold: (c) => void held.add(c), allow: (c) => void held.delete(c), kill: async (c) => void killed.push(c) };
}

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chaos-'));
  store = await openStore(join(dir, 'state'));
  await store.apply(FLEET.map((object) => ({ verb: 'upsert' as const, object })), { actor: 'test' });
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('resolveTarget', () => {
  it('maps a cluster, region or provider to its clusters, and refuses names that match nothing', () => {
    expect(resolveTarget({ kind: 'provider', name: 'aws' }, FLEET)).toEqual(['aws-eu', 'aws-us']);
    expect(resolveTarget({ kind: 'region', name: 'europe-west1' }, FLEET)).toEqual(['gcp-eu']);
    expect(resolveTarget({ kind: 'cluster', name: 'aws-us' }, FLEET)).toEqual(['aws-us']);
    expect(() => resolveTarget({ kind: 'provider', name: 'ibm' }, FLEET)).toThrow(NotFoundError);
  });
});

describe('createChaos', () => {
  it('fails a provider: every agent held down and killed, one ChaosFault per cluster', async () => {
    const agents = agentLog();
    const events: string[] = [];
    const chaos = createChaos({ store, agents, recorder: { event: async (e) => void events.push(`${e.reason}:${e.cluster}`) } });
    const f = await chaos.fail({ kind: 'provider', name: 'aws' }, 'user:alice');
    expect(f.clusters).toEqual(['aws-eu', 'aws-us']);
    expect([...agents.held].sort()).toEqual(['aws-eu', 'aws-us']);
    expect(agents.killed.sort()).toEqual(['aws-eu', 'aws-us']);
    expect(events.sort()).toEqual(['ChaosFault:aws-eu', 'ChaosFault:aws-us']);
    expect(chaos.faults()).toMatchObject([{ kind: 'provider', name: 'aws', actor: 'user:alice' }]);
  });

  it('keeps a cluster down while another fault still covers it', async () => {
    const agents = agentLog();
    const chaos = createChaos({ store, agents, recorder: { event: async () => {} } });
    await chaos.fail({ kind: 'provider', name: 'aws' }, 'a');
    await chaos.fail({ kind: 'region', name: 'eu-west-1' }, 'a');
    await chaos.restore({ name: 'aws' }, 'a');
    expect([...agents.held]).toEqual(['aws-eu']);
    await chaos.restore({ kind: 'region', name: 'eu-west-1' }, 'a');
    expect(agents.held.size).toBe(0);
    expect(chaos.faults()).toEqual([]);
  });

  it('refuses to restore what is not failed', async () => {
    const chaos = createChaos({ store, agents: agentLog(), recorder: { event: async () => {} } });
    await expect(chaos.restore({ name: 'aws' }, 'a')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('chaosAllowed', () => {
  it('allows anyone in demo mode, only authenticated callers when auth is on, nobody otherwise', () => {
    expect(chaosAllowed({ demo: true, authEnabled: false }, 'anonymous')).toBe(true);
    expect(chaosAllowed({ demo: false, authEnabled: true }, 'user:alice')).toBe(true);
    expect(chaosAllowed({ demo: false, authEnabled: true }, 'anonymous')).toBe(false);
    // Without auth, X-Remote-User names are not trusted for anything.
    expect(chaosAllowed({ demo: false, authEnabled: false }, 'user:alice')).toBe(false);
  });
});
