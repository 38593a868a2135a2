// The everyday path through the real binary against a real server process: apply, get in
// every format, describe, plan (shows changes, changes nothing), delete, and the audit trail.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cluster, docs, workload } from './fixtures.js';
import { EXAMPLES, cli, ensureBuilt, killAll, liveChildren, snapshot, spawnCli, startServerProcess, tempDir, waitFor, type ServerProcess } from './harness.js';

let srv: ServerProcess;
let dir: string;
let file: string;

beforeAll(async () => {
  await ensureBuilt();
  dir = await tempDir();
  srv = await startServerProcess(join(dir, 'data'));
  file = join(dir, 'fleet.yaml');
  await writeFile(file, docs(cluster('aws-eu-1'), cluster('gcp-us-1', 'gcp', 'us-central1'), workload('api', 'team-a', 3), workload('batch', 'team-b', 1)));
});

afterAll(async () => {
  await srv?.stop();
  await killAll();
  expect(liveChildren()).toBe(0);
});

describe('truststram against a running server', () => {
  it('applies a file atomically and prints kubectl-style results', async () => {
    const r = await cli(['apply', '-f', file], { server: srv.url });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      'cluster.truststram.io/aws-eu-1 created',
      'cluster.truststram.io/gcp-us-1 created',
      'workload.truststram.io/api created',
      'workload.truststram.io/batch created',
    ]);
    const again = await cli(['apply', '-f', file], { server: srv.url });
    expect(again.stdout).toContain('workload.truststram.io/api unchanged');
  });

  it('gets objects as tables, wide tables, JSON and YAML', async () => {
    const table = await cli(['get', 'clusters'], { server: srv.url });
    expect(table.code).toBe(0);
    const [header, ...rows] = table.stdout.trim().split('\n');
    expect(header!.split(/\s{2,}/)).toEqual(['NAME', 'PROVIDER', 'REGION', 'RESIDENCY', 'STATUS', 'CPU', 'MEMORY', 'AGE']);
    expect(rows.map((r) => r.split(/\s+/).slice(0, 4))).toEqual([
      ['aws-eu-1', 'aws', 'eu-west-1', 'eu'],
      ['gcp-us-1', 'gcp', 'us-central1', 'us'],
    ]);

    const all = await cli(['get', 'workloads', '-A'], { server: srv.url });
    expect(all.stdout.split('\n')[0]!.split(/\s{2,}/)).toEqual(['NAMESPACE', 'NAME', 'REPLICAS', 'READY', 'RESIDENCY', 'AGE']);
    expect(all.stdout).toMatch(/team-a\s+api\s+3\s+0/);
    expect(all.stdout).toMatch(/team-b\s+batch\s+1\s+0/);

    const one = await cli(['get', 'wl', 'api', '-n', 'team-a', '-o', 'json'], { server: srv.url });
    expect(JSON.parse(one.stdout)).toMatchObject({ kind: 'Workload', metadata: { name: 'api', namespace: 'team-a' }, spec: { replicas: 3 } });

    const yaml = await cli(['get', 'clusters', '-l', 'env=e2e', '-o', 'yaml'], { server: srv.url });
    expect(parse(yaml.stdout).items.map((c: { metadata: { name: string } }) => c.metadata.name)).toEqual(['aws-eu-1', 'gcp-us-1']);

    const wide = await cli(['get', 'workloads', '-n', 'team-a', '-o', 'wide'], { server: srv.url });
    expect(wide.stdout).toContain('registry.example/echo:1.0');

    const none = await cli(['get', 'workloads', '-l', 'team=nobody', '-A'], { server: srv.url });
    expect(none.code).toBe(0);
    expect(none.stderr).toContain('No workloads found');
  });

  it('describes an object with its audit history', async () => {
    const r = await cli(['describe', 'workload', 'api', '-n', 'team-a'], { server: srv.url });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Name:\s+api$/m);
    expect(r.stdout).toMatch(/^Namespace:\s+team-a$/m);
    expect(r.stdout).toMatch(/replicas: 3/);
    expect(r.stdout).toMatch(/Audit:\n\s+SEQ.*\n\s+\d+\s+\S+\s+\S+\s+\S+/);
  });

  it('plans field-level changes without changing anything', async () => {
    const changed = join(dir, 'changed.yaml');
    await writeFile(changed, docs(workload('api', 'team-a', 5), workload('new-one', 'team-a', 1), cluster('aws-eu-1')));
    const before = await snapshot(srv.url);
    const r = await cli(['plan', '-f', changed], { server: srv.url });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('~ workload.truststram.io/api (namespace team-a) will be changed');
    expect(r.stdout).toContain('spec.replicas: 3 → 5');
    expect(r.stdout).toContain('+ workload.truststram.io/new-one (namespace team-a) will be created');
    expect(r.stdout).toContain('Plan: 1 to create, 1 to change, 0 to delete, 1 unchanged.');
    expect(r.stdout).not.toContain('\u001b['); // no colour when not on a terminal
    expect(await snapshot(srv.url)).toEqual(before);

    const json = await cli(['plan', '-f', changed, '-o', 'json'], { server: srv.url });
    expect(JSON.parse(json.stdout).summary).toEqual({ create: 1, update: 1, delete: 0, unchanged: 1 });
    const dry = await cli(['apply', '-f', changed, '--dry-run'], { server: srv.url });
    expect(dry.stdout).toContain('workload.truststram.io/api configured (dry run)');
    expect(await snapshot(srv.url)).toEqual(before);
  });

  it('applies from stdin', async () => {
    const r = await cli(['apply', '-f', '-'], { server: srv.url, input: workload('from-stdin', 'team-a', 1) });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('workload.truststram.io/from-stdin created\n');
  });

  it('deletes by name and by file, and a missing object is exit 1', async () => {
    const byName = await cli(['delete', 'workload', 'from-stdin', '-n', 'team-a'], { server: srv.url });
    expect(byName.code).toBe(0);
    expect(byName.stdout).toBe('workload.truststram.io/from-stdin deleted\n');
    const missing = await cli(['get', 'workload', 'from-stdin', '-n', 'team-a'], { server: srv.url });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('not found');

    const gone = join(dir, 'gone.yaml');
    await writeFile(gone, docs(workload('batch', 'team-b', 1)));
    const byFile = await cli(['delete', '-f', gone], { server: srv.url });
    expect(byFile.code).toBe(0);
    expect(byFile.stdout).toBe('workload.truststram.io/batch deleted\n');
    const again = await cli(['delete', 'workload', 'batch', '-n', 'team-b'], { server: srv.url });
    expect(again.code).toBe(1);
  });

  it('shows, verifies and exports the audit chain', async () => {
    const log = await cli(['audit', 'log', '--since', '1h'], { server: srv.url });
    expect(log.code).toBe(0);
    expect(log.stdout.split('\n')[0]!.split(/\s{2,}/)).toEqual(['SEQ', 'TIME', 'ACTOR', 'VERB', 'OBJECT', 'REVISION']);
    expect(log.stdout).toContain('Workload/team-a/api');

    const json = await cli(['audit', 'log', '-o', 'json'], { server: srv.url });
    const items = JSON.parse(json.stdout).items as { seq: number }[];
    // 4 creates, 1 stdin create, 2 deletes; plan and dry runs wrote nothing.
    expect(items.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);

    const verify = await cli(['audit', 'verify'], { server: srv.url });
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain('audit chain OK: 7 entries verified');

    const out = join(dir, 'audit.jsonl');
    const exp = await cli(['audit', 'export', '--out', out], { server: srv.url });
    expect(exp.code).toBe(0);
    const lines = (await readFile(out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { seq: number; hash: string; prevHash: string });
    expect(lines).toHaveLength(7);
    for (let i = 1; i < lines.length; i++) expect(lines[i]!.prevHash).toBe(lines[i - 1]!.hash);

    const bad = await cli(['audit', 'log', '--since', 'yesterday'], { server: srv.url });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--since');
  });

  it('reports client and server versions', async () => {
    const r = await cli(['version'], { server: srv.url });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Client Version: \d+\.\d+\.\d+/m);
    expect(r.stdout).toMatch(/^Server Version: \d+\.\d+\.\d+/m);
  });

  it('streams changes with get --watch until stopped', async () => {
    const w = spawnCli(['get', 'workloads', '-n', 'team-a', '--watch'], { server: srv.url });
    expect(await waitFor(() => /^NAME\s+REPLICAS/m.test(w.output()))).toBe(true);
    const f = join(dir, 'watched.yaml');
    await writeFile(f, docs(workload('api', 'team-a', 4)));
    expect((await cli(['apply', '-f', f], { server: srv.url })).code).toBe(0);
    expect(await waitFor(() => /^MODIFIED\s+api\s+4\s/m.test(w.output())), w.output()).toBe(true);
    w.proc.kill('SIGINT');
    expect(await w.exited).toBe(0);
  });

  it('applies the shipped examples, then plans them as unchanged', async () => {
    const r = await cli(['apply', '-f', EXAMPLES], { server: srv.url });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('workload.truststram.io/payments-api created');
    expect(r.stdout).toMatch(/^cluster\.truststram\.io\/\S+ created$/m);
    const plan = await cli(['plan', '-f', EXAMPLES], { server: srv.url });
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/Plan: 0 to create, 0 to change, 0 to delete, \d+ unchanged\./);
    const d = await cli(['describe', 'workload', 'payments-api', '-n', 'payments'], { server: srv.url });
    expect(d.stdout).toMatch(/^Labels:\s+.*team=payments/m);
  });
});
