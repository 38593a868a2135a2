// Compiled fixtures for plugin tests: one cluster and one workload through the real compiler.
import { compileCluster, compileWorkload } from '../model/compile.js';
import type { CompiledCluster, CompiledWorkload } from '../model/types.js';
import { cluster, workload, type ClusterOpts } from './fixtures.js';

export function cc(name: string, o: ClusterOpts = {}, index = 0): CompiledCluster {
  return compileCluster(cluster(name, o), index);
}

export function cw(placement: Record<string, unknown> = {}, replicas = 1, cpu = 1, memGiB = 1, extra: Record<string, unknown> = {}): CompiledWorkload {
  return compileWorkload(workload('w', replicas, cpu, memGiB, placement, extra), 0);
}
