// The route table: exact segments, `:param` segments and a trailing `*`. Views registered by
// other components (explain, cost, compliance) go through the same table, so the core never
// needs editing to add one; duplicates are refused like any plugin registry would.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Store } from '../store/store.js';

export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type Method = (typeof METHODS)[number];

/** What a handler sees: the parsed request, the caller, the store, and helpers. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  method: Method;
  url: URL;
  /** Path parameters (`:name` → `params.name`; a trailing `*` → `params['*']`). */
  params: Record<string, string>;
  /** `user:alice` or `anonymous`: who is asking; recorded in the audit chain. */
  actor: string;
  store: Store;
  /** Reads and parses the JSON body (size limit, content type, UTF-8, syntax all checked). */
  readJson(opts?: { contentTypes?: readonly string[] }): Promise<{ value: unknown; contentType: string }>;
  /** Aborted when the client disconnects or the server shuts down. */
  signal: AbortSignal;
  /** Messages returned in the `Warning` response header. */
  warnings: string[];
  /** Labels of the request metrics; resource handlers refine them (verb `list` vs `watch`). */
  metric: { verb: string; resource: string };
}

/** A JSON answer. A handler that streams its own response returns `undefined`. */
export interface Reply {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type Handler = (ctx: RequestContext) => Promise<Reply | undefined>;

/**
 * One endpoint.
 * @example
 * startServer({ dataDir, views: [{ method: 'GET', path: '/api/v1alpha1/cost', name: 'cost',
 *   handler: async (ctx) => ({ body: await computeCost(ctx.store) }) }] })
 */
export interface View {
  method: Method;
  /** `/api/v1alpha1/explain/:namespace/:name`; a final `*` matches the rest of the path. */
  path: string;
  /** Bounded label for metrics (`explain`), never the raw path. */
  name: string;
  handler: Handler;
  /** Serve without authentication even when a token file is configured (health probes). Default false. */
  public?: boolean;
}

export type Match =
  | { kind: 'found'; view: View; params: Record<string, string> }
  | { kind: 'wrong-method'; allow: Method[] }
  | { kind: 'not-found' };

export interface Router {
  /** Adds a route; throws when the same method and path shape is already registered. */
  add(view: View): void;
  match(method: string, path: string): Match;
}

interface Compiled {
  view: View;
  segments: string[];
  wildcard: boolean;
  /** Exact segments count more than parameters, so `/a/status` beats `/a/:name`. */
  specificity: number;
}

/** Creates an empty route table. */
export function createRouter(): Router {
  const routes: Compiled[] = [];
  const shapes = new Set<string>();
  return {
    add(view) {
      if (!view.path.startsWith('/')) throw new Error(`route path must start with "/": ${view.path}`);
      const segments = split(view.path);
      const wildcard = segments.at(-1) === '*';
      if (wildcard) segments.pop();
      const shape = `${view.method} /${segments.map((s) => (s.startsWith(':') ? ':' : s)).join('/')}${wildcard ? '/*' : ''}`;
      if (shapes.has(shape)) throw new Error(`duplicate route ${shape}`);
      shapes.add(shape);
      const specificity = segments.reduce((n, s) => n + (s.startsWith(':') ? 1 : 2), 0) - (wildcard ? 1 : 0);
      routes.push({ view, segments, wildcard, specificity });
      routes.sort((a, b) => b.specificity - a.specificity);
    },
    match(method, path) {
      let parts: string[];
      try {
        parts = split(path).map((p) => decodeURIComponent(p));
      } catch {
        return { kind: 'not-found' };
      }
      const allow = new Set<Method>();
      let best: { view: View; params: Record<string, string>; specificity: number } | undefined;
      for (const r of routes) {
        const params = matchSegments(r, parts);
        if (!params) continue;
        if (r.view.method !== method) {
          allow.add(r.view.method);
          continue;
        }
        if (!best || r.specificity > best.specificity) best = { view: r.view, params, specificity: r.specificity };
      }
      if (best) return { kind: 'found', view: best.view, params: best.params };
      if (allow.size) return { kind: 'wrong-method', allow: [...allow].sort() };
      return { kind: 'not-found' };
    },
  };
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

function matchSegments(r: Compiled, parts: string[]): Record<string, string> | undefined {
  if (r.wildcard ? parts.length < r.segments.length : parts.length !== r.segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < r.segments.length; i++) {
    const seg = r.segments[i]!;
    if (seg.startsWith(':')) params[seg.slice(1)] = parts[i]!;
    else if (seg !== parts[i]) return undefined;
  }
  if (r.wildcard) params['*'] = parts.slice(r.segments.length).join('/');
  return params;
}
