// An apply larger than the server reads in one request (3 MiB), made of documents and files that
// are each within their own limits: the CLI refuses it before sending, naming the files (exit 1),
// and a body the server refuses while it is still being sent is reported as that refusal (413),
// never as "cannot reach the server".
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PayloadTooLargeError } from '../../src/api/index.js';
import { createClient } from '../../src/cli/client.js';
import { MAX_REQUEST_BYTES } from '../../src/cli/request-size.js';
import { docs, workload } from './fixtures.js';
import { cli, ensureBuilt, killAll, liveChildren, snapshot, startServerProcess, tempDir, type ServerProcess } from './harness.js';

let srv: ServerProcess;
let dir: string;
let big: string;
const FILES = 5;

/** A valid Workload of about 0.9 MiB (an annotation carries the bulk). */
const bigWorkload = (name: string) => workload(name, 'e2e', 1).replace('  labels:\n', `  annotations:\n    blob: "${'x'.repeat(900 * 1024)}"\n  labels:\n`);

beforeAll(async () => {
  await ensureBuilt();
  dir = await tempDir();
  srv = await startServerProcess(join(dir, 'data'));
  big = join(dir, 'big');
  await mkdir(big);
  for (let i = 1; i <= FILES; i++) await writeFile(join(big, `w${i}.yaml`), docs(bigWorkload(`big-${i}`)));
});

afterAll(async () => {
  await srv?.stop();
  await killAll();
  expect(liveChildren()).toBe(0);
});

describe('an apply larger than one request', () => {
  it('is refused before sending, naming the total, the limit and every file (apply and plan, exit 1)', async () => {
    const before = await snapshot(srv.url);
    for (const verb of ['apply', 'plan']) {
      const r = await cli([verb, '-f', big], { server: srv.url });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^error: the files add up to 4\\.\\d MiB in one request; the server accepts at most 3 MiB per ${verb}; nothing was sent\\n`));
      for (let i = 1; i <= FILES; i++) expect(r.stderr).toContain(`${join(big, `w${i}.yaml`)}: 0.9 MiB (1 document)`);
      expect(r.stderr).not.toMatch(/cannot reach|EPIPE|ECONNRESET/);
    }
    expect(await snapshot(srv.url)).toEqual(before);
  });

  it('three of the same files fit and apply', async () => {
    const r = await cli(['apply', '-f', join(big, 'w1.yaml'), '-f', join(big, 'w2.yaml'), '-f', join(big, 'w3.yaml')], { server: srv.url });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('workload.truststram.io/big-3 created');
  });

  it('a body the server refuses mid-upload is its 413, not "unreachable", every time', async () => {
    // Bypasses the CLI's own check (as a server with a lower limit would): the server answers 413
    // on the declared length and closes while the body is still being written.
    const client = createClient(srv.url);
    const body = { items: [{ blob: 'x'.repeat(MAX_REQUEST_BYTES + 1024 * 1024) }] };
    for (let i = 0; i < 5; i++) {
      const err = await client.request('POST', '/api/v1alpha1/apply', body).catch((e: unknown) => e);
      expect(err, String(err)).toBeInstanceOf(PayloadTooLargeError);
      expect((err as Error).message).toContain(`larger than the limit of ${MAX_REQUEST_BYTES} bytes`);
    }
  });

  it('any client still sending an over-limit body reads the 413: the server drains it before closing', async () => {
    // A plain node:http client, without the CLI's retry: before the server drained a bounded
    // amount, about one upload in eight lost its answer to a connection reset (EPIPE).
    const { request } = await import('node:http');
    const body = Buffer.alloc(20 * 1024 * 1024, 'a');
    const outcomes: (number | string)[] = [];
    for (let i = 0; i < 16; i++)
      outcomes.push(
        await new Promise<number | string>((resolve) => {
          const req = request(`${srv.url}/api/v1alpha1/apply`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          });
          req.on('error', (err) => resolve((err as NodeJS.ErrnoException).code ?? err.message));
          req.end(body);
        }),
      );
    expect(outcomes).toEqual(outcomes.map(() => 413));
  });
});
