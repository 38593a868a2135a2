// Serves the built web dashboard (ui/dist) at /ui/: static files with their content types,
// `index.html` for every deep link (`/ui/workloads/ns/name`), a year-long immutable cache for
// content-hashed assets, and a 404 for anything that would resolve outside the directory.
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerResponse } from 'node:http';
import type { RequestContext, View } from './router.js';

/** Where `vite build --config ui/vite.config.ts` writes (same relative place from src/server and dist/server). */
export const DEFAULT_UI_DIR = fileURLToPath(new URL('../../ui/dist/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** Vite's content-hashed output (`assets/index-C0kvOPJA.js`): safe to cache forever. */
const HASHED = /^assets\/[^/]+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

// The shell may be cached but must be revalidated, so a new build is picked up at once; the
// CSP allows only this origin (no CDN, no inline script) plus inline styles for chart sizing.
const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
};

function send(res: ServerResponse, status: number, body: Buffer | string, headers: Record<string, string>): void {
  res.writeHead(status, { 'Content-Length': Buffer.byteLength(body), ...SECURITY_HEADERS, ...headers });
  res.end(body);
}

/** Resolves `rel` inside `root`; undefined when it would escape it (`..`, absolute, NUL). */
export function resolveInside(root: string, rel: string): string | undefined {
  if (rel.includes('\0') || rel.includes('\\')) return undefined;
  const base = resolve(root);
  const full = resolve(base, rel);
  return full === base || full.startsWith(base + sep) ? full : undefined;
}

async function readFileIfAny(path: string): Promise<Buffer | undefined> {
  try {
    if (!(await stat(path)).isFile()) return undefined;
    return await readFile(path);
  } catch {
    return undefined;
  }
}

/**
 * The dashboard route `GET /ui/*` (the router treats `/ui` and `/ui/` alike, so both get the
 * shell; asset URLs are absolute, so no redirect is needed). Public (no token): the shell holds
 * no data, and every API call it makes is authenticated as usual.
 * @example startServer({ dataDir, views: [...uiViews()] }) // then open http://127.0.0.1:7400/ui/
 */
export function uiViews(distDir: string = DEFAULT_UI_DIR): View[] {
  const root = resolve(distDir);
  const serve = async (ctx: RequestContext): Promise<undefined> => {    const rel = ctx.params['*'] ?? '';
    const { res } = ctx;
    const path = resolveInside(root, rel);
    // Traversal attempts get the same 404 as a missing file: nothing to learn from the answer.
    if (!path) return void send(res, 404, 'not found\n', { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    const file = rel === '' ? undefined : await readFileIfAny(path);
    if (file) {
      const type = CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
      const cache = HASHED.test(rel) ? 'public, max-age=31536000, immutable' : 'no-cache';
      return void send(res, 200, file, { 'Content-Type': type, 'Cache-Control': cache });
    }
    // A missing asset is a real 404 (a stale page asking for an old hash must not get HTML).
    if (rel.startsWith('assets/') || /\.[a-z0-9]{1,5}$/i.test(rel))
      return void send(res, 404, 'not found\n', { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    const index = await readFileIfAny(resolve(root, 'index.html'));
    if (!index)
      return void send(res, 503, 'The dashboard is not built. Run `npm run build` (or `npx vite build --config ui/vite.config.ts`) and reload.\n', {
        'Content-Type': 'text/plain; charset=utf-8',
        'Cache-Control': 'no-store',
      });
    return void send(res, 200, index, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache' });
  };
  return [{ method: 'GET', path: '/ui/*', name: 'ui', public: true, handler: serve }];
}
