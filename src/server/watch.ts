// Watch streams: newline-delimited JSON `{type, object}` events over a chunked response, as the
// Kubernetes API server sends them. A stream ends cleanly on client disconnect, server
// shutdown or its timeout; errors after the headers travel as an ERROR event with a Status.
import { once } from 'node:events';
import { API_VERSION, TrustStramError, toStatus } from '../api/index.js';
import type { ServerDeps } from './deps.js';
import { TooManyRequestsError } from '../api/index.js';
import type { ResourcePath } from './paths.js';
import { parseFieldSelector, parseLabelSelectorParam, parseResourceVersion, parseTimeoutSeconds } from './query.js';
import type { RequestContext } from './router.js';

/**
 * Serves `?watch=true`. Without `resourceVersion` the stream starts with an ADDED event per
 * existing object and continues from the revision of that list (nothing missed, nothing twice);
 * with one it delivers every change after that revision.
 */
export async function serveWatch(ctx: RequestContext, deps: ServerDeps, p: ResourcePath): Promise<void> {
  const q = ctx.url.searchParams;
  const labelSelector = parseLabelSelectorParam(q);
  const fields = parseFieldSelector(q);
  const fromRv = parseResourceVersion(q);
  const timeoutS = parseTimeoutSeconds(q);
  const bookmarks = q.get('allowWatchBookmarks') === 'true';
  if (deps.watches.count >= deps.options.maxWatches) throw new TooManyRequestsError(`too many open watches (${deps.options.maxWatches}): retry later`);

  const namespace = p.namespace ?? fields.namespace;
  const opts = { ...(namespace !== undefined ? { namespace } : {}), ...(labelSelector ? { labelSelector } : {}) };
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const timeoutMs = Math.min(deps.options.watchTimeoutMs, timeoutS !== undefined ? timeoutS * 1000 : Infinity);
  const timer = setTimeout(onAbort, timeoutMs);
  let bookmarkTimer: NodeJS.Timeout | undefined;
  deps.watches.count++;
  deps.metrics.watchStarted();
  const { res } = ctx;
  // Dead peers that never read are found by TCP keepalive, not by an ever-growing buffer.
  ctx.req.socket.setKeepAlive(true, 30_000);
  try {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
    res.flushHeaders();
    let lastRv = fromRv;
    const send = async (type: string, object: unknown) => {
      if (res.destroyed || abort.signal.aborted) return;
      if (!res.write(`${JSON.stringify({ type, object })}\n`)) await Promise.race([once(res, 'drain'), once(abort.signal, 'abort')]);
    };
    const matches = (o: { metadata: { name: string } }) => fields.name === undefined || o.metadata.name === fields.name;
    if (fromRv === undefined) {
      const initial = await ctx.store.list(p.info.kind, opts);
      for (const o of initial.items) if (matches(o)) await send('ADDED', o);
      lastRv = initial.resourceVersion;
    }
    if (bookmarks) {
      bookmarkTimer = setInterval(() => {
        // A bookmark promises "you have seen everything up to here": only the last delivered revision is safe.
        if (lastRv !== undefined && res.writableLength === 0) res.write(`${JSON.stringify({ type: 'BOOKMARK', object: { apiVersion: API_VERSION, kind: p.info.kind, metadata: { resourceVersion: lastRv } } })}\n`);
      }, deps.options.bookmarkIntervalMs);
      bookmarkTimer.unref();
    }
    for await (const ev of ctx.store.watch(p.info.kind, { ...opts, ...(lastRv !== undefined ? { resourceVersion: lastRv } : {}), signal: abort.signal })) {
      if (abort.signal.aborted) break;
      if (matches(ev.object)) await send(ev.type, ev.object);
      lastRv = ev.object.metadata.resourceVersion ?? lastRv;
    }
  } catch (err) {
    if (!abort.signal.aborted) {
      if (!(err instanceof TrustStramError)) deps.options.log(`watch ${ctx.url.pathname} failed`, err);
      if (!res.destroyed) res.write(`${JSON.stringify({ type: 'ERROR', object: toStatus(err) })}\n`);
    }
  } finally {
    clearTimeout(timer);
    if (bookmarkTimer) clearInterval(bookmarkTimer);
    ctx.signal.removeEventListener('abort', onAbort);
    abort.abort();
    deps.watches.count--;
    deps.metrics.watchEnded();
    if (!res.destroyed) res.end();
  }
}
