// The API server: binds, routes, authenticates (and authorizes internal identities), turns
// every thrown error into a Kubernetes Status, and measures every request. A malformed request
// gets a 4xx and never takes it down.
import { setMaxListeners } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { MethodNotAllowedError, NotFoundError, TrustStramError, UnauthorizedError, toStatus } from '../api/index.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/store.js';
import { applyViews } from './apply.js';
import { auditViews } from './audit-views.js';
import { createAuthenticator, loadTokenFile, type Authenticator } from './auth.js';
import { authorize } from './authorize.js';
import type { ServerDeps } from './deps.js';
import { discoveryViews } from './discovery.js';
import { createLeaseTable, leaseViews, type LeaseTable } from './leases.js';
import { ClientGoneError } from './errors.js';
import { answerHeadOnly, readJsonBody, sendJson, warningHeader } from './http.js';
import { createMetrics } from './metrics.js';
import { compileServerOptions, type ServerOptions } from './options.js';
import { resourceViews } from './resources.js';
import { createRouter, METHODS, type Method, type RequestContext, type Router, type View } from './router.js';
import { systemViews } from './system-views.js';

export interface RunningServer {
  /** `http://127.0.0.1:7400` (the bound address, with the real port when 0 was asked). */
  url: string;
  port: number;
  store: Store;
  /** Agent heartbeats (in memory, not audited); the health controller reads them. */
  leases: LeaseTable;
  /** Registers one more view (explain, cost, compliance); refuses duplicates. */
  route(view: View): void;
  /** Stops accepting, ends watches, waits for in-flight requests (then cuts them), closes an owned store. */
  close(): Promise<void>;
}

/** Time in-flight requests get to finish on close before their connections are cut. */
const CLOSE_GRACE_MS = 5000;

/**
 * Starts the API server.
 * @example
 * const server = await startServer({ dataDir: './data', listen: '127.0.0.1:0' });
 * await fetch(`${server.url}/apis/truststram.io/v1alpha1/clusters`);
 * await server.close();
 */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const o = compileServerOptions(opts);
  const auth = createAuthenticator(o.tokenFile ? await loadTokenFile(o.tokenFile) : undefined, o.credentials);
  const ownsStore = o.store.kind !== 'instance';
  const store = o.store.kind === 'instance' ? o.store.store : await openStore(o.store.kind === 'dataDir' ? o.store.dataDir : o.store.spec);
  const deps: ServerDeps = { options: o, metrics: createMetrics(store, { processMetrics: o.processMetrics }), watches: { count: 0 } };
  const router = createRouter();
  const leases = o.leases ?? createLeaseTable();
  for (const v of [...systemViews(deps), ...discoveryViews(), ...auditViews(), ...applyViews(deps), ...leaseViews(leases), ...resourceViews(deps), ...o.views]) router.add(v);
  const shutdown = new AbortController();
  // Every in-flight request (each open watch included) listens for shutdown: no listener cap.
  setMaxListeners(0, shutdown.signal);

  const server = createServer({
    headersTimeout: o.headersTimeoutMs,
    requestTimeout: o.requestTimeoutMs,
    // How often Node checks the two timeouts above; its 30 s default would let slow clients linger.
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(o.headersTimeoutMs / 2))),
  });
  // Requests being handled; close() waits for them, then cuts every connection (idle
  // keep-alives and connections that never sent a request included).
  let inflight = 0;
  let drained: (() => void) | undefined;
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    inflight++;
    const handled = handle(req, res, { router, auth, store, deps, shutdown: shutdown.signal }).catch((err: unknown) => o.log('request handling failed', err));
    // Counted until the reply is flushed too, so close() never cuts a reply in half.
    void Promise.all([handled, new Promise((resolve) => res.once('close', resolve))]).finally(() => {
        if (--inflight === 0) drained?.();
      });
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    // Node's own parser rejected the request (bad HTTP, headers too large, too slow): answer with
    // a Status when nothing was written yet, then drop the connection.
    if (err.code !== 'ECONNRESET' && socket.writable && socket.bytesWritten === 0) {
      const [code, text, reason] =
        err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'Request Timeout', 'Timeout'] : err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large', 'BadRequest'] : [400, 'Bad Request', 'BadRequest'];
      const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: text.toLowerCase(), reason, code });
      socket.write(`HTTP/1.1 ${code} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    }
    socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (err: unknown) => {
    if (ownsStore) await store.close();
    throw err;
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${addr.port}`,
    port: addr.port,
    store,
    leases,
    route: (view) => router.add(view),
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        shutdown.abort();
        if (inflight > 0) {
          let grace: NodeJS.Timeout | undefined;
          await new Promise<void>((resolve) => {
            drained = resolve;
            grace = setTimeout(resolve, CLOSE_GRACE_MS);
          });
          clearTimeout(grace);
        }
        server.closeAllConnections();
        await closed;
        if (ownsStore) await store.close();
      })();
      return closing;
    },
  };
}

