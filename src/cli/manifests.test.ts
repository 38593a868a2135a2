import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConflictError, ValidationError, type AnyObject } from '../api/index.js';
import type { ApiError } from './client.js';
import { displayName, kindArg, loadManifests, locateServerError } from './manifests.js';

describe('loadManifests', () => {
  it('keeps each object paired with its file and document index', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cli-manifests-'));
    const f = join(dir, 'w.yaml');
    const w = (n: string) => `apiVersion: truststram.io/v1alpha1\nkind: Workload\nmetadata: {name: ${n}}\nspec: {image: i}\n`;
    await writeFile(f, `${w('a')}---\n---\n${w('b')}`);
    const objs = await loadManifests([f], 'team');
    expect(objs.map((o) => [o.object.metadata.name, o.object.metadata.namespace, o.file, o.document])).toEqual([
      ['a', 'team', f, 0],
      ['b', 'team', f, 2],
    ]);
  });
});

describe('locateServerError', () => {
  it('points a conflict that names only the object at its file and document', () => {
    const obj = { apiVersion: 'truststram.io/v1alpha1', kind: 'Workload', metadata: { name: 'api', namespace: 'a' }, spec: { image: 'i' } } as unknown as AnyObject;
    const err = new ConflictError('the object has been modified') as ApiError;
    err.status = { kind: 'Status', reason: 'Conflict', code: 409, details: { kind: 'workloads', name: 'api' } };
    locateServerError(err, [{ object: obj, file: 'w.yaml', document: 4 }]);
    expect(err.causes).toEqual([{ file: 'w.yaml', document: 4, object: 'Workload/a/api', field: 'metadata.resourceVersion', message: 'the object has been modified' }]);
  });
});

describe('names', () => {
  it('prints kubectl-style names and resolves kind aliases', () => {
    expect(displayName({ kind: 'Workload', metadata: { name: 'api' } })).toBe('workload.truststram.io/api');
    expect(kindArg('wl').kind).toBe('Workload');
    expect(kindArg('Clusters').kind).toBe('Cluster');
    expect(() => kindArg('pods')).toThrow(ValidationError);
  });
});
