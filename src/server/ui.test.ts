// The dashboard's static file serving over real HTTP: content types, deep-link fallback,
// cache headers, missing assets, traversal attempts, an unbuilt dashboard and token auth.
import { request } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './testing/harness.js';
import { resolveInside, uiViews } from './ui.js';

let dist: string;
const servers: TestServer[] = [];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'truststram-ui-'));
  dist = join(dir, 'dist');
  await mkdir(join(dist, 'assets'), { recursive: true });
  await writeFile(join(dist, 'index.html'), '<!doctype html><title>TrustStram</title><script type="module" src="/ui/assets/index-C0kvOPJA.js"></script>');
  await writeFile(join(dist, 'assets', 'index-C0kvOPJA.js'), 'console.log("app")');
  await writeFile(join(dist, 'assets', 'index-Bx1yZ2_q.css'), 'body{}');
  await writeFile(join(dist, 'robots.txt'), 'User-agent: *\n');
  // A file next to dist/ that traversal must never reach.
  await writeFile(join(dir, 'secret.txt'), 'top secret');
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function server(distDir = dist, tokenFile?: string): Promise<TestServer> {
  const s = await startTestServer({ views: uiViews(distDir), ...(tokenFile ? { tokenFile } : {}) });
  servers.push(s);
  return s;
}

/** GET with the raw path as given (fetch would normalise `..` away before sending). */
function rawGet(base: string, path: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('GET /ui/*', () => {
  it('serves the shell at /ui/ and /ui, revalidated on every load', async () => {
    const s = await server();
    for (const path of ['/ui/', '/ui']) {
      const r = await rawGet(s.url, path);
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(r.headers['cache-control']).toBe('no-cache');
      expect(r.headers['content-security-policy']).toContain("default-src 'self'");
      expect(r.body).toContain('<title>TrustStram</title>');
    }
  });

  it('answers deep links with index.html so the client router can show them', async () => {
    const s = await server();
    for (const path of ['/ui/workloads/payments/payments-api', '/ui/clusters/aws-eu-west-1', '/ui/fleet']) {
      const r = await rawGet(s.url, path);
      expect(r.status, path).toBe(200);
      expect(r.body).toContain('<title>TrustStram</title>');
    }
  });

  it('serves hashed assets with their content type and a year-long immutable cache', async () => {
    const s = await server();
    const js = await rawGet(s.url, '/ui/assets/index-C0kvOPJA.js');
    expect(js).toMatchObject({ status: 200, body: 'console.log("app")' });
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const css = await rawGet(s.url, '/ui/assets/index-Bx1yZ2_q.css');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const txt = await rawGet(s.url, '/ui/robots.txt');
    expect(txt.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(txt.headers['cache-control']).toBe('no-cache');
  });

  it('gives a 404, not the HTML shell, for a missing asset or file', async () => {
    const s = await server();
    expect((await rawGet(s.url, '/ui/assets/index-OLDHASH1.js')).status).toBe(404);
    expect((await rawGet(s.url, '/ui/favicon.ico')).status).toBe(404);
  });

  it('never serves a file outside the dashboard directory', async () => {
    const s = await server();
    for (const path of ['/ui/../secret.txt', '/ui/%2e%2e/secret.txt', '/ui/assets/..%2f..%2fsecret.txt', '/ui/%2e%2e%2f%2e%2e%2fpackage.json', '/ui/..%5csecret.txt', '/ui/%00', '/ui/%2Fetc%2Fpasswd']) {
      const r = await rawGet(s.url, path);
      expect(r.body, path).not.toContain('top secret');
      expect(r.status, path).toBe(404);
    }
  });

  it('says how to build the dashboard when it is not built', async () => {
    const s = await server(join(dist, 'no-such-dir'));
    const r = await rawGet(s.url, '/ui/');
    expect(r.status).toBe(503);
    expect(r.body).toContain('npm run build');
  });

  it('serves the shell without a token when the API requires one', async () => {
    const tokenFile = join(dist, '..', 'tokens.csv');
    await writeFile(tokenFile, 's3cret,alice\n');
    const s = await server(dist, tokenFile);
    expect((await rawGet(s.url, '/ui/')).status).toBe(200);
    expect((await rawGet(s.url, '/apis/truststram.io/v1alpha1/clusters')).status).toBe(401);
  });
});

describe('resolveInside', () => {
  it('keeps paths inside the root and refuses the rest', () => {
    expect(resolveInside('/srv/ui', 'assets/a.js')).toBe('/srv/ui/assets/a.js');
    expect(resolveInside('/srv/ui', '../ui-other/x')).toBeUndefined();
    expect(resolveInside('/srv/ui', '/etc/passwd')).toBeUndefined();
    expect(resolveInside('/srv/ui', 'a\0b')).toBeUndefined();
  });
});
