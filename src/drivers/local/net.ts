// Loopback networking for replicas: picking a free port for `$PORT` and the readiness probes
// (HTTP GET on the health path, or a TCP connect when only ports are declared).
import { request } from 'node:http';
import { createConnection, createServer } from 'node:net';

/** Ports handed out and not yet released, so two replicas starting together never share one. */
const handedOut = new Set<number>();

/**
 * A free loopback port, found by binding port 0 and releasing it. The replica binds it a few
 * milliseconds later; if something else grabs it first the replica crashes and restarts on
 * another port, which the backoff covers.
 */
export async function allocatePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const addr = srv.address();
        srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('could not find a free loopback port');
}

/** Returns a port to the pool once its replica has stopped. */
export function releasePort(port: number): void {
  handedOut.delete(port);
}

/** GET http://127.0.0.1:port/path; true on a 2xx/3xx answer within the timeout. */
export function httpProbe(port: number, path: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) >= 200 && (res.statusCode ?? 500) < 400);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** True when a TCP connection to 127.0.0.1:port opens within the timeout. */
export function tcpProbe(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}
