// The CLI without a server: unreachable is exit 2 with a hint, usage errors are exit 1,
// help reads well, and the offline commands (regions, catalog, demo) work on their own.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt, killAll, liveChildren, tempDir } from './harness.js';

let nobody: string;

beforeAll(async () => {
  await ensureBuilt();
  // A port that was free a moment ago and has no listener now.
  const port = await new Promise<number>((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => done(p));
    });
  });
  // 127.0.0.2: the other tests' servers bind 127.0.0.1 only, so nothing can take this address.
  nobody = `http://127.0.0.2:${port}`;
});

afterAll(async () => {
  await killAll();
  expect(liveChildren()).toBe(0);
});

describe('no server', () => {
  it.each([[['get', 'clusters']], [['apply', '-f', 'examples/']], [['version']]])('%j exits 2 naming the address and how to start a server', async (args) => {
    const r = await cli(args, { server: nobody });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cannot reach the TrustStram server at ${nobody}: connection refused`);
    expect(r.stderr).toContain('truststram server --listen');
  });

  it('--server wins over TRUSTSTRAM_SERVER', async () => {
    const r = await cli(['--server', nobody, 'get', 'clusters'], { env: { TRUSTSTRAM_SERVER: 'http://127.0.0.1:9' } });
    expect(r.stderr).toContain(nobody);
  });

  it('validates files locally before needing a server', async () => {
    const r = await cli(['apply', '-f', '-'], { server: nobody, input: 'apiVersion: truststram.io/v1alpha1\nkind: Workload\nmetadata: {name: x}\nspec: {image: i, replicas: -2}\n' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('-: document 0: Workload/x: spec.replicas: must not be negative');
  });

  it('lists regions from the built-in catalog', async () => {
    const r = await cli(['get', 'regions', '--provider', 'gcp', '--residency', 'ch'], { server: nobody });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('region catalog built into this CLI');
    expect(r.stdout).toMatch(/^gcp\s+europe-west6\s+ch\s+CH/m);
  });

  it('prints the client version alone with --client', async () => {
    const r = await cli(['version', '--client'], { server: nobody });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Client Version: \d+\.\d+\.\d+/);
  });
});

describe('usage', () => {
  // Subcommand help and usage errors are covered in-process by src/cli/main.test.ts.
  it('top-level help lists every command on one line each', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['server', 'demo', 'apply', 'plan', 'get', 'describe', 'delete', 'audit', 'schedule', 'catalog', 'version'])
      expect(r.stdout).toMatch(new RegExp(`^  ${c}\\b.*\\S$`, 'm'));
    expect(r.stdout).toContain('Exit codes: 0 ok, 1');
  });

  it('an unknown command is exit 1', async () => {
    const r = await cli(['bogus']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("unknown command 'bogus'");
  });
});

describe('offline commands', () => {
  it('catalog list and show read the shipped prices', async () => {
    const list = await cli(['catalog', 'list', '--provider', 'aws', '--region', 'eu-west-1']);
    expect(list.code).toBe(0);
    expect(list.stdout.split('\n')[0]!.split(/\s{2,}/)).toEqual(['PROVIDER', 'REGION', 'INSTANCE-TYPE', 'VCPU', 'MEMORY', 'ON-DEMAND/H', 'SPOT/H']);
    expect(list.stdout).toMatch(/^aws\s+eu-west-1\s+m6i\.large\s+2\s+8Gi\s+\$\d/m);

    const show = await cli(['catalog', 'show', 'm6i.large', '--region', 'eu-west-1', '-o', 'json']);
    expect(JSON.parse(show.stdout)).toMatchObject({ provider: 'aws', region: 'eu-west-1', instanceType: 'm6i.large', vcpu: 2, memoryGiB: 8 });

    const missing = await cli(['catalog', 'show', 'm6i.large', '--region', 'mars-1']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('unknown instance type "m6i.large" in region "mars-1"');
  });

  it('catalog import validates a newer price file, and TRUSTSTRAM_PRICE_FILE makes every command price with it', async () => {
    const dir = await tempDir();
    const good = join(dir, 'prices.csv');
    await writeFile(good, 'provider,region,instance_type,vcpu,memory_gib,ondemand_usd_per_hour,spot_usd_per_hour,source\naws,eu-west-1,m6i.large,2,8,0.5,,vendor quote 2027-01\n');
    const ok = await cli(['catalog', 'import', good]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('valid — 1 instance prices in 1 regions (aws)');
    const priced = await cli(['catalog', 'show', 'm6i.large', '--region', 'eu-west-1', '-o', 'json'], { env: { TRUSTSTRAM_PRICE_FILE: good } });
    expect(JSON.parse(priced.stdout)).toMatchObject({ onDemandHourly: 0.5, source: 'vendor quote 2027-01' });
    const bad = join(dir, 'bad.csv');
    await writeFile(bad, 'provider,region,instance_type,vcpu,memory_gib,ondemand_usd_per_hour,spot_usd_per_hour,source\naws,eu-west-1,m6i.large,two,8,0.5,,x\n');
    const rejected = await cli(['catalog', 'import', bad]);
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toContain('line 2, column 4 (vcpu)');
    const refused = await cli(['catalog', 'list'], { env: { TRUSTSTRAM_PRICE_FILE: bad } });
    expect(refused.code).toBe(1);
  });

  it('schedule places the examples offline and prints the issue-3 JSON shape', async () => {
    const r = await cli(['schedule', '--fleet', 'examples/fleet.yaml', '--workloads', 'examples/workloads.yaml', '--time-limit-ms', '5000', '-o', 'json'], { server: nobody });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { placements: { namespace: string; name: string; clusters: { cluster: string; replicas: number }[]; costPerHour: number }[]; unschedulable: unknown[]; totalCostPerHour: number; lowerBoundCostPerHour: number; elapsedMs: number };
    expect(Object.keys(out)).toEqual(expect.arrayContaining(['placements', 'unschedulable', 'totalCostPerHour', 'lowerBoundCostPerHour', 'elapsedMs']));
    const payments = out.placements.find((p) => p.name === 'payments-api');
    expect(payments?.namespace).toBe('payments');
    // EU-resident: only the EU clusters of the example fleet.
    for (const c of payments!.clusters) expect(c.cluster).toMatch(/eu|europe/);
  });

  it('schedule rejects invalid files with exit 1 and a located error', async () => {
    const f = join(await tempDir(), 'mixed.yaml');
    await writeFile(f, 'apiVersion: truststram.io/v1alpha1\nkind: Workload\nmetadata: {name: w}\nspec: {image: i}\n');
    const wrongKind = await cli(['schedule', '--fleet', f, '--workloads', 'examples/workloads.yaml']);
    expect(wrongKind.code).toBe(1);
    expect(wrongKind.stderr).toContain(`${f}: document 0: kind: Workload is not allowed in --fleet`);
    await writeFile(f, 'apiVersion: truststram.io/v1alpha1\nkind: Workload\nmetadata: {name: w}\nspec: {image: i, replicas: 0.5}\n');
    const bad = await cli(['schedule', '--fleet', 'examples/fleet.yaml', '--workloads', f]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`${f}: document 0: Workload/w: spec.replicas: must be a whole number`);
  });

  it('demo starts a server, applies the examples, prints next steps and cleans up', async () => {
    const r = await cli(['demo', '--duration', '0', '--listen', '127.0.0.1:0'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const url = /control plane at (http:\/\/127\.0\.0\.1:\d+), state in (\S+) \(temporary\)/.exec(r.stdout);
    expect(url).not.toBeNull();
    expect(r.stdout).toMatch(/Applied \d+ objects: the baseline policy pack and /);
    expect(r.stdout).toMatch(/^CLUSTERS$/m);
    expect(r.stdout).toMatch(/^payments\s+payments-api\s+\d+\s+\d+\s+eu$/m);
    expect(r.stdout).toContain(`truststram --server ${url![1]} get workloads -A`);
    expect(r.stdout).toContain('Demo stopped and its temporary state removed.');
    expect(existsSync(url![2]!)).toBe(false);
  });
});
