// The real binary against a real `truststram server --token-file` process: without a token
// every command that talks to the server exits 1 with a message saying how to give one; with
// TRUSTSTRAM_TOKEN or --token-file, apply and get work. The token never appears in any output.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cluster, docs, workload } from './fixtures.js';
import { cli, ensureBuilt, killAll, liveChildren, startServerProcess, tempDir, type ServerProcess } from './harness.js';

const TOKEN = 'e2e-Token-9f1c2b7d';
let srv: ServerProcess;
let dir: string;
let manifest: string;
let tokenFile: string;

beforeAll(async () => {
  await ensureBuilt();
  dir = await tempDir('truststram-auth-');
  await writeFile(join(dir, 'tokens.csv'), `${TOKEN},alice\n`);
  tokenFile = join(dir, 'alice.token');
  await writeFile(tokenFile, `${TOKEN}\n`);
  manifest = join(dir, 'fleet.yaml');
  await writeFile(manifest, docs(cluster('aws-eu-1'), workload('api', 'team-a', 2)));
  srv = await startServerProcess(join(dir, 'data'), ['--no-controllers', '--token-file', join(dir, 'tokens.csv')]);
});

afterAll(async () => {
  await srv?.stop();
  await killAll();
  expect(liveChildren()).toBe(0);
});

describe('truststram against a server with --token-file', () => {
  it.each([
    [['get', 'clusters']],
    [['apply', '-f', '<manifest>']],
    [['describe', 'cluster', 'aws-eu-1']],
    [['audit', 'verify']],
    [['chaos', 'status']],
  ])('without a token: %j exits 1 and says the server requires a token', async (args) => {
    const r = await cli(args.map((a) => (a === '<manifest>' ? manifest : a)), { server: srv.url, env: { TRUSTSTRAM_TOKEN: '' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: the server requires a token: set TRUSTSTRAM_TOKEN or pass --token-file FILE/);
    expect(r.stdout).toBe('');
  });

  it('with TRUSTSTRAM_TOKEN: apply and get work, as the token\'s user', async () => {
    const env = { TRUSTSTRAM_TOKEN: TOKEN };
    const apply = await cli(['apply', '-f', manifest], { server: srv.url, env });
    expect(apply.stderr).toBe('');
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain('cluster.truststram.io/aws-eu-1 created');
    expect(apply.stdout).toContain('workload.truststram.io/api created');
    const get = await cli(['get', 'workloads', '-A'], { server: srv.url, env });
    expect(get.code, get.stderr).toBe(0);
    expect(get.stdout).toMatch(/team-a\s+api\s+2/);
    const log = await cli(['audit', 'log', '-o', 'json'], { server: srv.url, env });
    expect((JSON.parse(log.stdout) as { items: { actor: string }[] }).items.some((e) => e.actor === 'user:alice')).toBe(true);
    for (const r of [apply, get, log]) expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  it('with --token-file: get works', async () => {
    const r = await cli(['--token-file', tokenFile, 'get', 'clusters', '-o', 'json'], { server: srv.url, env: { TRUSTSTRAM_TOKEN: '' } });
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { items: { metadata: { name: string } }[] }).items.map((c) => c.metadata.name)).toEqual(['aws-eu-1']);
  });

  it('a wrong token exits 1, names its source and never prints it', async () => {
    const wrong = 'wrong-Token-31337';
    const r = await cli(['get', 'clusters'], { server: srv.url, env: { TRUSTSTRAM_TOKEN: wrong } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: the server rejected the token from TRUSTSTRAM_TOKEN \(invalid bearer token\)/);
    expect(r.stdout + r.stderr).not.toContain(wrong);
  });

  it('health probes stay open without a token', async () => {
    expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${srv.url}/apis/truststram.io/v1alpha1/clusters`)).status).toBe(401);
  });
});
