// One proxied request: pick an endpoint, forward with streaming bodies, retry what is safe to
// retry on a different endpoint, and always end with an answer (upstream's, or a clean
// 502/503/504 with a reason) — never a hung connection.
//
// Retry rule: only requests WITHOUT a body are retried, because the body is streamed to the
// first endpoint and is gone. Connect failures (the request never reached anyone) are retried
// for every bodiless method; resets, timeouts and 502/503/504 answers only for idempotent ones.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import type { AccessLog } from './access-log.js';
import { PickFailure, type Balancer, type EndpointState } from './balancer.js';
import { REASON_HEADER, downstreamHeaders, upstreamHeaders } from './headers.js';
import type { GatewayMetrics } from './metrics.js';
import type { CompiledGatewayOptions } from './options.js';
import type { Route } from './route-table.js';
import type { Upstreams } from './upstream.js';

/** Reason codes the gateway puts in `x-truststram-reason` and the access log. */
export const Reason = {
  NoRoute: 'no_route',
  UpstreamConnect: 'upstream_connect_error',
  UpstreamReset: 'upstream_reset',
  UpstreamTimeout: 'upstream_timeout',
  TotalTimeout: 'total_timeout',
  ResidencyGuard: 'residency_guard',
  Internal: 'internal_error',
  ...PickFailure,
} as const;

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);
const RETRY_STATUS = new Set([502, 503, 504]);
const CONNECT_CODES = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EADDRNOTAVAIL']);

export interface ProxyDeps {
  o: CompiledGatewayOptions;
  balancer: Balancer;
  upstreams: Upstreams;
  metrics: GatewayMetrics;
  log: AccessLog;
  /** Requests and retries in flight, for the retry budget. */
  inflight: { requests: number; retries: number };
  random: () => number;
}

interface Failure {
  status: number;
  reason: string;
  message: string;
}

