// Generates the checked-in reference scenario of the cost benchmark (fleet.yaml,
// workloads.yaml, usage.json) from a fixed seed: run it only to change the scenario, then
// commit its output. `npx tsx bench/scenarios/cost/generate.ts`
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

const HERE = dirname(fileURLToPath(import.meta.url));
const API = 'truststram.io/v1alpha1';
const DIGEST = '@sha256:' + 'c'.repeat(64);

/** mulberry32: seeded, so the scenario is the same on every machine. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Twelve clusters: each provider in two EU and two US regions, general pools of catalog instance
// types sized like mid-size production clusters, spot pools where the catalog has a spot price.
const FLEET: [string, 'aws' | 'azure' | 'gcp', string, string, number, [string, number]?][] = [
  ['aws-eu-west-1', 'aws', 'eu-west-1', 'm6i.xlarge', 40, ['c6i.xlarge', 12]],
  ['aws-eu-central-1', 'aws', 'eu-central-1', 'm6i.xlarge', 30],
  ['aws-us-east-1', 'aws', 'us-east-1', 'm6i.xlarge', 40, ['m6i.xlarge', 12]],
  ['aws-us-west-2', 'aws', 'us-west-2', 'm6i.xlarge', 30],
  ['azure-westeurope', 'azure', 'westeurope', 'Standard_D4s_v5', 40],
  ['azure-northeurope', 'azure', 'northeurope', 'Standard_D4s_v5', 30],
  ['azure-eastus', 'azure', 'eastus', 'Standard_D4s_v5', 40],
  ['azure-westus2', 'azure', 'westus2', 'Standard_D4s_v5', 30],
  ['gcp-europe-west1', 'gcp', 'europe-west1', 'e2-standard-4', 30, ['e2-standard-4', 10]],
  ['gcp-europe-west3', 'gcp', 'europe-west3', 'e2-standard-4', 30],
  ['gcp-us-central1', 'gcp', 'us-central1', 'e2-standard-4', 30, ['e2-standard-4', 10]],
  ['gcp-us-west1', 'gcp', 'us-west1', 'e2-standard-4', 30],
];
const PCI = new Set(['aws-eu-west-1', 'azure-westeurope', 'gcp-europe-west1', 'aws-us-east-1', 'azure-eastus', 'gcp-us-central1']);

const TEAMS = ['payments', 'search', 'analytics', 'platform', 'ml', 'web', 'data'];
const TENANTS = ['acme', 'globex', 'initech'];
const N = 240;

function fleet() {
  return FLEET.map(([name, provider, region, type, count, spot]) => ({
    apiVersion: API,
    kind: 'Cluster',
    metadata: { name, labels: { env: 'prod', 'compliance-tier': PCI.has(name) ? 'pci' : 'standard' } },
    spec: {
      provider,
      region,
      nodePools: [{ name: 'general', instanceType: type, count }, ...(spot ? [{ name: 'spot', instanceType: spot[0], count: spot[1], spot: true }] : [])],
      driver: { type: 'local' },
    },
  }));
}

function workloads() {
  const r = rng(20261121);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const out: unknown[] = [];
  const usage: Record<string, { cpuP95: number; memoryP95GiB: number; samples: number }> = {};
  for (let i = 0; i < N; i++) {
    const team = TEAMS[i % TEAMS.length]!;
    const name = `svc-${String(i).padStart(3, '0')}`;
    const u = r();
    // 30% EU-resident, 30% US-resident, the rest may run anywhere.
    const residency = u < 0.3 ? ['eu'] : u < 0.6 ? ['us'] : undefined;
    const tier0 = r() < 0.1;
    const spotTolerant = !tier0 && r() < 0.25;
    const cpu = pick([0.25, 0.5, 0.5, 1, 1, 1, 2, 2, 4]);
    const memPerCore = pick([2, 2, 4, 4, 8]);
    const replicas = tier0 ? 3 + Math.floor(r() * 4) : 1 + Math.floor(r() * 5);
    const pci = residency && r() < 0.15;
    const placement: Record<string, unknown> = { optimizeFor: 'cost', spotTolerant, ...(residency ? { residency } : {}), ...(pci ? { clusterSelector: { 'compliance-tier': 'pci' } } : {}) };
    if (tier0) placement.spread = { minProviders: 2, maxReplicasPerCluster: Math.ceil(replicas / 2) };
    out.push({
      apiVersion: API,
      kind: 'Workload',
      metadata: { name, namespace: team, labels: { team, tenant: TENANTS[i % TENANTS.length]!, owner: `${team}-oncall`, ...(residency ? { 'data-residency': residency[0]! } : {}), 'risk-tier': tier0 ? 'tier-0' : 'tier-2' } },
      spec: {
        image: `registry.example/${team}/${name}${DIGEST}`,
        replicas,
        priority: tier0 ? 'tier-0' : 'tier-2',
        resources: { cpu: cpu < 1 ? `${cpu * 1000}m` : String(cpu), memory: `${cpu * memPerCore}Gi` },
        placement,
        ...(tier0 ? { availability: { tier: 'active-active', survive: 'provider' } } : {}),
      },
    });
    // Observed usage: most services idle along at a few percent of their CPU request (surveys
    // report ~10% average utilisation); a quarter are busier. p95 per replica, 7 days of samples.
    const busy = r() < 0.25;
    const cpuUtil = busy ? 0.3 + r() * 0.4 : 0.03 + r() * 0.12;
    const memUtil = busy ? 0.5 + r() * 0.3 : 0.2 + r() * 0.3;
    usage[`${team}/${name}`] = { cpuP95: Math.round(cpu * cpuUtil * 1000) / 1000, memoryP95GiB: Math.round(cpu * memPerCore * memUtil * 1000) / 1000, samples: 2016 };
  }
  return { workloads: out, usage };
}

const header = (what: string) => `# Cost benchmark reference scenario: ${what}. Generated by bench/scenarios/cost/generate.ts (seed 20261121); do not edit by hand.\n`;
const docs = (xs: unknown[]) => xs.map((x) => stringify(x, { lineWidth: 0 })).join('---\n');
const { workloads: ws, usage } = workloads();
writeFileSync(join(HERE, 'fleet.yaml'), header('12 clusters on AWS, Azure and GCP in EU and US regions, catalog instance types') + docs(fleet()));
writeFileSync(join(HERE, 'workloads.yaml'), header(`${N} workloads of ${TEAMS.length} teams`) + docs(ws));
writeFileSync(join(HERE, 'usage.json'), JSON.stringify({ note: 'p95 per replica over 7 days (2016 five-minute samples), cores and GiB', usage }, null, 1) + '\n');
