import { describe, expect, it } from 'vitest';
import { ValidationError, type Cause } from './errors.js';
import { parseSources } from './load.js';
import { validateDocuments, validateObject } from './validate.js';

const cluster = (over: Record<string, unknown> = {}, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'truststram.io/v1alpha1',
  kind: 'Cluster',
  metadata: { name: 'aws-eu-1' },
  spec: { provider: 'aws', region: 'eu-west-1', capacity: { cpu: '64', memory: '256Gi', pods: 110 }, ...spec },
  ...over,
});
const workload = (spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}) => ({
  apiVersion: 'truststram.io/v1alpha1',
  kind: 'Workload',
  metadata: { name: 'payments-api', ...meta },
  spec: { image: 'registry.eu.example/payments@sha256:' + 'a'.repeat(64), replicas: 3, resources: { cpu: '500m', memory: '512Mi' }, ...spec },
});

const placement = (clusters: unknown[]) => ({
  apiVersion: 'truststram.io/v1alpha1',
  kind: 'Placement',
  metadata: { name: 'payments-api', namespace: 'payments' },
  spec: { workload: 'payments-api', generation: 1, clusters, costPerHour: 0.1 },
});

function causesOf(value: unknown): Cause[] {
  const r = validateObject(value, { file: 'f.yaml', document: 2 });
  if (r.ok) throw new Error('expected invalid');
  return r.causes;
}

describe('validateObject', () => {
  it('defaults namespace, mode and optimizeFor, and derives residency from the region', () => {
    const w = validateObject(workload());
    expect(w.ok).toBe(true);
    if (w.ok && w.object.kind === 'Workload') {
      expect(w.object.metadata.namespace).toBe('default');
      expect(w.object.spec.placement.mode).toBe('Divided');
      expect(w.object.spec.placement.optimizeFor).toBe('cost');
    }
    const c = validateObject(cluster());
    expect(c.ok && c.object.kind === 'Cluster' && c.object.spec.residency).toBe('eu');
  });

  it.each([
    ['negative replicas', workload({ replicas: -1 }), 'spec.replicas', /negative/],
    ['fractional replicas', workload({ replicas: 1.5 }), 'spec.replicas', /whole number/],
    ['wrong type', workload({ replicas: 'three' }), 'spec.replicas', /number/],
    ['invalid quantity', workload({ resources: { cpu: 'lots' } }), 'spec.resources.cpu', /valid quantity/],
    ['missing image', { ...workload(), spec: { replicas: 1 } }, 'spec.image', /required|expected string/],
    ['unknown field', workload({ replicsa: 3 }), 'spec.replicsa', /unknown field/],
    ['bad name', workload({}, { name: 'Payments_API' }), 'metadata.name', /DNS-1123/],
    ['missing metadata', { apiVersion: 'truststram.io/v1alpha1', kind: 'Workload', spec: {} }, 'metadata', /.+/],
    ['unknown kind', { ...workload(), kind: 'Deployment' }, 'kind', /unknown kind "Deployment"/],
    ['unknown apiVersion', { ...workload(), apiVersion: 'apps/v1' }, 'apiVersion', /unknown apiVersion/],
    ['namespace on cluster-scoped kind', cluster({ metadata: { name: 'x', namespace: 'ns' } }), 'metadata.namespace', /cluster-scoped/],
    ['unknown region without residency', cluster({}, { region: 'mars-north-1' }), 'spec.region', /declare spec.residency/],
    ['residency contradicting the catalog', cluster({}, { residency: 'us' }), 'spec.residency', /contradicts/],
    ['a mistyped workload residency', workload({ placement: { residency: 'euu' } }), 'spec.placement.residency[0]', /unknown jurisdiction "euu": expected one of eu, uk, ch, us/],
    ['a mistyped cluster residency', cluster({}, { region: 'mars-north-1', residency: 'mars' }), 'spec.residency', /unknown jurisdiction "mars"/],
    ['cluster with no capacity', cluster({}, { capacity: undefined }), 'spec.capacity', /capacity/],
    // Hosts and paths end up in the gateway's routing (and HAProxy's maps and config): no room for injection.
    ['a host with a port', workload({ traffic: { host: 'shop.example:8080' } }), 'spec.traffic.host', /DNS host name/],
    ['a host with a newline', workload({ traffic: { host: 'shop.example\n  http-request deny' } }), 'spec.traffic.host', /DNS host name/],
    ['a path prefix with a space', workload({ traffic: { host: 'shop.example', pathPrefix: '/a b' } }), 'spec.traffic.pathPrefix', /URL path/],
    ['more spot replicas than replicas', placement([{ cluster: 'aws-eu-1', replicas: 2, spotReplicas: 3 }]), 'spec.clusters[0].spotReplicas', /spotReplicas must not exceed replicas/],
    ['negative spot replicas', placement([{ cluster: 'aws-eu-1', replicas: 2, spotReplicas: -1 }]), 'spec.clusters[0].spotReplicas', /negative/],
    ['fractional spot replicas', placement([{ cluster: 'aws-eu-1', replicas: 2, spotReplicas: 0.5 }]), 'spec.clusters[0].spotReplicas', /whole number/],
    ['a health-check path with a newline', workload({ healthCheck: { path: '/healthz\nserver x 1.2.3.4:80' } }), 'spec.healthCheck.path', /URL path/],
  ])('rejects %s at the right field', (_name, value, field, message) => {
    const causes = causesOf(value);
    const cause = causes.find((c) => c.field === field);
    expect(cause, JSON.stringify(causes)).toBeDefined();
    expect(cause!.message).toMatch(message);
    expect(cause!.file).toBe('f.yaml');
    expect(cause!.document).toBe(2);
  });

  it('accepts Placements with and without the recorded spot split', () => {
    expect(validateObject(placement([{ cluster: 'aws-eu-1', replicas: 2 }])).ok).toBe(true);
    const r = validateObject(placement([{ cluster: 'aws-eu-1', replicas: 2, spotReplicas: 2 }, { cluster: 'gcp-eu-1', replicas: 1, spotReplicas: 0 }]));
    expect(r.ok && r.object.kind === 'Placement' && r.object.spec.clusters.map((e) => e.spotReplicas)).toEqual([2, 0]);
  });

  it('accepts an unknown region when residency is declared', () => {
    expect(validateObject(cluster({}, { region: 'frankfurt-dc2', provider: 'onprem', residency: 'eu', pricing: { cpuHour: 0.03, memoryGiBHour: 0.004 } })).ok).toBe(true);
  });
});

