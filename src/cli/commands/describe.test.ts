import { describe, expect, it } from 'vitest';
import type { ApiObject } from '../../api/index.js';
import { formatDescribe } from './describe.js';

describe('formatDescribe', () => {
  it('lists events oldest first whatever order the API returned them in', () => {
    const now = Date.parse('2026-11-22T12:10:00Z');
    const w = { apiVersion: 'truststram.io/v1alpha1', kind: 'Workload', metadata: { name: 'api', namespace: 'shop' }, spec: {} } as ApiObject;
    const ev = (name: string, last: string, reason: string) => ({ metadata: { name }, spec: { lastTimestamp: last, type: 'Normal', reason, message: reason } });
    const out = formatDescribe(w, [ev('a', '2026-11-22T12:08:00Z', 'Second'), ev('b', '2026-11-22T12:09:30Z', 'Third'), ev('c', '2026-11-22T12:00:00Z', 'First')], [], now);
    const order = ['First', 'Second', 'Third'].map((r) => out.indexOf(r));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });
});
