// One proxied request: pick an endpoint, forward with streaming bodies, retry what is safe to
// retry on a different endpoint, and always end with an answer (upstream's, or a clean
// 502/503/504 with a reason) — never a hung connection.
//
// One `ProxyCall` object per request is the whole request's state and, for every try, undici's
// dispatch handler (onConnect/onHeaders/onData/onComplete/onError): the upstream body is written
// straight into the client response with no intermediate stream, promise or per-try closure.
//
// Retry rule: only requests WITHOUT a body are retried, because the body is streamed to the
// first endpoint and is gone. Connect failures (the request never reached anyone) are retried
// for every bodiless method; resets, timeouts and 502/503/504 answers only for idempotent ones.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccessLog } from './access-log.js';
import { PickFailure, type Balancer, type EndpointState } from './balancer.js';
import { REASON_HEADER, downstreamHeaders, upstreamHeaders } from './headers.js';
import type { GatewayMetrics, RouteStats } from './metrics.js';
import type { CompiledGatewayOptions } from './options.js';
import type { Route } from './route-table.js';
import type { Upstreams } from './upstream.js';

/** Reason codes the gateway puts in `x-truststram-reason` and the access log. */
export const Reason = {
  NoRoute: 'no_route',
  /** A request the gateway cannot route as sent (two Host headers, a `*` or malformed target). */
  BadRequest: 'bad_request',
  UpstreamConnect: 'upstream_connect_error',
  UpstreamReset: 'upstream_reset',
  UpstreamTimeout: 'upstream_timeout',
  TotalTimeout: 'total_timeout',
  ResidencyGuard: 'residency_guard',
  Internal: 'internal_error',
  ...PickFailure,
} as const;

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);
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

/** What the current try's answer is being used for. */
const Outcome = {
  None: 0,
  /** A 502/503/504 that will be retried elsewhere: its body is drained and dropped. */
  Retry: 1,
  /** Headers were sent to the client: the body streams through, no retry is possible any more. */
  Streamed: 2,
} as const;
type Outcome = (typeof Outcome)[keyof typeof Outcome];

/**
 * Proxies one request that matched `route`. Returns at once; the call ends the response (the
 * upstream's answer, or a clean 502/503/504) and records it in metrics and the access log.
 * `host` is the request's Host header as the gateway matched it.
 */
export function proxyRequest(d: ProxyDeps, route: Route, req: IncomingMessage, res: ServerResponse, start: number, host: string): void {
  new ProxyCall(d, route, req, res, start, host).next();
}

// Shared functions with the call as an argument: a per-request closure (or bound method) for
// each of these would be allocated on every request.
const kCall = Symbol('truststram.proxyCall');
type CallHolder = ServerResponse & { [kCall]?: ProxyCall };
function onResClose(this: CallHolder): void {
  this[kCall]?.clientClosed();
}
function onTryTimeout(call: ProxyCall): void {
  call.tryTimedOut();
}
function afterBackoff(call: ProxyCall): void {
  call.resumeAfterBackoff();
}

class ProxyCall {
  private readonly method: string;
  private readonly hasBody: boolean;
  private readonly headers: string[];
  private readonly deadline: number;
  private readonly stats: RouteStats;
  private gone = false;
  private finished = false;
  private attempts = 0;
  /** Endpoint ids and clusters tried so far: allocated on the first retry only. */
  private tried: Set<string> | undefined;
  private triedClusters: string[] | undefined;
  private retrying = false;
  private last: Failure | undefined;
  /** Endpoint of the current (or last) try. */
  private s: EndpointState | undefined;
  private waitAbort: AbortController | undefined;
  // The current try:
  private abortTry: ((err: Error) => void) | undefined;
  private cancelReason: Error | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timedOut = false;
  private perTry = 0;
  private totalBound = false;
  private outcome: Outcome = Outcome.None;
  private status = 0;
  private holdsSlot = false;
  private resume: (() => void) | undefined;

  constructor(
    private readonly d: ProxyDeps,
    private readonly route: Route,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly start: number,
    private readonly host: string,
  ) {
    this.method = req.method ?? 'GET';
    const raw = req.rawHeaders;
    let cl: string | undefined;
    let te = false;
    for (let i = 0; i < raw.length; i += 2) {
      const k = raw[i]!;
      if (k.length === 14 && k.toLowerCase() === 'content-length') cl = raw[i + 1];
      else if (k.length === 17 && k.toLowerCase() === 'transfer-encoding') te = true;
    }
    this.hasBody = cl !== undefined ? cl !== '0' : te;
    this.headers = upstreamHeaders(raw, req.socket.remoteAddress, (req.socket as { encrypted?: boolean }).encrypted === true);
    this.deadline = start + d.o.timeouts.totalMs;
    this.stats = d.metrics.route(route.key);
    d.inflight.requests++;
    (res as CallHolder)[kCall] = this;
    res.once('close', onResClose);
  }

  /** The client leaving cancels the wait or the try in flight. */
  clientClosed(): void {
    if (this.res.writableFinished) return;
    this.gone = true;
    this.waitAbort?.abort();
    this.cancel(new Error('client went away'));
  }

