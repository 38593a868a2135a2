// The shipped baseline pack: it validates as ordinary manifests, every policy has a passing
// and a failing example with the verdict proven, and the demo workloads pass it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSources, readSources, validateDocuments, type AnyObject, type Cluster, type Workload } from '../api/index.js';
import { BASELINE_DIR, createPolicyEngine, loadBaselinePolicies } from './index.js';

const TESTDATA = join(import.meta.dirname, 'testdata');
const ROOT = join(import.meta.dirname, '..', '..');

async function load(path: string): Promise<AnyObject[]> {
  return validateDocuments(parseSources(await readSources([path])));
}

async function engineWithBaseline() {
  const engine = createPolicyEngine();
  engine.setPolicies(await loadBaselinePolicies());
  return engine;
}

const ADMISSION = ['allowed-registries', 'digest-pinned-images', 'no-host-access', 'required-labels', 'resource-requests', 'sinks-in-residency', 'tier0-multi-provider'];
const PLACEMENT = ['regulated-high-compliance', 'tier0-no-spot-only'];

describe('baseline policy pack', () => {
  it('is a directory of valid Policy manifests that all compile', async () => {
    const objects = await load(BASELINE_DIR);
    expect(objects.every((o) => o.kind === 'Policy')).toBe(true);
    expect(objects.map((o) => o.metadata.name).sort()).toEqual([...ADMISSION, ...PLACEMENT].sort());
    const engine = createPolicyEngine();
    for (const o of objects) if (o.kind === 'Policy') expect(engine.validatePolicy(o).rules.length).toBeGreaterThan(0);
  });

  it('proves every admission example: pass examples pass everything, fail examples fail exactly their policy', async () => {
    const engine = await engineWithBaseline();
    const examples = (await load(join(TESTDATA, 'baseline-examples.yaml'))) as Workload[];
    const failing = new Set<string>();
    const passing = new Set<string>();
    for (const w of examples) {
      const expect_ = w.metadata.annotations?.['policy.truststram.io/expect'];
      const policy = w.metadata.annotations?.['policy.truststram.io/policy'];
      const d = engine.admit({ object: w, user: 'ci', verb: 'create' });
      const failed = [...new Set(d.denials.map((v) => v.policy))];
      if (expect_ === 'pass') {
        expect(d.denials, w.metadata.name).toEqual([]);
        if (policy) passing.add(policy);
        else ADMISSION.forEach((p) => passing.add(p));
      } else {
        expect(failed, w.metadata.name).toEqual([policy]);
        expect(d.denials.every((v) => !v.error && v.field !== undefined), w.metadata.name).toBe(true);
        failing.add(policy!);
      }
    }
    expect([...failing].sort()).toEqual(ADMISSION);
    expect([...passing].sort()).toEqual(ADMISSION);
  });

  it('names the field and gives a useful message for each failure', async () => {
    const engine = await engineWithBaseline();
    const examples = (await load(join(TESTDATA, 'baseline-examples.yaml'))) as Workload[];
    const byName = new Map(examples.map((w) => [w.metadata.name, w]));
    const deny = (name: string) => engine.admit({ object: byName.get(name)!, user: 'ci', verb: 'create' }).denials[0]!;
    expect(deny('missing-owner')).toMatchObject({ field: 'metadata.labels', message: 'missing required labels: owner' });
    expect(deny('us-backup-for-eu')).toMatchObject({ field: 'spec.sinks', message: 'sinks outside residency eu: backup s3://backups-eu (us)' });
    expect(deny('us-registry-for-eu').message).toContain('allowed: registry.eu.example/');
    expect(deny('host-path')).toMatchObject({ rule: 'no-host-path', field: 'spec.securityContext.hostPath' });
    expect(deny('tier0-one-provider').field).toBe('spec.placement.spread.minProviders');
  });

  it('proves every placement example: each cluster hosts exactly the workloads it lists', async () => {
    const engine = await engineWithBaseline();
    const objects = await load(join(TESTDATA, 'placement-examples.yaml'));
    const clusters = objects.filter((o): o is Cluster => o.kind === 'Cluster');
    const workloads = objects.filter((o): o is Workload => o.kind === 'Workload');
    const denied = new Set<string>();
    for (const c of clusters) {
      const allowed = new Set(c.metadata.annotations!['policy.truststram.io/allowed-for']!.split(','));
      for (const w of workloads) {
        const d = engine.filterCluster(w, c);
        expect(d.allowed, `${w.metadata.name} on ${c.metadata.name}`).toBe(allowed.has(w.metadata.name));
        if (!d.allowed) {
          expect(d.reason).toMatch(/^(tier0-no-spot-only|regulated-high-compliance)\//);
          denied.add(d.reason!.split('/')[0]!);
        }
      }
    }
    expect([...denied].sort()).toEqual(PLACEMENT);
  });

  it('admits the demo workloads in examples/workloads.yaml', async () => {
    const file = join(ROOT, 'examples', 'workloads.yaml');
    if (!existsSync(file)) return;
    const engine = await engineWithBaseline();
    const workloads = (await load(file)).filter((o) => o.kind === 'Workload');
    expect(workloads.length).toBeGreaterThan(0);
    for (const w of workloads) expect(engine.admit({ object: w, user: 'demo', verb: 'create' }).denials, w.metadata.name).toEqual([]);
  });
});