/** Proxies one request that matched `route`; resolves when the response is finished or abandoned. */
export async function proxyRequest(d: ProxyDeps, route: Route, req: IncomingMessage, res: ServerResponse, start: number): Promise<void> {
  const { o, balancer } = d;
  const method = req.method ?? 'GET';
  const cl = req.headers['content-length'];
  const hasBody = cl !== undefined ? cl !== '0' : req.headers['transfer-encoding'] !== undefined;
  const headers = upstreamHeaders(req.headers, req.socket.remoteAddress, (req.socket as { encrypted?: boolean }).encrypted === true);
  const deadline = start + o.timeouts.totalMs;
  // The client leaving cancels the try in flight; each try has its own canceller for its timeout.
  let gone = false;
  let waitAbort: AbortController | undefined;
  let tryCancel: Canceller | undefined;
  const onClose = () => {
    if (res.writableFinished) return;
    gone = true;
    waitAbort?.abort();
    tryCancel?.cancel(new Error('client went away'));
  };
  res.once('close', onClose);
  const tried = new Set<string>();
  let attempts = 0;
  const triedClusters: string[] = [];
  let retrying = false;
  let last: Failure | undefined;
  let lastState: EndpointState | undefined;
  d.inflight.requests++;
  const finish = (status: number, state: EndpointState | undefined, reason: string | undefined) => {
    res.off('close', onClose);
    d.inflight.requests--;
    if (retrying) d.inflight.retries--;
    const latency = performance.now() - start;
    const ep = state?.ep;
    if (ep && route.residency && !route.residency.includes(ep.jurisdiction)) d.metrics.routedOutsideResidency(route.key);
    d.metrics.request(route.key, ep?.cluster, status, latency / 1000, route.slo);
    const entry = {
      time: Date.now() - Math.round(latency),
      method,
      host: req.headers.host ?? '',
      path: req.url ?? '/',
      route: route.key,
      cluster: ep?.cluster,
      replica: ep?.replica,
      jurisdiction: ep?.jurisdiction,
      residency: route.residency,
      status,
      latencyMs: latency,
      attempts,
      tried: attempts > 1 ? triedClusters : undefined,
      reason,
    };
    d.log.push(entry);
    o.onAccess?.(entry);
  };
  const fail = (f: Failure) => {
    sendError(res, f.status, f.reason, f.message);
    finish(f.status, lastState, f.reason);
  };
  // May we try again after this failure? Also counts the retry against the budget.
  const mayRetry = (retryable: boolean, why: string): boolean => {
    if (!retryable || attempts > o.retry.maxRetries || gone) return false;
    if (performance.now() >= deadline) return false;
    const allowed = Math.max(o.retry.minRetryConcurrency, o.retry.budgetRatio * d.inflight.requests);
    if (!retrying && d.inflight.retries >= allowed) return false;
    if (!retrying) {
      retrying = true;
      d.inflight.retries++;
    }
    d.metrics.retry(route.key, why);
    return true;
  };

  try {
    await tryEndpoints();
  } catch (err) {
    // A bug must still end the request and its accounting, never leave the client hanging.
    o.log(`proxy ${route.key} failed`, err);
    if (!res.writableEnded) fail({ status: 502, reason: Reason.Internal, message: 'the gateway failed the request' });
  }

  async function tryEndpoints(): Promise<void> {
    for (;;) {
      attempts++;
      const now = Date.now();
      const pick = balancer.pick(route, tried, now);
      if ('failure' in pick) {
        if (last) return fail(last);
        return fail({ status: 503, reason: pick.failure, message: pickMessage(route, pick.failure) });
      }
      const s = pick.state;
      // Defence in depth: the table never holds such an endpoint; refuse rather than cross the boundary.
      if (route.residency && !route.residency.includes(s.ep.jurisdiction)) {
        d.metrics.routedOutsideResidency(route.key);
        return fail({ status: 503, reason: Reason.ResidencyGuard, message: `endpoint ${s.ep.id} is outside the residency of ${route.key}` });
      }
      tried.add(s.ep.id);
      triedClusters.push(s.ep.cluster);
      lastState = s;
      if (!balancer.tryAcquire(s)) {
        waitAbort = new AbortController();
        const signal = AbortSignal.any([waitAbort.signal, AbortSignal.timeout(Math.max(1, Math.ceil(deadline - performance.now())))]);
        const got = await balancer.waitSlot(s, signal);
        waitAbort = undefined;
        if (!got) {
          if (gone) return clientGone(res, finish, s);
          last = { status: 503, reason: Reason.CircuitOpen, message: `every endpoint of ${route.key} is at its concurrency limit` };
          if (mayRetry(true, Reason.CircuitOpen)) continue;
          return fail(last);
        }
      }
      const remaining = deadline - performance.now();
      const perTry = Math.max(1, Math.min(o.timeouts.perTryMs, remaining));
      const totalBound = perTry < o.timeouts.perTryMs;
      let released = false;
      const release = () => {
        if (!released) {
          released = true;
          balancer.release(s);
        }
      };
      // Our own timer: undici's headersTimeout runs on a coarse (~1 s) clock.
      const ctl = (tryCancel = new Canceller());
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        ctl.cancel(new Error('per-try timeout'));
      }, perTry);
      try {
        // stream(): undici writes the body straight into `res` (no intermediate Readable): the
        // cheapest way through undici, which is most of the gateway's CPU per request.
        let outcome: 'retry' | 'streamed' | undefined;
        let status = 0;
        try {
          await d.upstreams.pool(s.ep.address).stream(
            { method: method as 'GET', path: req.url ?? '/', headers, body: hasBody ? req : null, signal: ctl, bodyTimeout: o.timeouts.idleMs },
            ({ statusCode, headers: upHeaders }) => {
              clearTimeout(timer);
              status = statusCode;
              if (balancer.record(route, s, status >= 500 ? '5xx' : 'ok', Date.now())) d.metrics.ejection(route.key, s.ep.cluster);
              if (RETRY_STATUS.has(status) && !hasBody && IDEMPOTENT.has(method) && mayRetry(true, `status_${status}`)) {
                outcome = 'retry';
                return discard();
              }
              outcome = 'streamed';
              res.writeHead(status, downstreamHeaders(upHeaders, s.ep));
              return res;
            },
          );
        } catch (err) {
          if (outcome === undefined) throw err;
          // Headers were answered: a body that breaks now cannot be retried or turned into an error page.
          if (outcome === 'streamed') {
            release();
            if (!res.destroyed) res.destroy();
            return finish(gone ? 499 : 502, s, gone ? 'client_closed' : Reason.UpstreamReset);
          }
        }
        release();
        if (outcome === 'retry') {
          last = { status, reason: `upstream_${status}`, message: `${s.ep.cluster} answered ${status}` };
          await backoff(d, attempts);
          continue;
        }
        finish(status, s, undefined);
        return;
      } catch (err) {
        clearTimeout(timer);
        release();
        if (gone) return clientGone(res, finish, s);
        const code = (err as { code?: string }).code ?? '';
        const connect = CONNECT_CODES.has(code);
        const timeout = timedOut || code === 'UND_ERR_HEADERS_TIMEOUT';
        if (balancer.record(route, s, 'gateway-error', Date.now())) d.metrics.ejection(route.key, s.ep.cluster);
        last = timeout
          ? { status: 504, reason: totalBound ? Reason.TotalTimeout : Reason.UpstreamTimeout, message: `${s.ep.cluster} did not answer within ${Math.round(perTry)} ms` }
          : connect
            ? { status: 502, reason: Reason.UpstreamConnect, message: `cannot connect to ${s.ep.cluster} (${code})` }
            : { status: 502, reason: Reason.UpstreamReset, message: `${s.ep.cluster} failed the request (${code || (err as Error).message})` };
        const retryable = !hasBody && (connect || IDEMPOTENT.has(method));
        if (mayRetry(retryable, last.reason)) {
          await backoff(d, attempts);
          continue;
        }
        return fail(last);
      }
    }
  }
}

