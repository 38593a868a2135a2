import { describe, expect, it } from 'vitest';
import { OK } from './contract.js';
import { buildPipeline, defaultRegistry, FILTER_ORDER } from './pipeline.js';
import { createRegistry } from './registry.js';

describe('plugin registry', () => {
  it('refuses a duplicate name', () => {
    const r = createRegistry();
    r.registerFilter('x', () => ({ name: 'x', filter: () => OK }));
    expect(() => r.registerFilter('x', () => ({ name: 'x', filter: () => OK }))).toThrow(/already registered/);
    expect(() => r.registerScore('x', () => ({ name: 'x', score: () => 0 }))).toThrow(/already registered/);
  });
  it('names an unknown plugin', () => {
    expect(() => createRegistry().filter('nope', {})).toThrow(/no filter plugin named "nope"/);
  });
  it('builds the default pipeline with residency first and every filter once', () => {
    const p = buildPipeline({}, defaultRegistry());
    expect(p.filters.map((f) => f.name)).toEqual([...FILTER_ORDER]);
    expect(p.filters[0]!.name).toBe('residency');
    expect(new Set(p.scorers.map((s) => s.name)).size).toBe(4);
  });
});
