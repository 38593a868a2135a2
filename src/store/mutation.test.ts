import { describe, it, expect } from 'vitest';
import { AlreadyExistsError, ConflictError, NotFoundError, ValidationError, type ApiObject } from '../api/index.js';
import { planMutation, refOf, stampRevision } from './mutation.js';
import { obj } from './testing/fixtures.js';

const env = { now: '2026-01-01T00:00:00.000Z', newUid: () => 'uid-1' };
const stored: ApiObject = stampRevision(
  {
    apiVersion: 'truststram.io/v1alpha1',
    kind: 'Workload',
    metadata: { name: 'api', namespace: 'p', uid: 'uid-0', generation: 3, creationTimestamp: '2025-01-01T00:00:00.000Z', labels: { a: '1' } },
    spec: { replicas: 2 },
    status: { ready: 2 },
  },
  7,
);

describe('planMutation', () => {
  it('creates with server-owned metadata and drops input status, uid and deletionTimestamp', () => {
    const input = obj('Workload', 'api', 'p', { spec: { replicas: 1 }, status: { ready: 5 } });
    input.metadata = { ...input.metadata, uid: 'forged', generation: 9, deletionTimestamp: 'x', resourceVersion: '3' };
    const p = planMutation({ verb: 'create', object: input }, undefined, env);
    expect(p).toMatchObject({ outcome: 'created', type: 'ADDED' });
    expect(p.after).toEqual({
      apiVersion: 'truststram.io/v1alpha1',
      kind: 'Workload',
      metadata: { name: 'api', namespace: 'p', uid: 'uid-1', generation: 1, creationTimestamp: env.now },
      spec: { replicas: 1 },
    });
  });

  it('bumps generation only for spec changes and keeps uid, creationTimestamp and status', () => {
    const labelsOnly = planMutation({ verb: 'upsert', object: obj('Workload', 'api', 'p', { labels: { a: '2' }, spec: { replicas: 2 } }) }, stored, env);
    expect(labelsOnly.outcome).toBe('configured');
    expect(labelsOnly.after!.metadata).toMatchObject({ uid: 'uid-0', generation: 3, creationTimestamp: '2025-01-01T00:00:00.000Z', labels: { a: '2' } });
    expect(labelsOnly.after!.status).toEqual({ ready: 2 });
    const spec = planMutation({ verb: 'update', object: obj('Workload', 'api', 'p', { labels: { a: '1' }, spec: { replicas: 4 } }) }, stored, env);
    expect(spec.after!.metadata.generation).toBe(4);
  });

  it('updates only status through updateStatus and reports identical writes as unchanged', () => {
    const s = planMutation({ verb: 'updateStatus', object: { ...stored, spec: { replicas: 100 }, status: { ready: 1 } } }, stored, env);
    expect(s.after).toMatchObject({ spec: { replicas: 2 }, status: { ready: 1 }, metadata: { generation: 3 } });
    expect(planMutation({ verb: 'updateStatus', object: stored }, stored, env)).toEqual({ ref: { kind: 'Workload', namespace: 'p', name: 'api' }, outcome: 'unchanged', before: stored });
    expect(planMutation({ verb: 'upsert', object: obj('Workload', 'api', 'p', { labels: { a: '1' }, spec: { replicas: 2 } }) }, stored, env).outcome).toBe('unchanged');
  });

  it('checks the expected resourceVersion, explicit or from the input metadata', () => {
    const stale = { ...stored, metadata: { ...stored.metadata, resourceVersion: '6' } };
    expect(() => planMutation({ verb: 'update', object: stale }, stored, env)).toThrow(ConflictError);
    expect(() => planMutation({ verb: 'delete', ref: { kind: 'Workload', namespace: 'p', name: 'api' }, expectedResourceVersion: '6' }, stored, env)).toThrow(
      /expected resourceVersion 6, found 7/,
    );
    expect(planMutation({ verb: 'update', object: stored, expectedResourceVersion: '7' }, stored, env).outcome).toBe('unchanged');
    let err: unknown;
    try {
      planMutation({ verb: 'upsert', object: stale }, stored, env);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).causes[0]).toMatchObject({ field: 'metadata.resourceVersion', object: 'Workload/p/api' });
  });

  it('maps verbs to AlreadyExists and NotFound', () => {
    expect(() => planMutation({ verb: 'create', object: stored }, stored, env)).toThrow(AlreadyExistsError);
    for (const verb of ['update', 'updateStatus'] as const) expect(() => planMutation({ verb, object: stored }, undefined, env)).toThrow(NotFoundError);
    expect(() => planMutation({ verb: 'delete', ref: { kind: 'Cluster', name: 'x' } }, undefined, env)).toThrow(/Cluster\/x not found/);
  });

  it('rejects values JSON cannot store, naming the field', () => {
    expect(() => planMutation({ verb: 'create', object: obj('Cluster', 'c', undefined, { spec: { cpu: Number.POSITIVE_INFINITY } }) }, undefined, env)).toThrow(
      /Cluster\/c: spec\.cpu is not a finite number/,
    );
  });

  it('requires a kind and a name, and treats an empty namespace as none', () => {
    expect(() => refOf({ verb: 'create', object: { apiVersion: 'v', kind: 'Cluster', metadata: { name: '' } } })).toThrow(ValidationError);
    expect(refOf({ verb: 'delete', ref: { kind: 'Cluster', namespace: '', name: 'c' } })).toEqual({ kind: 'Cluster', name: 'c' });
  });
});