/**
 * Cancels one try. undici accepts any object with `on`/`once`/`removeListener` as a signal; this
 * one costs far less per request than an AbortController (no DOMException, no EventTarget).
 */
class Canceller {
  aborted = false;
  reason: unknown;
  private listeners: (() => void)[] = [];
  on(_event: 'abort', fn: () => void): this {
    this.listeners.push(fn);
    return this;
  }
  once(event: 'abort', fn: () => void): this {
    return this.on(event, fn);
  }
  removeListener(_event: 'abort', fn: () => void): this {
    this.listeners = this.listeners.filter((f) => f !== fn);
    return this;
  }
  cancel(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const fns = this.listeners;
    this.listeners = [];
    for (const f of fns) f();
  }
}

/** A sink for the body of an answer that will be retried elsewhere. */
function discard(): Writable {
  return new Writable({ write: (_chunk, _enc, cb) => cb() });
}

function clientGone(res: ServerResponse, finish: (status: number, s: EndpointState | undefined, reason: string) => void, s: EndpointState): void {
  if (!res.destroyed) res.destroy();
  finish(499, s, 'client_closed');
}

/** Full-jitter exponential backoff. */
function backoff(d: ProxyDeps, attempt: number): Promise<void> {
  const cap = Math.min(d.o.retry.backoffMaxMs, d.o.retry.backoffBaseMs * 2 ** (attempt - 1));
  const ms = d.random() * cap;
  return ms < 0.5 ? Promise.resolve() : new Promise((r) => setTimeout(r, ms));
}

function pickMessage(route: Route, f: PickFailure): string {
  switch (f) {
    case PickFailure.NoEndpoints:
      return `${route.key} has no endpoints inside its residency`;
    case PickFailure.NoReadyEndpoint:
      return `${route.key} has no ready endpoint`;
    case PickFailure.CircuitOpen:
      return `every endpoint of ${route.key} is at its concurrency and pending limits`;
    case PickFailure.Exhausted:
      return `no untried endpoint of ${route.key} is left`;
  }
}

/** Writes a gateway-made error: status, reason header and a one-line text body. */
export function sendError(res: ServerResponse, status: number, reason: string, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = `${status} ${reason}: ${message}\n`;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', [REASON_HEADER]: reason });
  res.end(body);
}
