// Bad input gets a clear error and changes nothing (issue 2): every case of the matrix goes
// through the real CLI against a real server, with valid documents around the bad one. Each
// must exit 1, name the file, the document and the field, and leave the store revision and
// the whole audit chain exactly as they were.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cluster, docs, workload } from './fixtures.js';
import { cli, ensureBuilt, getJson, killAll, liveChildren, snapshot, startServerProcess, tempDir, type ServerProcess } from './harness.js';

let srv: ServerProcess;
let dir: string;
let good: string;

beforeAll(async () => {
  await ensureBuilt();
  dir = await tempDir();
  srv = await startServerProcess(join(dir, 'data'));
  const base = join(dir, 'base.yaml');
  await writeFile(base, docs(cluster('base-eu'), workload('existing', 'e2e', 1)));
  expect((await cli(['apply', '-f', base], { server: srv.url })).code).toBe(0);
  // A second revision of `existing`, so resourceVersion "1" below is stale.
  await writeFile(base, docs(workload('existing', 'e2e', 2)));
  expect((await cli(['apply', '-f', base], { server: srv.url })).code).toBe(0);
  good = join(dir, 'good.yaml');
  await writeFile(good, docs(cluster('good-eu'), workload('good-api', 'e2e', 2)));
});

afterAll(async () => {
  await srv?.stop();
  await killAll();
  expect(liveChildren()).toBe(0);
});

interface Case {
  name: string;
  content: string | Buffer;
  /** Document index the error must name; undefined when the problem is the whole file. */
  document?: number;
  /** Field path the error must name; undefined when no field is involved (syntax, size, encoding). */
  field?: string;
  /** Further text the message must contain. */
  says: RegExp;
}

const ok0 = workload('ok-before', 'e2e', 1);
const ok2 = workload('ok-after', 'e2e', 1);
/** A bad document at index 1, between two valid ones. */
const between = (bad: string) => docs(ok0, bad, ok2);

/** Nine levels of nine aliases each: 9^9 nodes if expanded ("billion laughs"). */
const ALIAS_BOMB = ['a: &a [x,x,x,x,x,x,x,x,x]', ...'bcdefghi'.split('').map((l, i) => `${l}: &${l} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`)].join('\n');

const CASES: Case[] = [
  { name: 'YAML syntax error', content: between('apiVersion: truststram.io/v1alpha1\nkind: Workload\nmetadata: {name: x\nspec: [image'), document: 1, says: /syntax error at line \d+/ },
  { name: 'unknown kind', content: between(workload('x').replace('kind: Workload', 'kind: Gadget')), document: 1, field: 'kind', says: /unknown kind "Gadget"/ },
  { name: 'unknown apiVersion', content: between(workload('x').replace('truststram.io/v1alpha1', 'truststram.io/v9')), document: 1, field: 'apiVersion', says: /unknown apiVersion/ },
  { name: 'missing required field', content: between(workload('x').replace('  image: registry.example/echo:1.0\n', '')), document: 1, field: 'spec.image', says: /required/ },
  { name: 'wrong type', content: between(workload('x', 'e2e', '"three"')), document: 1, field: 'spec.replicas', says: /number|whole/ },
  { name: 'negative replicas', content: between(workload('x', 'e2e', -1)), document: 1, field: 'spec.replicas', says: /must not be negative/ },
  { name: 'fractional replicas', content: between(workload('x', 'e2e', 1.5)), document: 1, field: 'spec.replicas', says: /whole number/ },
  { name: 'invalid quantity', content: between(workload('x').replace('cpu: 250m', 'cpu: 2 cores')), document: 1, field: 'spec.resources.cpu', says: /not a valid quantity/ },
  { name: 'unknown region without residency', content: between(cluster('mars', 'aws', 'mars-north-1')), document: 1, field: 'spec.region', says: /unknown aws region "mars-north-1".*residency/ },
  { name: 'name that is not DNS-1123', content: between(workload('Payments_API')), document: 1, field: 'metadata.name', says: /DNS-1123/ },
  { name: 'duplicate objects in one apply', content: docs(ok0, workload('ok-before', 'e2e', 3), ok2), document: 1, field: 'metadata.name', says: /duplicate object: Workload\/e2e\/ok-before/ },
  {
    name: 'a document over 1 MiB',
    content: between(workload('huge', 'e2e', 1).replace('  labels:\n', `  annotations:\n    blob: "${'x'.repeat(1024 * 1024 + 10)}"\n  labels:\n`)),
    document: 1,
    says: /larger than 1 MiB/,
  },
  { name: 'YAML alias bomb', content: between(ALIAS_BOMB), document: 1, says: /aliases expand to too many nodes/ },
  { name: 'YAML alias with no anchor', content: between(workload('x', 'e2e', '*count')), document: 1, says: /alias \*count at line \d+, column \d+ refers to no anchor/ },
  { name: 'binary input', content: Buffer.concat([Buffer.from(ok0), Buffer.from([0, 1, 2, 0xff, 0])]), says: /binary input/ },
  { name: 'non-UTF-8 input', content: Buffer.concat([Buffer.from(docs(ok0, workload('x'))), Buffer.from([0xc3, 0x28, 0xa0, 0xa1])]), says: /not valid UTF-8/ },
  { name: 'empty file', content: '', says: /empty file/ },
  { name: 'whitespace-only file', content: '\n   \n---\n', says: /empty file|no documents/ },
  {
    name: 'resourceVersion conflict',
    content: between(workload('existing', 'e2e', 7).replace('  labels:\n', '  resourceVersion: "1"\n  labels:\n')),
    document: 1,
    field: 'metadata.resourceVersion',
    says: /conflict/i,
  },
];