interface Env {
  router: Router;
  auth: Authenticator;
  store: Store;
  deps: ServerDeps;
  shutdown: AbortSignal;
}

async function handle(req: IncomingMessage, res: ServerResponse, env: Env): Promise<void> {
  const started = process.hrtime.bigint();
  const metric = { verb: (req.method ?? 'unknown').toLowerCase(), resource: 'unknown' };
  const warnings: string[] = [];
  const abort = new AbortController();
  const onShutdown = () => abort.abort();
  env.shutdown.addEventListener('abort', onShutdown, { once: true });
  res.once('close', onShutdown);
  let code: number | undefined;
  try {
    // HEAD is GET without the body (RFC 9110 §9.3.2): every GET route serves it, same status and headers.
    const head = req.method === 'HEAD';
    if (head) answerHeadOnly(res);
    const method = (head ? 'GET' : req.method) as Method;
    if (!METHODS.includes(method)) throw new MethodNotAllowedError(`method ${req.method} is not supported`, [...METHODS]);
    const url = parseUrl(req.url);
    const match = env.router.match(method, url.pathname);
    if (match.kind === 'not-found') throw new NotFoundError(`the server could not find the requested resource: ${url.pathname}`);
    if (match.kind === 'wrong-method') throw new MethodNotAllowedError(`${req.method} is not supported on ${url.pathname}: use ${match.allow.join(', ')}`, match.allow);
    const { view, params } = match;
    metric.resource = view.name;
    const actor = authenticate(env.auth, req, view.public === true);
    authorize(actor, method, view, params);
    const ctx: RequestContext = {
      req,
      res,
      method,
      url,
      params,
      actor,
      store: env.store,
      readJson: (o) => readJsonBody(req, env.deps.options.maxBodyBytes, o?.contentTypes),
      signal: abort.signal,
      warnings,
      metric,
    };
    const reply = await view.handler(ctx);
    if (reply) sendJson(res, reply.status ?? 200, reply.body, { ...reply.headers, ...(warnings.length ? { Warning: warningHeader(warnings) } : {}) });
  } catch (err) {
    code = fail(err, req, res, warnings, env);
  } finally {
    env.shutdown.removeEventListener('abort', onShutdown);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    env.deps.metrics.observe(metric, code ?? res.statusCode, seconds);
  }
}

// Returns the code to count in metrics (499, as nginx does, for a client that left).
function fail(err: unknown, req: IncomingMessage, res: ServerResponse, warnings: string[], env: Env): number {
  if (err instanceof ClientGoneError) return 499;
  if (!(err instanceof TrustStramError)) env.deps.options.log(`unexpected error serving ${req.method} ${req.url}`, err);
  const status = toStatus(err);
  if (res.headersSent) {
    // Mid-stream there is no way to send a Status: cut the response so the client sees it broke.
    res.destroy();
    return status.code;
  }
  const headers: Record<string, string | string[]> = {};
  if (err instanceof MethodNotAllowedError) headers.Allow = withHead(err.allow).join(', ');
  if (err instanceof UnauthorizedError) headers['WWW-Authenticate'] = 'Bearer realm="truststram"';
  // An unread (or partly read) body must not be parsed as the next request: close the connection.
  if (!req.complete) headers.Connection = 'close';
  if (warnings.length) headers.Warning = warningHeader(warnings);
  sendJson(res, status.code, status, headers);
  return status.code;
}

// Wherever GET is allowed, so is HEAD.
function withHead(allow: readonly string[]): string[] {
  return allow.includes('GET') ? [...allow, 'HEAD'].sort() : [...allow];
}

function authenticate(auth: Authenticator, req: IncomingMessage, isPublic: boolean): string {
  if (!isPublic) return auth.authenticate(req.headers);
  try {
    return auth.authenticate(req.headers);
  } catch {
    return 'anonymous';
  }
}

function parseUrl(raw: string | undefined): URL {
  try {
    return new URL(raw ?? '/', 'http://localhost');
  } catch {
    return new URL('http://localhost/');
  }
}
