// The agent's HTTP client for the TrustStram API: JSON requests that fail with typed errors
// (so the agent branches on NotFound or Retryable, never on message text) and watch streams
// read as newline-delimited JSON events, as the Kubernetes API server sends them.
import { fromStatus, RetryableError, type ApiObject, type Status, type TrustStramError } from '../../api/index.js';
import { readNdjson } from '../../util/ndjson.js';

export const API_BASE = '/apis/truststram.io/v1alpha1';
export const MERGE_PATCH = 'application/merge-patch+json';

export interface ListResponse {
  items: ApiObject[];
  metadata: { resourceVersion?: string };
}

export interface WatchEventMessage {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: ApiObject & { code?: number; reason?: string };
}

export interface ApiClient {
  request<T>(method: string, path: string, body?: unknown, opts?: { contentType?: string; timeoutMs?: number }): Promise<T>;
  /** Streams events until the server ends the stream or `signal` aborts; throws on failure. */
  watch(path: string, signal: AbortSignal, onEvent: (e: WatchEventMessage) => void): Promise<void>;
}

/** A client for one server URL (`http://127.0.0.1:7400`), optionally with a bearer token. */
export function createApiClient(server: string, token?: string, defaultTimeoutMs = 5000): ApiClient {
  const base = server.replace(/\/+$/, '');
  const headers = (extra: Record<string, string> = {}): Record<string, string> => ({
    accept: 'application/json',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...extra,
  });
  return {
    async request<T>(method: string, path: string, body?: unknown, opts: { contentType?: string; timeoutMs?: number } = {}): Promise<T> {
      let res: Response;
      try {
        res = await fetch(base + path, {
          method,
          headers: headers(body !== undefined ? { 'content-type': opts.contentType ?? 'application/json' } : {}),
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          signal: AbortSignal.timeout(opts.timeoutMs ?? defaultTimeoutMs),
        });
      } catch (err) {
        throw unreachable(err);
      }
      const text = await res.text().catch(() => '');
      if (!res.ok) throw statusError(res.status, text);
      return (text ? JSON.parse(text) : undefined) as T;
    },
    async watch(path, signal, onEvent) {
      let res: Response;
      try {
        res = await fetch(base + path, { headers: headers(), signal });
      } catch (err) {
        if (signal.aborted) return;
        throw unreachable(err);
      }
      if (!res.ok || !res.body) throw statusError(res.status, await res.text().catch(() => ''));
      try {
        for await (const e of readNdjson<WatchEventMessage>(res.body as unknown as AsyncIterable<Uint8Array>)) onEvent(e);
      } catch (err) {
        if (signal.aborted) return;
        throw unreachable(err);
      }
    },
  };
}

function unreachable(err: unknown): TrustStramError {
  const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
  return new RetryableError(`server unreachable: ${cause}`);
}

function statusError(code: number, text: string): TrustStramError {
  try {
    const s = JSON.parse(text) as Partial<Status>;
    if (s.kind === 'Status') return fromStatus(s);
  } catch {
    /* not a Status body */
  }
  return fromStatus({ code, message: `HTTP ${code}: ${text.slice(0, 200)}` });
}
