import { describe, expect, it } from 'vitest';
import { formatPlan, type PlanResponse } from './plan.js';

const plan: PlanResponse = {
  summary: { create: 1, update: 1, delete: 1, unchanged: 1 },
  items: [
    { kind: 'Workload', namespace: 'team-a', name: 'api', action: 'update', changes: [{ path: 'spec.replicas', op: 'replace', before: 3, after: 5 }, { path: 'metadata.labels.tier', op: 'add', after: '0' }] },
    { kind: 'Workload', namespace: 'team-a', name: 'new', action: 'create', changes: [] },
    { kind: 'Cluster', name: 'old', action: 'delete', changes: [] },
    { kind: 'Cluster', name: 'same', action: 'unchanged', changes: [] },
  ],
  warnings: ['policy hardened-workloads: privileged'],
};

describe('formatPlan', () => {
  it('lists every object with its field changes and a summary, without colour off a terminal', () => {
    expect(formatPlan(plan, false)).toBe(
      [
        '~ workload.truststram.io/api (namespace team-a) will be changed',
        '    ~ spec.replicas: 3 → 5',
        '    + metadata.labels.tier: "0"',
        '+ workload.truststram.io/new (namespace team-a) will be created',
        '- cluster.truststram.io/old will be deleted',
        '  cluster.truststram.io/same unchanged',
        'warning: policy hardened-workloads: privileged',
        '',
        'Plan: 1 to create, 1 to change, 1 to delete, 1 unchanged. Nothing was changed.',
        '',
      ].join('\n'),
    );
  });

  it('colours the markers on a terminal', () => {
    const out = formatPlan(plan, true);
    expect(out).toContain('\u001b[33m~\u001b[0m workload.truststram.io/api');
    expect(out).toContain('\u001b[31m-\u001b[0m cluster.truststram.io/old');
  });
});