describe('parseSources + validateDocuments', () => {
  const src = (text: string | Buffer, file = 'm.yaml') => ({ file, content: Buffer.isBuffer(text) ? text : Buffer.from(text) });
  const yaml = (o: unknown) => JSON.stringify(o);

  it('reads multi-document YAML and JSON lists, keeping document indexes', () => {
    const docs = parseSources([src(`${yaml(cluster())}\n---\n${yaml(workload())}\n`), src(JSON.stringify({ kind: 'List', items: [workload({}, { name: 'b' })] }), 'l.json')]);
    expect(docs.map((d) => [d.file, d.index])).toEqual([
      ['m.yaml', 0],
      ['m.yaml', 1],
      ['l.json', 0],
    ]);
    expect(validateDocuments(docs)).toHaveLength(3);
  });

  it.each([
    ['YAML syntax error', src('kind: [unclosed\n'), /syntax error at line/],
    ['empty file', src('   \n'), /empty file/],
    ['only separators', src('---\n---\n'), /empty file/],
    ['binary input', src(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01])), /binary/],
    ['non-UTF-8 input', src(Buffer.from([0x6b, 0x69, 0x6e, 0x64, 0x3a, 0xff, 0xfe])), /UTF-8/],
    ['duplicate keys', src('kind: Workload\nkind: Cluster\n'), /syntax error/],
    ['YAML nested past the limit', src(`a:\n${Array.from({ length: 150 }, (_, i) => `${' '.repeat(i + 1)}b:`).join('\n')} 1\n`), /more than 100 levels/],
    ['JSON nested past the limit', src('{"a":'.repeat(5000) + '1' + '}'.repeat(5000), 'deep.json'), /more than 100 levels/],
    ['a document over 1 MiB', src(`${yaml(workload())}\n---\n${yaml(workload({ env: [{ name: 'X', value: 'x'.repeat(1024 * 1024 + 10) }] }, { name: 'big' }))}`), /larger than 1 MiB/],
  ])('rejects %s naming the file', (_n, source, message) => {
    try {
      parseSources([source]);
      throw new Error('expected failure');
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      const causes = (e as ValidationError).causes;
      expect(causes[0]!.file).toBe(source.file);
      expect(causes.map((c) => c.message).join('\n')).toMatch(message);
    }
  });

  it('reports the big document by its index', () => {
    const text = `${yaml(workload())}\n---\n${yaml(workload({ env: [{ name: 'X', value: 'x'.repeat(1024 * 1024 + 10) }] }, { name: 'big' }))}`;
    let err: unknown;
    try {
      parseSources([src(text)]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).causes[0]!.document).toBe(1);
  });

  it('rejects duplicate objects across documents and collects every error', () => {
    const docs = parseSources([src(`${yaml(workload())}\n---\n${yaml(workload({ replicas: -2 }, { name: 'other' }))}\n---\n${yaml(workload())}`)]);
    try {
      validateDocuments(docs);
      throw new Error('expected failure');
    } catch (e) {
      const causes = (e as ValidationError).causes;
      expect(causes).toHaveLength(2);
      expect(causes.find((c) => c.document === 1)!.field).toBe('spec.replicas');
      expect(causes.find((c) => c.document === 2)!.message).toMatch(/duplicate object: Workload\/default\/payments-api/);
    }
  });
});
