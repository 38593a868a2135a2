// The local driver runs the Driver conformance suite twice: replicas as real OS processes,
// and as simulated in-process responders.
import type { ClusterWork } from '../contract.js';
import { describeDriverConformance } from '../driver.conformance.js';
import { createLocalDriver, type LocalDriver } from './local-driver.js';
import { ECHO_APP } from './testing/echo-app-path.js';

function baseWork(name: string, replicas: number, variant: string | undefined): ClusterWork {
  return {
    workload: { namespace: 'conformance', name },
    generation: 1,
    replicas,
    command: [process.execPath, ECHO_APP],
    env: variant ? { VARIANT: variant } : {},
    ports: [{ port: 8080, protocol: 'http' }],
    healthCheck: { path: '/healthz', intervalMs: 200, timeoutMs: 500, failureThreshold: 3, successThreshold: 1 },
    resources: { cpu: 0.1, memory: 64 * 2 ** 20 },
    simulated: false,
  };
}

describeDriverConformance('local driver, real processes', {
  processes: true,
  create: async () => createLocalDriver({ cluster: 'local-real', stopGraceMs: 2000 }),
  work: (name, replicas, opts) => {
    const w = baseWork(name, replicas, opts?.variant);
    if (opts?.crashing) w.command = ['sh', '-c', 'echo boom >&2; exit 3'];
    return w;
  },
  crash: async (_d, _key, replica) => {
    process.kill(replica.pid!, 'SIGKILL');
  },
});

describeDriverConformance('local driver, simulated replicas', {
  processes: false,
  create: async () => createLocalDriver({ cluster: 'local-sim' }),
  work: (name, replicas, opts) => {
    const w = { ...baseWork(name, replicas, opts?.variant), simulated: true, command: [] };
    if (opts?.crashing) w.env = { ...w.env, TRUSTSTRAM_SIM_CRASH_AFTER_MS: '0' };
    return w;
  },
  crash: async (d, key, replica) => {
    if (!(d as LocalDriver).crashReplica(key, replica.name)) throw new Error(`no running replica ${replica.name}`);
  },
});
