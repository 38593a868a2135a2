// Builders shared by the policy tests: a Policy and a Workload with sensible defaults.
import type { Cluster, Policy, Workload } from '../api/index.js';

/** A Workload-matching admission policy with `rules`, overridable by `spec`. */
export function policy(rules: Policy['spec']['rules'], spec: Partial<Policy['spec']> = {}, name = 'p'): Policy {
  return {
    apiVersion: 'truststram.io/v1alpha1',
    kind: 'Policy',
    metadata: { name },
    spec: { match: { kinds: ['Workload'] }, stage: 'admission', enforcement: 'deny', ...spec, rules },
  };
}

/** A minimal defaulted Workload; `spec` and `labels` override. */
export function workload(name: string, spec: Partial<Workload['spec']> = {}, labels?: Record<string, string>, namespace = 'default'): Workload {
  return {
    apiVersion: 'truststram.io/v1alpha1',
    kind: 'Workload',
    metadata: { name, namespace, ...(labels ? { labels } : {}) },
    spec: { image: 'registry.eu.example/app@sha256:' + 'a'.repeat(64), replicas: 1, priority: 'tier-2', placement: { mode: 'Divided', optimizeFor: 'cost', spotTolerant: false }, ...spec },
  };
}

/** A minimal Cluster. */
export function cluster(name: string, labels?: Record<string, string>, spot = false): Cluster {
  return {
    apiVersion: 'truststram.io/v1alpha1',
    kind: 'Cluster',
    metadata: { name, ...(labels ? { labels } : {}) },
    spec: { provider: 'aws', region: 'eu-west-1', residency: 'eu', nodePools: [{ instanceType: 'm6i.xlarge', count: 2, spot }], driver: { type: 'local' } },
  };
}
