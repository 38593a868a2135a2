// The shipped examples are what the demo, the docs and other tests use: every file must
// validate, and the fleet must be the six-cluster, three-provider, EU+US fleet it claims.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { clusterPricing, defaultCatalog } from '../cost/index.js';
import { createPolicyEngine } from '../policy/index.js';
import { parseSources, readSources, validateDocuments, type AnyObject, type Budget, type Cluster, type Policy, type Workload } from './index.js';

// The manifest files, listed so that examples/apps (code, not manifests) is never read.
// The demo applies the examples together with the shipped baseline policy pack.
const FILES = [...['fleet.yaml', 'workloads.yaml', 'budgets.yaml'].map((f) => `../../examples/${f}`), '../../policies/baseline'].map((f) => fileURLToPath(new URL(f, import.meta.url)));

async function loadExamples(): Promise<AnyObject[]> {
  return validateDocuments(parseSources(await readSources(FILES)));
}

describe('examples/', () => {
  it('validates with zero errors', async () => {
    const objects = await loadExamples();
    expect(objects.length).toBe(6 + 3 + 9 + 2); // clusters, workloads, baseline policies, budgets
  });

  it('declares six clusters: one EU and one US region on each of AWS, Azure and GCP', async () => {
    const clusters = (await loadExamples()).filter((o): o is Cluster => o.kind === 'Cluster');
    expect(clusters).toHaveLength(6);
    const pairs = clusters.map((c) => `${c.spec.provider}:${c.spec.residency}`).sort();
    expect(pairs).toEqual(['aws:eu', 'aws:us', 'azure:eu', 'azure:us', 'gcp:eu', 'gcp:us']);
    expect(clusters.every((c) => c.spec.driver.type === 'local')).toBe(true);
    expect(clusters.filter((c) => c.spec.nodePools?.some((p) => p.spot)).length).toBeGreaterThanOrEqual(2);
  });

  it('prices every cluster from the shipped catalog', async () => {
    const clusters = (await loadExamples()).filter((o): o is Cluster => o.kind === 'Cluster');
    for (const c of clusters) {
      const p = clusterPricing(c, defaultCatalog());
      expect(p.source).toBe('catalog');
      expect(p.nodeCostPerHour).toBeGreaterThan(0);
      expect(p.warnings, c.metadata.name).toEqual([]);
    }
  });

  it('has the payments, catalog and batch workloads with their residency and labels', async () => {
    const objects = await loadExamples();
    const wl = new Map(objects.filter((o): o is Workload => o.kind === 'Workload').map((w) => [w.metadata.name, w]));
    const pay = wl.get('payments-api')!;
    expect(pay.metadata.namespace).toBe('payments');
    expect(pay.spec.placement.residency).toEqual(['eu']);
    expect(pay.spec.placement.spread?.minProviders).toBe(2);
    expect(pay.spec.traffic?.host).toBe('payments.eu.example');
    expect(pay.spec.image).toMatch(/^registry\.eu\.example\/payments@sha256:[0-9a-f]{64}$/);
    expect(pay.spec.command).toEqual(['node', 'examples/apps/echo.mjs']);
    expect(Object.keys(pay.metadata.labels ?? {})).toEqual(expect.arrayContaining(['tenant', 'team', 'data-residency', 'owner', 'risk-tier']));
    expect(wl.get('catalog-api')!.spec.placement.residency).toEqual(['us']);
    expect(wl.get('nightly-reports')!.spec.placement.spotTolerant).toBe(true);
    for (const w of wl.values()) {
      expect(w.metadata.labels?.team, w.metadata.name).toBeTruthy();
      expect(w.metadata.labels?.tenant, w.metadata.name).toBeTruthy();
    }
  });

  it('has baseline policies and team budgets', async () => {
    const objects = await loadExamples();
    const policies = objects.filter((o): o is Policy => o.kind === 'Policy');
    expect(policies.every((p) => p.spec.rules.every((r) => r.expression.length > 0 && r.message.length > 0))).toBe(true);
    const budgets = objects.filter((o): o is Budget => o.kind === 'Budget');
    expect(budgets.map((b) => b.spec.scope.team).sort()).toEqual(['analytics', 'payments']);
  });

  it('admits every example under the baseline policies, which deny an unlabelled, unpinned workload', async () => {
    const objects = await loadExamples();
    const engine = createPolicyEngine();
    engine.setPolicies(objects.filter((o): o is Policy => o.kind === 'Policy'));
    for (const o of objects.filter((x) => x.kind !== 'Policy')) {
      const d = engine.admit({ object: o, user: 'examples-test', verb: 'create' });
      expect(d.denials, o.metadata.name).toEqual([]);
      expect(d.warnings, o.metadata.name).toEqual([]);
    }
    const bad = structuredClone(objects.find((o): o is Workload => o.kind === 'Workload' && o.metadata.name === 'catalog-api')!);
    delete bad.metadata.labels!.team;
    bad.spec.image = 'registry.us.example/catalog:latest';
    const d = engine.admit({ object: bad, user: 'examples-test', verb: 'create' });
    expect(d.allowed).toBe(false);
    expect(d.denials.map((x) => x.policy).sort()).toEqual(['digest-pinned-images', 'required-labels']);
  });
});