describe('a bad apply changes nothing', () => {
  it.each(CASES)('$name: exit 1, located error, store and audit unchanged', async (c) => {
    const bad = join(dir, `bad-${c.name.replace(/\W+/g, '-')}.yaml`);
    await writeFile(bad, c.content);
    const before = await snapshot(srv.url);

    const r = await cli(['apply', '-f', good, '-f', bad], { server: srv.url });

    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^error: .*nothing was changed$/);
    // One line per cause: `file: document N: Kind/name: field: message`.
    const cause = lines.slice(1).find((l) => l.startsWith(`${bad}: `));
    expect(cause, r.stderr).toBeDefined();
    if (c.document !== undefined) expect(cause).toContain(`${bad}: document ${c.document}: `);
    if (c.field !== undefined) expect(cause).toContain(`: ${c.field}: `);
    expect(cause).toMatch(c.says);

    expect(await snapshot(srv.url)).toEqual(before);
    for (const path of ['/apis/truststram.io/v1alpha1/clusters', '/apis/truststram.io/v1alpha1/namespaces/e2e/workloads']) {
      const names = (await getJson<{ items: { metadata: { name: string } }[] }>(srv.url, path)).items.map((o) => o.metadata.name);
      expect(names).not.toContain('good-eu');
      expect(names).not.toContain('good-api');
      expect(names).not.toContain('ok-before');
    }
  });

  it('the server rejects the same input with 4xx Status objects when the CLI is bypassed', async () => {
    const before = await snapshot(srv.url);
    const res = await fetch(`${srv.url}/api/v1alpha1/apply`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ items: [{ apiVersion: 'truststram.io/v1alpha1', kind: 'Workload', metadata: { name: 'x', namespace: 'e2e' }, spec: { image: 'i', replicas: -1 } }], sources: [{ file: 'w.yaml', document: 3 }] }),
    });
    expect(res.status).toBe(422);
    const status = (await res.json()) as { kind: string; details: { causes: { field: string }[] } };
    expect(status.kind).toBe('Status');
    expect(status.details.causes[0]!.field).toBe('w.yaml: document 3: spec.replicas');
    expect(await snapshot(srv.url)).toEqual(before);
  });

  it('bad gateway core flags exit 1 naming the flag or field, before anything starts', async () => {
    const cases: [string[], RegExp][] = [
      [['gateway', '--listen', '127.0.0.1:0', '--cpus', '1'], /cpus: pins the haproxy data plane; pin a node gateway from outside \(taskset/],
      [['gateway', '--listen', '127.0.0.1:0', '--data-plane', 'haproxy', '--cpus', '0-999'], /cpus: CPU 999 does not exist/],
      [['gateway', '--listen', '127.0.0.1:0', '--data-plane', 'haproxy', '--cpus', '1x'], /cpus: "1x" is not a CPU list/],
      [['gateway', '--listen', '127.0.0.1:0', '--workers', 'two'], /workers: must be an integer from 1 to 64/],
      [['gateway', '--listen', '127.0.0.1:0', '--scheduling', 'batch'], /scheduling: sets the haproxy data plane's policy/],
      [['gateway', '--listen', '127.0.0.1:0', '--data-plane', 'haproxy', '--scheduling', 'fifo'], /'fifo' is invalid\. Allowed choices are batch, normal/],
      [['server', '--data-dir', join(dir, 'unused'), '--listen', '127.0.0.1:0', '--gateway-threads', '2'], /--gateway-threads, --gateway-cpus and --gateway-scheduling need --gateway-data-plane haproxy/],
      [['server', '--data-dir', join(dir, 'unused'), '--listen', '127.0.0.1:0', '--gateway-scheduling', 'normal'], /--gateway-threads, --gateway-cpus and --gateway-scheduling need --gateway-data-plane haproxy/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args, { server: srv.url });
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).not.toContain('listening');
    }
  });

  it('every command that reads YAML locates alias failures (exit 1, never "internal error")', async () => {
    const bomb = join(dir, 'alias-bomb.yaml');
    await writeFile(bomb, docs(ok0, ALIAS_BOMB));
    const dangling = join(dir, 'alias-dangling.yaml');
    await writeFile(dangling, 'kind: GameDay\nb: *y\n');
    const before = await snapshot(srv.url);
    for (const args of [['apply', '-f', bomb], ['plan', '-f', bomb], ['delete', '-f', bomb], ['schedule', '--fleet', bomb, '--workloads', bomb], ['chaos', 'run', bomb]]) {
      const r = await cli(args, { server: srv.url });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toContain(`${bomb}: document 1: YAML aliases expand to too many nodes`);
      expect(r.stderr).not.toMatch(/internal error|ReferenceError/);
    }
    for (const args of [['apply', '-f', dangling], ['chaos', 'run', dangling]]) {
      const r = await cli(args, { server: srv.url });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toContain(`${dangling}: document 0: alias *y at line 2, column 4 refers to no anchor`);
    }
    expect(await snapshot(srv.url)).toEqual(before);
  });

  it('a folder without manifests is named, exit 1', async () => {
    const empty = join(dir, 'no-manifests');
    await mkdir(join(empty, 'sub'), { recursive: true });
    await writeFile(join(empty, 'sub', 'notes.txt'), 'not a manifest\n');
    for (const cmd of ['apply', 'plan']) {
      const r = await cli([cmd, '-f', good, '-f', empty], { server: srv.url });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`${empty}: no .yaml, .yml or .json files found in this directory`);
    }
  });

  it('paths the OS refuses are named with their option, one line, exit 1', async () => {
    const file = join(dir, 'a-regular-file');
    await writeFile(file, 'x\n');
    const dbIsDir = join(dir, 'db-is-a-directory');
    await mkdir(join(dbIsDir, 'truststram.db'), { recursive: true });
    const cases: [string[], string][] = [
      [['server', '--data-dir', file, '--listen', '127.0.0.1:0'], `error: --data-dir ${file}: cannot use it as the data directory: a file of that name is in the way (a directory is needed) (EEXIST)`],
      [['server', '--data-dir', join(file, 'sub'), '--listen', '127.0.0.1:0'], `error: --data-dir ${join(file, 'sub')}: cannot use it as the data directory: a part of the path is a file, not a directory (ENOTDIR)`],
      [['server', '--data-dir', dbIsDir, '--listen', '127.0.0.1:0'], `error: --data-dir ${dbIsDir}: cannot open the SQLite database in it: unable to open database file (SQLITE_CANTOPEN)`],
      [['server', '--data-dir', join(dir, 'unused'), '--listen', '127.0.0.1:0', '--token-file', dir], `error: --token-file ${dir}: cannot read it: it is a directory (a file is needed) (EISDIR)`],
      [['demo', '--data-dir', file, '--listen', '127.0.0.1:0', '--no-gateway'], `error: --data-dir ${file}: cannot use it as the data directory`],
      [['agent', '--cluster', 'x', '--log-dir', join(file, 'logs')], `error: --log-dir ${join(file, 'logs')}: cannot write there: a part of the path is a file, not a directory (ENOTDIR)`],
      [['compliance', 'evidence', '--out', file], `error: --out ${file}: cannot write the evidence bundle there: a file of that name is in the way (a directory is needed) (EEXIST)`],
      [['compliance', 'report', '--out', dir], `error: --out ${dir}: cannot write the report there: it is a directory (a file is needed) (EISDIR)`],
      [['audit', 'export', '--out', join(file, 'audit.jsonl')], `error: --out ${join(file, 'audit.jsonl')}: cannot write the audit log there: a part of the path is a file, not a directory (ENOTDIR)`],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args, { server: srv.url });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(1);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toContain(message);
      expect(r.stdout).not.toContain('listening');
    }
  });

  it('a listen address that is not this machine\'s and a --server that is not a URL are user errors', async () => {
    const listen = await cli(['server', '--data-dir', join(dir, 'unused'), '--listen', '192.0.2.1:0', '--no-agents', '--no-gateway'], { server: srv.url });
    expect(listen.code, listen.stderr).toBe(1);
    expect(listen.stderr).toContain('error: cannot listen on 192.0.2.1:0: that address does not belong to this machine (EADDRNOTAVAIL)');
    // The gateway had started its API feed before failing to listen; it must still exit.
    const gateway = await cli(['gateway', '--listen', '192.0.2.1:0'], { server: srv.url, timeoutMs: 20_000 });
    expect(gateway.code, gateway.stderr).toBe(1);
    expect(gateway.stderr).toContain('error: cannot listen on 192.0.2.1:0');
    for (const [args, env, message] of [
      [['--server', 'garbage', 'get', 'clusters'], {}, 'error: --server: "garbage" is not a URL'],
      [['get', 'clusters'], { TRUSTSTRAM_SERVER: 'ftp://example.org' }, 'error: TRUSTSTRAM_SERVER: "ftp://example.org" is not a URL'],
    ] as [string[], Record<string, string>, string][]) {
      const r = await cli(args, { env });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(message);
    }
  });

  it('a bad plan is rejected the same way and a missing file is exit 1', async () => {
    const r = await cli(['plan', '-f', join(dir, 'no-such-file.yaml')], { server: srv.url });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no-such-file.yaml: no such file or directory');
    const scenario = await cli(['chaos', 'run', join(dir, 'no-such-file.gameday')], { server: srv.url });
    expect(scenario.code, scenario.stderr).toBe(1);
    expect(scenario.stderr).toContain('no-such-file.gameday: cannot read');
  });
});
