import { readdir, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../api/index.js';
import { loadScenario, parseScenario, toMs } from './scenario.js';

const GAMEDAY = fileURLToPath(new URL('../../examples/gameday/', import.meta.url));
const base = { apiVersion: 'truststram.io/v1alpha1', kind: 'GameDay', metadata: { name: 's' }, spec: { timeline: [{ at: '1s', fail: { cluster: 'a' } }] } };
const causesOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).causes;
  }
  throw new Error('expected a ValidationError');
};

describe('GameDay scenarios', () => {
  it('accepts every shipped example, timelines sorted and durations in ms', async () => {
    const files = (await readdir(GAMEDAY)).filter((f) => f.endsWith('.gameday'));
    expect(files.sort()).toEqual(['cluster-outage.gameday', 'eu-region-outage.gameday', 'flapping-cluster.gameday', 'provider-outage.gameday']);
    for (const f of files) {
      const s = await loadScenario(join(GAMEDAY, f));
      expect(s.timeline.length).toBeGreaterThan(0);
      expect(s.timeline.every((t, i) => i === 0 || t.atMs >= s.timeline[i - 1]!.atMs)).toBe(true);
    }
    const p = await loadScenario(join(GAMEDAY, 'provider-outage.gameday'));
    expect(p.timeline[0]).toEqual({ atMs: 3000, action: 'fail', target: { kind: 'provider', name: 'aws' } });
    expect(p.load).toMatchObject({ rate: 200, durationMs: 20_000, path: '/' });
  });

  it('fills defaults', () => {
    const s = parseScenario(base);
    expect(s.load).toEqual({ rate: 200, durationMs: 20_000, hosts: undefined, path: '/', connections: 128, timeoutMs: 5000 });
    expect(toMs('500ms')).toBe(500);
    expect(toMs('1.5m')).toBe(90_000);
    expect(toMs(2)).toBe(2000);
  });

  it('names the file and field of every mistake', () => {
    const two = causesOf(() => parseScenario({ ...base, spec: { timeline: [{ at: '1s', fail: { cluster: 'a', region: 'b' } }] } }, 'x.yaml'));
    expect(two[0]).toMatchObject({ file: 'x.yaml', field: 'spec.timeline.0.fail' });
    const both = causesOf(() => parseScenario({ ...base, spec: { timeline: [{ at: '1s', fail: { cluster: 'a' }, restore: { cluster: 'a' } }] } }, 'x.yaml'));
    expect(both[0]!.field).toBe('spec.timeline.0');
    const dur = causesOf(() => parseScenario({ ...base, spec: { ...base.spec, load: { duration: 'soon' } } }, 'x.yaml'));
    expect(dur[0]!.field).toBe('spec.load.duration');
    const unknown = causesOf(() => parseScenario({ ...base, spec: { ...base.spec, lod: {} } }, 'x.yaml'));
    expect(unknown[0]!.field).toBe('spec');
    expect(unknown[0]!.message).toMatch(/lod/);
    const late = causesOf(() => parseScenario({ ...base, spec: { load: { duration: '5s' }, timeline: [{ at: '6s', fail: { provider: 'aws' } }] } }, 'x.yaml'));
    expect(late[0]!.field).toBe('spec.timeline.0.at');
  });

  it('refuses files that are not one GameDay document', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gameday-'));
    try {
      await writeFile(join(dir, 'two.yaml'), 'a: 1\n---\nb: 2\n');
      await expect(loadScenario(join(dir, 'two.yaml'))).rejects.toThrow(/exactly one GameDay document/);
      await expect(loadScenario(join(dir, 'missing.yaml'))).rejects.toThrow(/cannot read/);
      await writeFile(join(dir, 'kind.yaml'), 'apiVersion: truststram.io/v1alpha1\nkind: Workload\nmetadata: {name: x}\nspec: {}\n');
      await expect(loadScenario(join(dir, 'kind.yaml'))).rejects.toThrow(/kind\.yaml: invalid GameDay scenario: kind/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
