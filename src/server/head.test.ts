// HEAD over real HTTP: every GET route answers it with GET's status and headers and no body
// (RFC 9110 §9.3.2), a watch answers and ends instead of streaming, and the connection stays
// usable for the next request.
import { request, type IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE, fixtures, rawRequest, startTestServer, type TestServer } from './testing/harness.js';

let s: TestServer;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request; fails instead of hanging after 5 s. */
function send(method: string, path: string): Promise<Answer> {
  return new Promise((done, fail) => {
    const req = request(s.url + path, { method, signal: AbortSignal.timeout(5000) }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => done({ status: res.statusCode!, headers: res.headers, body }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end();
  });
}

// Framing is the one difference: a streamed GET is chunked, and a HEAD has no body to frame.
const comparable = (h: IncomingHttpHeaders) => {
  const { date: _date, 'transfer-encoding': _te, ...rest } = h;
  return rest;
};

beforeAll(async () => {
  s = await startTestServer();
  expect((await s.req('POST', `${BASE}/clusters`, fixtures.cluster())).status).toBe(201);
});

afterAll(async () => {
  await s?.stop();
});

describe('HEAD', () => {
  it.each([
    '/healthz',
    '/readyz',
    '/version',
    '/apis',
    '/apis/truststram.io/v1alpha1',
    `${BASE}/clusters`,
    `${BASE}/clusters/aws-eu`,
    `${BASE}/clusters/aws-eu/status`,
    `${BASE}/clusters/absent`,
    `${BASE}/namespaces/team-a/workloads?labelSelector=${encodeURIComponent('a in (')}`,
    '/api/v1alpha1/regions',
    '/api/v1alpha1/audit',
    '/api/v1alpha1/audit/verify',
    '/api/v1alpha1/audit/export',
    '/api/v1alpha1/leases',
    '/no/such/path',
  ])('%s: the same status and headers as GET, no body', async (path) => {
    const get = await send('GET', path);
    const head = await send('HEAD', path);
    expect(head.status).toBe(get.status);
    expect(comparable(head.headers)).toEqual(comparable(get.headers));
    expect(head.body).toBe('');
    expect(get.body).not.toBe('');
  });

  it('a watch answers HEAD with its headers and ends, with or without initial events', async () => {
    const rv = ((await s.req('GET', `${BASE}/clusters`)).body as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    // With objects the stream would start with ADDED events; from the current revision it would wait for the next change.
    for (const path of [`${BASE}/clusters?watch=true`, `${BASE}/clusters?watch=true&resourceVersion=${rv}`, `${BASE}/namespaces/none/workloads?watch=1`]) {
      const head = await send('HEAD', path);
      expect(head.status).toBe(200);
      expect(head.headers['content-type']).toBe('application/json');
      expect(head.body).toBe('');
    }
    // On one connection, a GET after a HEAD watch is answered: the HEAD's response ended rather
    // than holding the connection (the GET asks the server to close, so nothing waits for the timeout).
    const pipelined = await rawRequest(s.url, [`HEAD ${BASE}/clusters?watch=true&resourceVersion=${rv} HTTP/1.1\r\nHost: t\r\n\r\n`, 'GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n'], { waitMs: 5000 });
    expect(pipelined.closed).toBe(true);
    expect(pipelined.text.match(/^HTTP\/1\.1 200 OK/gm)).toHaveLength(2);
    expect(pipelined.text.endsWith('\r\n\r\nok')).toBe(true);
    // And no watch stream is left behind.
    // (The stream's cleanup runs just after its response ended: look a few times.)
    let open = '';
    for (let i = 0; i < 40; i++) {
      open = /^truststram_apiserver_watches_in_flight (\d+)$/m.exec((await send('GET', '/metrics')).body)?.[1] ?? '';
      if (open === '0') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(open).toBe('0');
  });

  it('lists HEAD in Allow wherever GET is allowed, and stays 405 where it is not', async () => {
    const post = await send('POST', '/healthz');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    const status = await send('DELETE', `${BASE}/clusters/aws-eu/status`);
    expect(status.headers.allow).toBe('GET, HEAD, PATCH, PUT');
    const apply = await send('HEAD', '/api/v1alpha1/apply');
    expect(apply.status).toBe(405);
    expect(apply.headers.allow).toBe('POST');
    expect(apply.body).toBe('');
  });

  it('changes nothing', async () => {
    const before = await s.snapshot();
    await send('HEAD', `${BASE}/clusters/aws-eu`);
    await send('HEAD', '/api/v1alpha1/audit/export');
    expect(await s.snapshot()).toEqual(before);
  });
});
