// Simulated replicas, like KWOK's fake pods: one HTTP responder per replica inside the agent
// process, answering as examples/apps/echo.mjs does, so scale tests need no OS processes.
// Behaviour can be steered per workload through its env (documented in the ADR):
//   TRUSTSTRAM_SIM_CRASH_AFTER_MS=N  the replica "crashes" (exit 1) N ms after each start
//   TRUSTSTRAM_SIM_UNHEALTHY=1       the health path answers 503 (never ready)
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExitInfo, ReplicaRuntime, RunningReplica, StartSpec } from './runtime.js';
import { deferred } from '../../util/deferred.js';

const MiB = 2 ** 20;

/** The simulated runtime of the local driver. */
export function createSimulatedRuntime(): ReplicaRuntime {
  return { start: startSimulated };
}

async function startSimulated(spec: StartSpec): Promise<RunningReplica> {
  const unhealthy = spec.env.TRUSTSTRAM_SIM_UNHEALTHY === '1';
  const healthPath = spec.healthPath ?? '/healthz';
  const workload = `${spec.workload.namespace}/${spec.workload.name}`;
  let requests = 0;
  let lastSample = { at: Date.now(), requests: 0 };

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    requests++;
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === healthPath || path === '/healthz') {
      res.writeHead(unhealthy ? 503 : 200, { 'content-type': 'text/plain' }).end(unhealthy ? 'unhealthy\n' : 'ok\n');
      return;
    }
    const body = JSON.stringify({ cluster: spec.cluster, replica: spec.replica, host: req.headers.host ?? null, path, workload, simulated: true });
    res.writeHead(200, { 'content-type': 'application/json' }).end(body + '\n');
  };
  const server = createServer(handler);
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const exited = deferred<ExitInfo>();
  let running = true;
  const end = (info: ExitInfo) => {
    if (!running) return;
    running = false;
    clearTimeout(crashTimer);
    server.closeAllConnections();
    server.close(() => exited.resolve(info));
  };
  const crashAfter = Number(spec.env.TRUSTSTRAM_SIM_CRASH_AFTER_MS ?? NaN);
  const crashTimer = Number.isFinite(crashAfter) ? setTimeout(() => end({ exitCode: 1, signal: null }), crashAfter) : undefined;

  return {
    port,
    exited: exited.promise,
    outputTail: () => '',
    selfReady: () => running && !unhealthy,
    killNow: () => end({ exitCode: null, signal: 'SIGKILL' }),
    crash: () => end({ exitCode: 1, signal: null }),
    async stop() {
      end({ exitCode: null, signal: 'SIGTERM' });
      await exited.promise;
    },
    // Synthetic but plausible: a small idle cost plus a little per request, within the requests.
    syntheticUsage() {
      const now = Date.now();
      const rate = (requests - lastSample.requests) / Math.max(0.001, (now - lastSample.at) / 1000);
      lastSample = { at: now, requests };
      const cpu = 0.001 + rate * 0.0005;
      const memory = 12 * MiB + Math.min(requests, 100_000) * 512;
      return {
        cpu: spec.resources.cpu > 0 ? Math.min(cpu, spec.resources.cpu) : cpu,
        memory: spec.resources.memory > 0 ? Math.min(memory, spec.resources.memory) : memory,
      };
    },
  };
}
