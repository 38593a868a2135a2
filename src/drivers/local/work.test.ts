import { describe, expect, it } from 'vitest';
import type { Placement, Workload } from '../../api/index.js';
import { clusterAllocatable, deriveClusterWork } from './work.js';

const workload = (name: string, extra: Partial<Workload['spec']> = {}) =>
  ({
    apiVersion: 'truststram.io/v1alpha1',
    kind: 'Workload',
    metadata: { name, namespace: 'shop', generation: 4 },
    spec: { image: 'echo', command: ['node', 'echo.mjs'], replicas: 3, resources: { cpu: '250m', memory: '128Mi' }, ...extra },
  }) as unknown as Workload;

const placement = (name: string, clusters: { cluster: string; replicas: number }[]) =>
  ({ apiVersion: 'truststram.io/v1alpha1', kind: 'Placement', metadata: { name, namespace: 'shop' }, spec: { workload: name, generation: 4, clusters, costPerHour: 0 } }) as Placement;

describe('deriveClusterWork', () => {
  it('takes this cluster’s replica count and the workload’s parsed template', () => {
    const work = deriveClusterWork(
      'eu-1',
      [placement('api', [{ cluster: 'eu-1', replicas: 2 }, { cluster: 'eu-2', replicas: 1 }])],
      new Map([['shop/api', workload('api', { env: [{ name: 'MODE', value: 'x' }], healthCheck: { path: '/ready', interval: '2s', timeout: '250ms', failureThreshold: 2, successThreshold: 1 } })]]),
      false,
    );
    expect(work).toEqual([
      {
        workload: { namespace: 'shop', name: 'api' },
        generation: 4,
        replicas: 2,
        image: 'echo',
        command: ['node', 'echo.mjs'],
        env: { MODE: 'x' },
        ports: [],
        healthCheck: { path: '/ready', intervalMs: 2000, timeoutMs: 250, failureThreshold: 2, successThreshold: 1 },
        resources: { cpu: 0.25, memory: 128 * 2 ** 20 },
        simulated: false,
      },
    ]);
  });

  it('yields nothing for other clusters, zero replicas, or an unknown workload', () => {
    const wl = new Map([['shop/api', workload('api')]]);
    expect(deriveClusterWork('us-1', [placement('api', [{ cluster: 'eu-1', replicas: 2 }])], wl, false)).toEqual([]);
    expect(deriveClusterWork('eu-1', [placement('api', [{ cluster: 'eu-1', replicas: 0 }])], wl, false)).toEqual([]);
    expect(deriveClusterWork('eu-1', [placement('gone', [{ cluster: 'eu-1', replicas: 1 }])], wl, false)).toEqual([]);
  });

  it('runs everything simulated on a simulated cluster', () => {
    const [w] = deriveClusterWork('eu-1', [placement('api', [{ cluster: 'eu-1', replicas: 1 }])], new Map([['shop/api', workload('api')]]), true);
    expect(w!.simulated).toBe(true);
  });

  it('reads allocatable from the cluster capacity', () => {
    expect(clusterAllocatable({ spec: { capacity: { cpu: '8', memory: '32Gi' } } } as never)).toEqual({ cpu: 8, memory: 32 * 2 ** 30, pods: 110 });
  });
});
