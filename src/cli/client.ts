// The CLI's HTTP client for the TrustStram API: Kubernetes REST paths for objects, the
// /api/v1alpha1 computed views, the bearer token when one is configured, typed errors from
// Status bodies, and "unreachable" for connection failures (exit code 2), so commands never
// look at message text.
import { API_VERSION, fromStatus, type KindInfo, type Status, type TrustStramError } from '../api/index.js';
import { readNdjson } from '../util/ndjson.js';
import { sendBody } from './http-send.js';

export const DEFAULT_SERVER = 'http://127.0.0.1:7400';

/** The server could not be reached at all (refused, DNS, reset before any response). */
export class UnreachableError extends Error {
  constructor(
    readonly server: string,
    readonly detail: string,
  ) {
    super(`cannot reach the TrustStram server at ${server}: ${detail}`);
    this.name = 'UnreachableError';
  }
}

/**
 * A typed API error with the raw Status kept, so callers can read `details.kind/name`, and
 * where the request's token came from (`TRUSTSTRAM_TOKEN`, `--token-file FILE`) — never the token.
 */
export type ApiError = TrustStramError & { status?: Partial<Status>; tokenSource?: string };

/** A bearer token and where it came from; `source` is what messages name, `value` is never printed. */
export interface ClientToken {
  value: string;
  source: string;
}

export interface ListResponse<T = unknown> {
  items: T[];
  metadata?: { resourceVersion?: string };
}

export interface WatchEventBody {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'ERROR' | 'BOOKMARK';
  object: any;
}

/** The REST path of a kind, optionally in a namespace and for one object. */
export function resourcePath(info: Pick<KindInfo, 'plural' | 'namespaced'>, namespace?: string, name?: string): string {
  const [group, version] = API_VERSION.split('/') as [string, string];
  let p = `/apis/${group}/${version}`;
  if (info.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${info.plural}`;
  if (name) p += `/${encodeURIComponent(name)}`;
  return p;
}

export interface Client {
  readonly server: string;
  /** Sends one request; JSON bodies in and out; non-2xx become typed errors. */
  request<T = any>(method: string, path: string, body?: unknown): Promise<T>;
  /** Like request but returns the raw text (audit export, metrics). */
  text(path: string): Promise<string>;
  /** Streams newline-delimited watch events until `signal` aborts or the server closes. */
  watch(path: string, signal?: AbortSignal): AsyncIterable<WatchEventBody>;
}

/**
 * Creates a client for `server` (e.g. `http://127.0.0.1:7400`); with `token`, every request
 * carries `Authorization: Bearer <token>`.
 * @example const c = createClient(process.env.TRUSTSTRAM_SERVER ?? DEFAULT_SERVER); await c.request('GET', '/version');
 */
export function createClient(server: string, opts: { token?: ClientToken } = {}): Client {
  const base = server.replace(/\/+$/, '');
  const auth: Record<string, string> = opts.token ? { authorization: `Bearer ${opts.token.value}` } : {};

  async function send(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
    let res: Response;
    try {
      // A body goes through node:http: when the server refuses it before reading it all (413)
      // and closes, the refusal is what the user sees, not the broken pipe fetch would report.
      res =
        body === undefined
          ? await fetch(base + path, { method, headers: { accept: 'application/json', ...auth }, signal })
          : await sendBody(base + path, method, { accept: 'application/json', 'content-type': 'application/json', ...auth }, JSON.stringify(body), signal);
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new UnreachableError(base, connectionDetail(err));
    }
    if (!res.ok) {
      const err = await toError(res);
      if (opts.token) err.tokenSource = opts.token.source;
      throw err;
    }
    return res;
  }

  return {
    server: base,
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      const text = await readBody(await send(method, path, body), base);
      return (text ? JSON.parse(text) : undefined) as T;
    },
    async text(path: string): Promise<string> {
      return readBody(await send('GET', path), base);
    },
    async *watch(path: string, signal?: AbortSignal): AsyncIterable<WatchEventBody> {
      const res = await send('GET', path, undefined, signal);
      if (!res.body) return;
      try {
        yield* readNdjson<WatchEventBody>(res.body as unknown as AsyncIterable<Uint8Array>);
      } catch (err) {
        if (signal?.aborted) return;
        throw err;
      }
    },
  };
}

// A connection cut while the answer streams in (server killed) is the server going away, not a bug.
async function readBody(res: Response, base: string): Promise<string> {
  try {
    return await res.text();
  } catch (err) {
    throw new UnreachableError(base, `connection lost while reading the response (${connectionDetail(err)})`);
  }
}

async function toError(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  let status: Partial<Status> | undefined;
  try {
    const parsed = JSON.parse(text) as Partial<Status>;
    if (parsed && parsed.kind === 'Status') status = parsed;
  } catch {
    // not JSON: fall through to a synthetic Status built from the HTTP code
  }
  status ??= { code: res.status, message: text.trim().slice(0, 500) || `${res.status} ${res.statusText}` };
  const err = fromStatus(status) as ApiError;
  err.status = status;
  return err;
}

// Node's fetch hides the socket error in `cause`; surface its code (ECONNREFUSED, ENOTFOUND).
function connectionDetail(err: unknown): string {
  // node:http (requests with a body) puts the code on the error itself.
  const cause = (err as { code?: string; syscall?: string }).syscall ? (err as { code?: string; message?: string }) : (err as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code) return cause.code === 'ECONNREFUSED' ? 'connection refused' : `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  if (cause?.message) return cause.message;
  return err instanceof Error ? err.message : String(err);
}
