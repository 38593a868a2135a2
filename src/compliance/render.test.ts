import { describe, expect, it } from 'vitest';
import { renderReportHtml } from './render-html.js';
import { renderReportText } from './render-text.js';
import type { ComplianceReportDoc } from './types.js';

const doc: ComplianceReportDoc = {
  apiVersion: 'truststram.io/v1alpha1',
  kind: 'ComplianceReport',
  generatedAt: '2026-11-21T12:00:00.000Z',
  resourceVersion: '42',
  summary: { policies: 1, pass: 1, fail: 1, warn: 0, audit: 0, violatingObjects: 1, residencyCrossings: 1, auditChainOk: true, failovers: 1 },
  policies: {
    evaluatedAt: '2026-11-21T12:00:00.000Z',
    objects: 2,
    placedPairs: 0,
    policies: [{ policy: 'sinks-in-residency', enforcement: 'audit', stage: 'admission', matched: 2, pass: 1, fail: 1, warn: 0, audit: 0, errors: 0, violations: [{ policy: 'sinks-in-residency', rule: 'r', enforcement: 'audit', message: 'sink <script>alert(1)</script> outside', object: 'Workload/shop/api', field: 'spec.sinks' }] }],
    violatingObjects: ['Workload/shop/api'],
  },
  residency: {
    workloads: [{ workload: 'shop/api', residency: ['eu'], replicas: [{ type: 'replica', target: 'eu-1', cluster: 'eu-1', amount: 2, jurisdiction: 'eu', inside: true }], routes: [], sinks: [{ type: 'sink', target: 'https://logs.us.example', detail: 'logs', jurisdiction: 'us', inside: false }] }],
    crossings: [{ workload: 'shop/api', type: 'sink', target: 'https://logs.us.example', jurisdiction: 'us', residency: ['eu'], message: 'shop/api: logs sink https://logs.us.example is in us, outside its residency eu' }],
    routeSource: 'gateway',
  },
  audit: { ok: true, entries: 9, headHash: 'ab'.repeat(32), headSeq: 9 },
  failovers: { since: '2026-11-14T12:00:00.000Z', incidents: [{ cluster: 'eu-2', notReadyAt: '2026-11-21T11:00:00.000Z', workloads: [{ workload: 'shop/api', replicasLost: 2, outcome: 'FailedOver', recoveryMs: 4200 }] }], method: 'how' },
};

describe('report renderers', () => {
  it('HTML is one self-contained, escaped document with every section', () => {
    const html = renderReportHtml(doc);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<style>');
    expect(html).not.toMatch(/<script|<link|<img|src=|href=|url\(/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    for (const h of ['Policies', 'Violations', 'Residency map', 'Audit chain', 'Failover history']) expect(html).toContain(`<h2>${h}</h2>`);
    expect(html).toContain('CROSSING');
    expect(html).toContain('4.2 s');
    expect(html).toContain('@media print');
  });

  it('text names every violation, crossing, the chain head and recovery times', () => {
    const t = renderReportText(doc);
    expect(t).toContain('Residency crossings: 1. Audit chain: OK. Failovers: 1.');
    expect(t).toMatch(/sinks-in-residency\s+admission\s+audit\s+2\s+1\s+1/);
    expect(t).toContain('CROSSING: shop/api: logs sink https://logs.us.example is in us, outside its residency eu');
    expect(t).toContain(`head seq 9, head hash ${'ab'.repeat(32)}`);
    expect(t).toMatch(/eu-2\s+2026-11-21T11:00:00.000Z\s+-\s+shop\/api\s+2\s+FailedOver\s+4.2 s/);
  });
});
