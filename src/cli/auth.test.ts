// The CLI against a real server with auth on (in-process, real HTTP on 127.0.0.1): the token
// from TRUSTSTRAM_TOKEN or --token-file is sent, a 401 reads clearly, and the token never shows.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../server/testing/harness.js';
import { parseClientToken } from './context.js';
import { CliUserError } from './exit.js';
import { main } from './main.js';

const TOKEN = 's3cret-token-for-alice';
let srv: TestServer;
let clientFile: string;
let dir: string;

function run(args: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env: { TRUSTSTRAM_SERVER: srv.url, ...env } };
  return main(['node', 'truststram', ...args], io).then((code) => ({ code, stdout, stderr }));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'truststram-cli-auth-'));
  await writeFile(join(dir, 'tokens.csv'), `# server tokens\n${TOKEN},alice\nother-token,bob\n`);
  await writeFile(join(dir, 'my-token'), `${TOKEN}\n`);
  clientFile = join(dir, 'my-token');
  srv = await startTestServer({ tokenFile: join(dir, 'tokens.csv') });
});

afterAll(async () => {
  await srv?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('CLI bearer token', () => {
  it('without a token: exit 1 and a message saying how to give one', async () => {
    const r = await run(['get', 'clusters']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: the server requires a token: set TRUSTSTRAM_TOKEN or pass --token-file FILE \(authentication required/);
    expect(r.stdout).toBe('');
  });

  it('sends TRUSTSTRAM_TOKEN as a bearer token', async () => {
    const r = await run(['get', 'clusters', '-o', 'json'], { TRUSTSTRAM_TOKEN: TOKEN });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveProperty('items');
  });

  it.each([
    [['--token-file', '<file>', 'get', 'clusters', '-o', 'json']],
    [['get', 'clusters', '-o', 'json', '--token-file', '<file>']],
  ])('sends the token of --token-file, before or after the command: %j', async (args) => {
    const r = await run(args.map((a) => (a === '<file>' ? clientFile : a)), { TRUSTSTRAM_TOKEN: 'wrong-env-token' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('writes as the token\'s user: the audit chain names alice', async () => {
    const file = join(dir, 'cluster.yaml');
    await writeFile(file, 'apiVersion: truststram.io/v1alpha1\nkind: Cluster\nmetadata: { name: aws-eu-1 }\nspec: { provider: aws, region: eu-west-1, capacity: { cpu: "4", memory: 8Gi, pods: 10 } }\n');
    const apply = await run(['apply', '-f', file], { TRUSTSTRAM_TOKEN: TOKEN });
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toContain('cluster.truststram.io/aws-eu-1 created');
    const log = await run(['audit', 'log', '-o', 'json'], { TRUSTSTRAM_TOKEN: TOKEN });
    expect(log.code, log.stderr).toBe(0);
    expect((JSON.parse(log.stdout) as { items: { actor: string }[] }).items.map((e) => e.actor)).toContain('user:alice');
  });

  it('a rejected token names where it came from, never the token itself', async () => {
    const bad = 'not-a-valid-token-xyz';
    const r = await run(['get', 'workloads', '-A'], { TRUSTSTRAM_TOKEN: bad });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: the server rejected the token from TRUSTSTRAM_TOKEN \(invalid bearer token\)/);
    expect(r.stderr + r.stdout).not.toContain(bad);
    const f = await run(['--token-file', join(dir, 'tokens.csv'), 'get', 'clusters']);
    // A server-style token file works: its first token is alice's.
    expect(f.code, f.stderr).toBe(0);
  });

  it('a missing token file is a user error naming the file', async () => {
    const r = await run(['get', 'clusters', '--token-file', join(dir, 'absent')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: cannot read token file ${join(dir, 'absent')}: no such file\n`);
  });
});

describe('parseClientToken', () => {
  it.each([
    ['abc\n', 'abc'],
    ['  abc  \r\n', 'abc'],
    ['# my token\n\nabc\nignored\n', 'abc'],
    ['abc,alice,1\ndef,bob\n', 'abc'],
    ['"abc",alice\n', 'abc'],
  ])('%j → %s', (text, token) => expect(parseClientToken(text)).toBe(token));

  it.each([[''], ['# nothing\n\n'], [',alice\n'], ['two words\n']])('%j is refused', (text) => {
    expect(() => parseClientToken(text, 'f')).toThrow(CliUserError);
  });

  it('a refusal names the file, never its content', () => {
    expect(() => parseClientToken('my secret-token\n', 'f')).toThrow(/^token file f: the token must not contain spaces$/);
  });
});