  tryTimedOut(): void {
    this.timer = undefined;
    this.timedOut = true;
    this.cancel(new Error('per-try timeout'));
  }

  private cancel(err: Error): void {
    if (this.abortTry) this.abortTry(err);
    else this.cancelReason = err;
  }

  /** Picks an endpoint and starts a try; ends the request when nothing is left to try. */
  next(): void {
    try {
      this.tryNext();
    } catch (err) {
      // A bug must still end the request and its accounting, never leave the client hanging.
      this.d.o.log(`proxy ${this.route.key} failed`, err);
      if (!this.res.writableEnded) this.fail({ status: 502, reason: Reason.Internal, message: 'the gateway failed the request' });
      else this.finish(502, this.s, Reason.Internal);
    }
  }

  private tryNext(): void {
    const { d, route } = this;
    this.attempts++;
    if (this.attempts > 1 && this.s && !this.tried) {
      this.tried = new Set([this.s.ep.id]);
      this.triedClusters = [this.s.ep.cluster];
    }
    const pick = d.balancer.pick(route, this.tried, Date.now());
    if ('failure' in pick) {
      if (this.last) return this.fail(this.last);
      return this.fail({ status: 503, reason: pick.failure, message: pickMessage(route, pick.failure) });
    }
    const s = pick.state;
    // Defence in depth: the table never holds such an endpoint; refuse rather than cross the boundary.
    if (route.residency && !route.residency.includes(s.ep.jurisdiction)) {
      d.metrics.routedOutsideResidency(route.key);
      return this.fail({ status: 503, reason: Reason.ResidencyGuard, message: `endpoint ${s.ep.id} is outside the residency of ${route.key}` });
    }
    if (this.tried) {
      this.tried.add(s.ep.id);
      this.triedClusters!.push(s.ep.cluster);
    }
    this.s = s;
    if (d.balancer.tryAcquire(s)) return this.dispatch(s);
    this.waitAbort = new AbortController();
    const signal = AbortSignal.any([this.waitAbort.signal, AbortSignal.timeout(Math.max(1, Math.ceil(this.deadline - performance.now())))]);
    void d.balancer.waitSlot(s, signal).then((got) => {
      this.waitAbort = undefined;
      if (got) return this.dispatch(s);
      if (this.gone) return this.clientGone();
      this.last = { status: 503, reason: Reason.CircuitOpen, message: `every endpoint of ${route.key} is at its concurrency limit` };
      if (this.mayRetry(true, Reason.CircuitOpen)) return this.next();
      this.fail(this.last);
    });
  }

  /** Sends one try to `s` (holding a circuit-breaker slot of it). */
  private dispatch(s: EndpointState): void {
    const { o } = this.d;
    if (this.gone) {
      this.d.balancer.release(s);
      return this.clientGone();
    }
    this.holdsSlot = true;
    this.outcome = Outcome.None;
    this.status = 0;
    this.timedOut = false;
    this.abortTry = undefined;
    this.cancelReason = undefined;
    this.resume = undefined;
    const remaining = this.deadline - performance.now();
    this.perTry = Math.max(1, Math.min(o.timeouts.perTryMs, remaining));
    this.totalBound = this.perTry < o.timeouts.perTryMs;
    // Our own timer: undici's headersTimeout runs on a coarse (~1 s) clock.
    this.timer = setTimeout(onTryTimeout, this.perTry, this);
    this.d.upstreams
      .pool(s.ep.address)
      .dispatch({ method: this.method as 'GET', path: this.req.url ?? '/', headers: this.headers, body: this.hasBody ? this.req : null, bodyTimeout: o.timeouts.idleMs }, this);
  }

  // ---- undici dispatch handler (one try at a time) ----

