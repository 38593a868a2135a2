// Talking to the TrustStram API from the browser: JSON GETs and POSTs with the optional bearer
// token, and Kubernetes-style watch streams (NDJSON) that reconnect from the last revision.

const TOKEN_KEY = 'truststram.token';

/** The bearer token the user pasted (only needed when the server runs with a token file). */
export function getToken(): string | undefined {
  try {
    return localStorage.getItem(TOKEN_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function setToken(token: string | undefined): void {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    /* storage disabled: the token lives for this page only */
  }
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const t = getToken();
  return { Accept: 'application/json', ...(t ? { Authorization: `Bearer ${t}` } : {}), ...extra };
}

/** An HTTP answer that was not 2xx, with the Kubernetes Status message when there is one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Server unreachable (network error), as opposed to an error answer. */
export class UnreachableError extends Error {}

async function toError(res: Response): Promise<ApiError> {
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = (await res.json()) as { message?: string };
    if (body.message) message = body.message;
  } catch {
    /* not JSON */
  }
  return new ApiError(res.status, message);
}

async function send(path: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(path, init);
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new UnreachableError(`server unreachable: ${(err as Error).message}`);
  }
}

/** GET a JSON document. */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await send(path, { headers: headers(), ...(signal ? { signal } : {}) });
  if (!res.ok) throw await toError(res);
  return (await res.json()) as T;
}

/** POST a JSON body, returning the JSON answer. */
export async function postJson<T>(path: string, body: unknown): Promise<T> {
  const res = await send(path, { method: 'POST', headers: headers({ 'Content-Type': 'application/json' }), body: JSON.stringify(body) });
  if (!res.ok) throw await toError(res);
  return (await res.json()) as T;
}

export interface K8sObject {
  kind: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; creationTimestamp?: string; labels?: Record<string, string> };
  spec?: any;
  status?: any;
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: K8sObject;
}

export const API_PREFIX = '/apis/truststram.io/v1alpha1';

/** Splits a byte stream into NDJSON lines, keeping a partial last line for the next chunk. */
export function createLineSplitter(onLine: (line: string) => void): (chunk: string) => void {
  let buf = '';
  return (chunk) => {
    buf += chunk;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i).trim();
      buf = buf.slice(i + 1);
      if (line) onLine(line);
    }
  };
}

export interface WatchHandlers {
  /** The full list at (re)connect: replaces what the caller holds. */
  onSync(items: K8sObject[]): void;
  onEvent(ev: WatchEvent): void;
  onState(state: 'connecting' | 'live' | 'error', error?: Error): void;
}

/**
 * Lists `plural` and then watches it from the list's revision; on any break it waits (1 s,
 * growing to 10 s) and lists again, so a restarted server or a compacted history never leaves
 * the view stale. Returns a function that stops it.
 */
export function watchKind(plural: string, h: WatchHandlers): () => void {
  const abort = new AbortController();
  let delay = 1000;
  const loop = async () => {
    while (!abort.signal.aborted) {
      h.onState('connecting');
      try {
        const list = await getJson<{ items: K8sObject[]; metadata: { resourceVersion: string } }>(`${API_PREFIX}/${plural}`, abort.signal);
        h.onSync(list.items);
        const res = await send(`${API_PREFIX}/${plural}?watch=true&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(list.metadata.resourceVersion)}`, {
          headers: headers(),
          signal: abort.signal,
        });
        if (!res.ok || !res.body) throw await toError(res);
        h.onState('live');
        delay = 1000;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let failed: Error | undefined;
        const split = createLineSplitter((line) => {
          const ev = JSON.parse(line) as WatchEvent;
          if (ev.type === 'ERROR') failed = new ApiError(500, (ev.object as { message?: string }).message ?? 'watch failed');
          else if (ev.type !== 'BOOKMARK') h.onEvent(ev);
        });
        for (;;) {
          const { value, done } = await reader.read();
          if (done || failed) break;
          split(value);
        }
        if (failed) throw failed;
      } catch (err) {
        if (abort.signal.aborted) return;
        h.onState('error', err as Error);
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 10_000);
      }
    }
  };
  void loop();
  return () => abort.abort();
}
