import { readdir, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ValidationError, type Cluster } from '../api/index.js';
import { checkTargets, loadScenario, parseScenario, toMs } from './scenario.js';

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
    expect(p.timeline[0]).toEqual({ atMs: 3000, action: 'fail', target: { kind: 'provider', name: 'aws' }, field: 'spec.timeline.0.fail.provider', allowUnaffected: false });
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
    const allowOnRestore = causesOf(() => parseScenario({ ...base, spec: { timeline: [{ at: '1s', fail: { cluster: 'a' } }, { at: '2s', restore: { cluster: 'a' }, allowUnaffected: true }] } }, 'x.yaml'));
    expect(allowOnRestore[0]!.field).toBe('spec.timeline.1.allowUnaffected');
    const allowNotBool = causesOf(() => parseScenario({ ...base, spec: { timeline: [{ at: '1s', fail: { cluster: 'a' }, allowUnaffected: 'yes' }] } }, 'x.yaml'));
    expect(allowNotBool[0]!.field).toBe('spec.timeline.0.allowUnaffected');
    expect(parseScenario({ ...base, spec: { timeline: [{ at: '1s', fail: { cluster: 'a' }, allowUnaffected: true }] } }).timeline[0]!.allowUnaffected).toBe(true);
    const late = causesOf(() => parseScenario({ ...base, spec: { load: { duration: '5s' }, timeline: [{ at: '6s', fail: { provider: 'aws' } }] } }, 'x.yaml'));
    expect(late[0]!.field).toBe('spec.timeline.0.at');
  });

  it('refuses files that are not one GameDay document', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gameday-'));
    try {
      await writeFile(join(dir, 'two.yaml'), 'a: 1\n---\nb: 2\n');
      await expect(loadScenario(join(dir, 'two.yaml'))).rejects.toThrow(/exactly one GameDay document/);
      const missing = join(dir, 'missing.yaml');
      const err = (await loadScenario(missing).catch((e: unknown) => e)) as ValidationError;
      expect(err).toBeInstanceOf(ValidationError);
      // The CLI prints the causes: the one cause names the file and the OS reason.
      expect(err.causes).toEqual([{ file: missing, field: '', message: 'cannot read the scenario file: no such file or directory (ENOENT)' }]);
      expect((await loadScenario(dir).catch((e: unknown) => e)) as ValidationError).toMatchObject({ causes: [{ message: 'cannot read the scenario file: it is a directory (EISDIR)' }] });
      await writeFile(join(dir, 'kind.yaml'), 'apiVersion: truststram.io/v1alpha1\nkind: Workload\nmetadata: {name: x}\nspec: {}\n');
      await expect(loadScenario(join(dir, 'kind.yaml'))).rejects.toThrow(/kind\.yaml: invalid GameDay scenario: kind/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('checkTargets', () => {
  const cluster = (name: string, provider: string, region: string) => ({ apiVersion: 'truststram.io/v1alpha1', kind: 'Cluster', metadata: { name }, spec: { provider, region } }) as unknown as Cluster;
  const fleet = [cluster('aws-eu', 'aws', 'eu-west-1'), cluster('gcp-us', 'gcp', 'us-central1')];
  const scenario = (timeline: unknown[]) => parseScenario({ ...base, spec: { timeline } }, 'p.gameday');

  it('accepts targets that match a cluster of the fleet', () => {
    expect(() => checkTargets(scenario([{ at: '1s', fail: { provider: 'aws' } }, { at: '2s', fail: { region: 'us-central1' } }, { at: '3s', restore: { provider: 'aws' } }]), fleet)).not.toThrow();
  });

  it('names the file, the step and the field of every target that matches nothing, with what the fleet has', () => {
    const causes = causesOf(() => checkTargets(scenario([{ at: '1s', fail: { cluster: 'aws-eu' } }, { at: '3s', fail: { provider: 'aww' } }, { at: '4s', restore: { provider: 'aww' } }]), fleet));
    expect(causes).toEqual([
      { file: 'p.gameday', field: 'spec.timeline.1.fail.provider', message: 'no cluster matches provider "aww" (the fleet has providers aws, gcp)' },
      { file: 'p.gameday', field: 'spec.timeline.2.restore.provider', message: 'no cluster matches provider "aww" (the fleet has providers aws, gcp)' },
    ]);
    expect(causesOf(() => checkTargets(scenario([{ at: '1s', fail: { cluster: 'x' } }]), []))[0]!.message).toMatch(/the fleet has no clusters/);
  });

  it('refuses a restore of what no earlier step failed (a 404 mid-run otherwise), naming the step as written', () => {
    // Written out of order: the error names the step as the file has it, not as sorted by time.
    const orphan = causesOf(() => checkTargets(scenario([{ at: '3s', restore: { cluster: 'aws-eu' } }, { at: '1s', fail: { cluster: 'gcp-us' } }]), fleet));
    expect(orphan).toEqual([{ file: 'p.gameday', field: 'spec.timeline.0.restore.cluster', message: 'restores cluster aws-eu, which no earlier step of the timeline fails' }]);
    const twice = causesOf(() => checkTargets(scenario([{ at: '1s', fail: { cluster: 'aws-eu' } }, { at: '2s', restore: { cluster: 'aws-eu' } }, { at: '3s', restore: { cluster: 'aws-eu' } }]), fleet));
    expect(twice.map((c) => c.field)).toEqual(['spec.timeline.2.restore.cluster']);
    // The walkthrough's typo: the fail names a provider the fleet lacks, so its restore restores nothing.
    const typo = causesOf(() => checkTargets(scenario([{ at: '3s', fail: { provider: 'aww' } }, { at: '14s', restore: { provider: 'aws' } }]), fleet));
    expect(typo.map((c) => c.field)).toEqual(['spec.timeline.0.fail.provider', 'spec.timeline.1.restore.provider']);
  });
});
