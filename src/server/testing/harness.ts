// Test harness: a real server on 127.0.0.1:0 over a real SQLite store in a temp dir, typed
// request helpers, valid fixtures of every kind, and a snapshot of store revision + audit chain.
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_VERSION } from '../../api/index.js';
import { startServer, type RunningServer } from '../server.js';
import type { ServerOptions } from '../options.js';

export interface TestServer extends RunningServer {
  dir: string;
  /** JSON request; returns status, parsed body (or text) and headers. */
  req(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  /** Revision and the whole audit chain: equal snapshots mean nothing was written. */
  snapshot(): Promise<{ revision: string; audit: string }>;
  stop(): Promise<void>;
}

/** Starts a server with its own store; `stop()` closes it and removes the directory. */
export async function startTestServer(opts: Partial<ServerOptions> = {}): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), 'truststram-server-'));
  const server = await startServer({ dataDir: dir, listen: '127.0.0.1:0', processMetrics: false, log: () => {}, ...opts });
  return Object.assign(server, {
    dir,
    async req(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
      const init: RequestInit = { method, headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers } };
      if (body !== undefined) init.body = typeof body === 'string' || body instanceof Uint8Array ? (body as string) : JSON.stringify(body);
      const r = await fetch(server.url + path, init);
      const text = await r.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* not JSON: keep the text */
      }
      return { status: r.status, body: parsed as any, headers: r.headers };
    },
    async snapshot() {
      return { revision: await server.store.revision(), audit: JSON.stringify(await server.store.auditLog({ limit: 100000 })) };
    },
    async stop() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  });
}

/** Sends raw bytes over TCP and collects everything the server answers until it closes (or `waitMs`). */
export function rawRequest(url: string, chunks: (string | Buffer)[], opts: { waitMs?: number; endInput?: boolean } = {}): Promise<{ text: string; closed: boolean }> {
  const { port, hostname } = new URL(url);
  return new Promise((resolve) => {
    const sock = connect(Number(port), hostname);
    let text = '';
    let finished = false;
    const finish = (closed: boolean) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ text, closed });
    };
    const timer = setTimeout(() => finish(false), opts.waitMs ?? 10_000);
    sock.on('data', (d) => (text += d.toString('utf8')));
    sock.on('close', () => finish(true));
    sock.on('error', () => finish(true));
    sock.on('connect', () => {
      for (const c of chunks) sock.write(c);
      if (opts.endInput) sock.end();
    });
  });
}

export const BASE = `/apis/truststram.io/v1alpha1`;

export const fixtures = {
  cluster: (name = 'aws-eu', labels: Record<string, string> = { env: 'prod' }) => ({
    apiVersion: API_VERSION,
    kind: 'Cluster',
    metadata: { name, labels },
    spec: { provider: 'aws', region: 'eu-west-1', capacity: { cpu: '16', memory: '64Gi', pods: 110 } },
  }),
  workload: (name = 'payments', namespace = 'team-a', labels: Record<string, string> = { app: name }) => ({
    apiVersion: API_VERSION,
    kind: 'Workload',
    metadata: { name, namespace, labels },
    spec: { image: 'ghcr.io/acme/payments@sha256:abc', replicas: 2, resources: { cpu: '500m', memory: '256Mi' } },
  }),
  policy: (name = 'no-latest') => ({
    apiVersion: API_VERSION,
    kind: 'Policy',
    metadata: { name },
    spec: { rules: [{ expression: "!object.spec.image.endsWith(':latest')", message: 'pin images' }] },
  }),
  budget: (name = 'team-a') => ({ apiVersion: API_VERSION, kind: 'Budget', metadata: { name }, spec: { scope: { namespace: 'team-a' }, monthlyLimit: 1000 } }),
  placement: (name = 'payments', namespace = 'team-a') => ({
    apiVersion: API_VERSION,
    kind: 'Placement',
    metadata: { name, namespace },
    spec: { workload: name, generation: 1, clusters: [{ cluster: 'aws-eu', replicas: 2 }], costPerHour: 0.5 },
  }),
  event: (name = 'payments.scheduled', namespace = 'team-a') => ({
    apiVersion: API_VERSION,
    kind: 'Event',
    metadata: { name, namespace },
    spec: { involvedObject: { kind: 'Workload', namespace, name: 'payments' }, reason: 'Scheduled', message: 'placed on aws-eu' },
  }),
};
