// Header rewriting on raw header lists: hop-by-hop removal both ways, X-Forwarded-*, cluster names.
import { describe, expect, it } from 'vitest';
import { downstreamHeaders, upstreamHeaders } from './headers.js';
import type { RouteEndpoint } from './route-table.js';

const ep: RouteEndpoint = { id: 'c/r@a', address: '127.0.0.1:1', cluster: 'c', replica: 'r', provider: 'aws', region: 'eu-west-1', jurisdiction: 'eu', weight: 1, ready: true };

describe('upstreamHeaders', () => {
  it('drops hop-by-hop headers and those Connection names, keeps the first Host, adds X-Forwarded-*', () => {
    const raw = ['Host', 'shop.local', 'Connection', 'keep-alive, X-Secret', 'X-Secret', 's', 'Keep-Alive', 'timeout=5', 'TE', 'trailers', 'Accept', '*/*', 'Expect', '100-continue', 'host', 'evil'];
    expect(upstreamHeaders(raw, '10.0.0.1', false)).toEqual(['host', 'shop.local', 'accept', '*/*', 'x-forwarded-for', '10.0.0.1', 'x-forwarded-proto', 'http', 'x-forwarded-host', 'shop.local']);
  });

  it('joins earlier X-Forwarded-For values and keeps a given proto and host', () => {
    const raw = ['host', 'h', 'X-Forwarded-For', '1.1.1.1', 'x-forwarded-for', '2.2.2.2', 'X-Forwarded-Proto', 'https', 'X-Forwarded-Host', 'outer'];
    expect(upstreamHeaders(raw, '3.3.3.3', false)).toEqual(['host', 'h', 'x-forwarded-proto', 'https', 'x-forwarded-host', 'outer', 'x-forwarded-for', '1.1.1.1, 2.2.2.2, 3.3.3.3']);
  });
});

describe('downstreamHeaders', () => {
  it('converts undici raw Buffers, drops hop-by-hop headers and names the cluster and replica', () => {
    const raw = ['Content-Type', 'text/plain', 'Connection', 'keep-alive', 'Keep-Alive', 'timeout=5', 'Transfer-Encoding', 'chunked', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2'].map((v) => Buffer.from(v, 'latin1'));
    expect(downstreamHeaders(raw, ep)).toEqual(['content-type', 'text/plain', 'set-cookie', 'a=1', 'set-cookie', 'b=2', 'x-truststram-cluster', 'c', 'x-truststram-replica', 'r']);
  });

  it('drops a header the upstream named in Connection', () => {
    expect(downstreamHeaders(['Connection', 'close, X-Internal', 'X-Internal', '1', 'Server', 'x'], { ...ep, replica: undefined })).toEqual(['server', 'x', 'x-truststram-cluster', 'c']);
  });
});
