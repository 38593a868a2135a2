// Real HTTP backends for gateway tests: node:http servers on 127.0.0.1:0 whose behaviour a test
// can switch (ok, fail with a status, hang, reset), and echo.mjs child processes to SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

export type Mode = { kind: 'ok' } | { kind: 'status'; status: number } | { kind: 'hang' } | { kind: 'reset' };

export interface Backend {
  id: string;
  address: string;
  mode: Mode;
  /** Requests seen (health probes excluded). */
  hits: number;
  /** Optional custom handler for ordinary requests. */
  handler?: (req: IncomingMessage, res: ServerResponse) => void;
  close(): Promise<void>;
}

/** Starts a backend answering `{"backend": id, ...}`; `/healthz` follows the mode too. */
export async function startBackend(id: string): Promise<Backend> {
  const sockets = new Set<Socket>();
  const b: Backend = {
    id,
    address: '',
    mode: { kind: 'ok' },
    hits: 0,
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    const probe = req.headers['user-agent'] === 'truststram-gateway-healthcheck';
    if (!probe) b.hits++;
    const m = b.mode;
    if (m.kind === 'hang') return;
    if (m.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (m.kind === 'status') {
      res.writeHead(m.status, { 'content-type': 'text/plain' });
      res.end(`${id} fails with ${m.status}\n`);
      return;
    }
    if (b.handler && !probe) return b.handler(req, res);
    const body = JSON.stringify({ backend: id, url: req.url, headers: req.headers });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  b.address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  b.close = () =>
    new Promise<void>((r) => {
      server.close(() => r());
      for (const s of sockets) s.destroy();
    });
  return b;
}

/**
 * A test file's cleanup list (run in reverse after each test, so nothing outlives it) and a
 * `backends(...ids)` that starts backends and registers their closing there.
 */
export function testBackends(): { cleanups: (() => Promise<void>)[]; backends(...ids: string[]): Promise<Backend[]> } {
  const cleanups: (() => Promise<void>)[] = [];
  return {
    cleanups,
    async backends(...ids) {
      const bs = await Promise.all(ids.map((id) => startBackend(id)));
      cleanups.push(async () => void (await Promise.all(bs.map((b) => b.close()))));
      return bs;
    },
  };
}

export interface EchoProcess {
  address: string;
  child: ChildProcess;
  /** SIGKILLs the process and waits for its exit. */
  kill(): Promise<void>;
}

const ECHO = fileURLToPath(new URL('../../../examples/apps/echo.mjs', import.meta.url));

/** Spawns examples/apps/echo.mjs on a free port and waits for its "listening" line. */
export function startEcho(cluster: string, replica: string): Promise<EchoProcess> {
  const child = spawn(process.execPath, [ECHO], { env: { ...process.env, PORT: '0', TRUSTSTRAM_CLUSTER: cluster, TRUSTSTRAM_REPLICA: replica }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('error', reject);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on http:\/\/([\d.]+:\d+)/.exec(out);
      if (m) {
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume();
        resolve({
          address: m[1]!,
          child,
          kill: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
            await exited;
          },
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`echo.mjs exited early with ${code}: ${out}`)));
  });
}
