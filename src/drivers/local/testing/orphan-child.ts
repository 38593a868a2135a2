// Test helper run as a CHILD process: starts a local driver with real replicas, prints their
// pids as one JSON line once all are ready, then waits to be killed — or, with argv[2] ===
// 'throw', dies of an uncaught error. The orphan test checks no replica outlives it.
import { createLocalDriver } from '../local-driver.js';

const [, , mode, app] = process.argv;
const driver = createLocalDriver({ cluster: 'orphanage' });
await driver.apply({
  workload: { namespace: 'default', name: 'orphan' },
  generation: 1,
  replicas: 3,
  command: [process.execPath, app!],
  env: {},
  ports: [{ port: 8080, protocol: 'http' }],
  healthCheck: { path: '/healthz', intervalMs: 200, timeoutMs: 500, failureThreshold: 3, successThreshold: 1 },
  resources: { cpu: 0.1, memory: 2 ** 26 },
  simulated: false,
});
for (;;) {
  const r = await driver.status();
  const reps = r.workloads[0]?.replicaStatus ?? [];
  if (reps.length === 3 && reps.every((x) => x.ready)) {
    process.stdout.write(JSON.stringify(reps.map((x) => ({ pid: x.pid, pgid: x.pgid }))) + '\n');
    break;
  }
  await new Promise((res) => setTimeout(res, 50));
}
if (mode === 'throw') setTimeout(() => {
  throw new Error('agent bug');
}, 50);
else setInterval(() => undefined, 1000);