  onConnect(abort: (err?: Error) => void): void {
    if (this.cancelReason) abort(this.cancelReason);
    else this.abortTry = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    const { d, route } = this;
    const s = this.s!;
    this.clearTimer();
    this.status = statusCode;
    if (d.balancer.record(route, s, statusCode >= 500 ? '5xx' : 'ok', Date.now())) d.metrics.ejection(route.key, s.ep.cluster);
    if ((statusCode === 502 || statusCode === 503 || statusCode === 504) && !this.hasBody && IDEMPOTENT.has(this.method) && this.mayRetry(true, `status_${statusCode}`)) {
      this.outcome = Outcome.Retry;
      return true;
    }
    this.outcome = Outcome.Streamed;
    this.resume = resume;
    this.res.writeHead(statusCode, downstreamHeaders(rawHeaders, s.ep));
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.outcome !== Outcome.Streamed) return true;
    if (this.res.write(chunk)) return true;
    // Back-pressure: undici pauses reading the upstream until the client drains.
    if (this.resume) this.res.once('drain', this.resume);
    return false;
  }

  onComplete(): void {
    this.abortTry = undefined;
    this.releaseSlot();
    if (this.outcome === Outcome.Retry) return this.retryAfterAnswer();
    this.res.end();
    this.finish(this.status, this.s, undefined);
  }

  onError(err: Error): void {
    this.abortTry = undefined;
    this.clearTimer();
    this.releaseSlot();
    const { d, route, res } = this;
    const s = this.s!;
    // Headers were answered: a body that breaks now cannot be retried or turned into an error page.
    if (this.outcome === Outcome.Streamed) {
      if (!res.destroyed) res.destroy();
      return this.finish(this.gone ? 499 : 502, s, this.gone ? 'client_closed' : Reason.UpstreamReset);
    }
    if (this.outcome === Outcome.Retry) return this.retryAfterAnswer();
    if (this.gone) return this.clientGone();
    const code = (err as { code?: string }).code ?? '';
    const connect = CONNECT_CODES.has(code);
    const timeout = this.timedOut || code === 'UND_ERR_HEADERS_TIMEOUT';
    if (d.balancer.record(route, s, 'gateway-error', Date.now())) d.metrics.ejection(route.key, s.ep.cluster);
    const last: Failure = timeout
      ? { status: 504, reason: this.totalBound ? Reason.TotalTimeout : Reason.UpstreamTimeout, message: `${s.ep.cluster} did not answer within ${Math.round(this.perTry)} ms` }
      : connect
        ? { status: 502, reason: Reason.UpstreamConnect, message: `cannot connect to ${s.ep.cluster} (${code})` }
        : { status: 502, reason: Reason.UpstreamReset, message: `${s.ep.cluster} failed the request (${code || err.message})` };
    this.last = last;
    const retryable = !this.hasBody && (connect || IDEMPOTENT.has(this.method));
    if (this.mayRetry(retryable, last.reason)) return this.backoff();
    this.fail(last);
  }

  onUpgrade(): void {
    // Upgrade is hop-by-hop and never forwarded, so undici never calls this.
  }

  // ---- helpers ----

  private retryAfterAnswer(): void {
    const s = this.s!;
    this.last = { status: this.status, reason: `upstream_${this.status}`, message: `${s.ep.cluster} answered ${this.status}` };
    this.backoff();
  }

  /** Full-jitter exponential backoff, then the next try. */
  private backoff(): void {
    const r = this.d.o.retry;
    const cap = Math.min(r.backoffMaxMs, r.backoffBaseMs * 2 ** (this.attempts - 1));
    const ms = this.d.random() * cap;
    if (ms < 0.5) return this.next();
    setTimeout(afterBackoff, ms, this);
  }

  // May we try again after this failure? Also counts the retry against the budget.
  private mayRetry(retryable: boolean, why: string): boolean {
    const { o, inflight } = this.d;
    if (!retryable || this.attempts > o.retry.maxRetries || this.gone) return false;
    if (performance.now() >= this.deadline) return false;
    const allowed = Math.max(o.retry.minRetryConcurrency, o.retry.budgetRatio * inflight.requests);
    if (!this.retrying && inflight.retries >= allowed) return false;
    if (!this.retrying) {
      this.retrying = true;
      inflight.retries++;
    }
    this.d.metrics.retry(this.route.key, why);
    return true;
  }

  private clearTimer(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private releaseSlot(): void {
    if (this.holdsSlot) {
      this.holdsSlot = false;
      this.d.balancer.release(this.s!);
    }
  }

  resumeAfterBackoff(): void {
    if (this.gone) this.clientGone();
    else this.next();
  }

  private clientGone(): void {
    if (!this.res.destroyed) this.res.destroy();
    this.finish(499, this.s, 'client_closed');
  }

  private fail(f: Failure): void {
    sendError(this.res, f.status, f.reason, f.message);
    this.finish(f.status, this.s, f.reason);
  }

  /** Accounting, exactly once per request: in-flight counts, metrics, access log, onAccess. */
  private finish(status: number, state: EndpointState | undefined, reason: string | undefined): void {
    if (this.finished) return;
    this.finished = true;
    const { d, route, req } = this;
    this.res.off('close', onResClose);
    d.inflight.requests--;
    if (this.retrying) d.inflight.retries--;
    const latency = performance.now() - this.start;
    const ep = state?.ep;
    if (ep && route.residency && !route.residency.includes(ep.jurisdiction)) d.metrics.routedOutsideResidency(route.key);
    this.stats.observe(ep?.cluster, status, latency / 1000, route.slo);
    const time = Date.now() - Math.round(latency);
    const tried = this.attempts > 1 ? this.triedClusters : undefined;
    d.log.record(time, this.method, this.host, req.url ?? '/', route.key, ep?.cluster, ep?.replica, ep?.jurisdiction, route.residency, status, latency, this.attempts, tried, reason);
    d.o.onAccess?.({
      time,
      method: this.method,
      host: this.host,
      path: req.url ?? '/',
      route: route.key,
      cluster: ep?.cluster,
      replica: ep?.replica,
      jurisdiction: ep?.jurisdiction,
      residency: route.residency,
      status,
      latencyMs: latency,
      attempts: this.attempts,
      tried,
      reason,
    });
  }
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
