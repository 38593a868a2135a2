// What the views derive from API objects: cluster health and utilisation, workload health,
// region coordinates. Kept free of rendering so the rules are in one place.
import type { K8sObject } from './api';
import { usePoll } from './live';

export interface RegionInfo {
  provider: string;
  name: string;
  location: string;
  country: string;
  jurisdiction: string;
  lat: number;
  lon: number;
}

/** The region catalog, fetched once: `provider/region` → region. */
export function useRegions(): Map<string, RegionInfo> {
  const p = usePoll<{ items: RegionInfo[] }>('/api/v1alpha1/regions', 0);
  return new Map((p.data?.items ?? []).map((r) => [`${r.provider}/${r.name}`, r]));
}

export const PROVIDERS = ['aws', 'azure', 'gcp', 'onprem'] as const;
export const PROVIDER_LABEL: Record<string, string> = { aws: 'AWS', azure: 'Azure', gcp: 'Google Cloud', onprem: 'On-prem' };

export const clusterPhase = (c: K8sObject): string => (c.status?.phase as string | undefined) ?? 'Pending';
export const clusterReady = (c: K8sObject) => clusterPhase(c) === 'Ready';

/** Allocated share of allocatable CPU and memory (0..1), and observed usage. */
export function utilisation(c: K8sObject): { cpu: number; memory: number; usageCpu: number } {
  const a = c.status?.allocatable ?? {};
  const used = c.status?.allocated ?? {};
  const usage = c.status?.usage ?? {};
  const ratio = (x: unknown, y: unknown) => (typeof x === 'number' && typeof y === 'number' && y > 0 ? x / y : 0);
  return { cpu: ratio(used.cpu, a.cpu), memory: ratio(used.memory, a.memory), usageCpu: ratio(usage.cpu, a.cpu) };
}

export type Health = 'healthy' | 'degraded' | 'progressing' | 'pending';

export function condition(o: K8sObject, type: string): { status: string; reason?: string; message?: string } | undefined {
  return (o.status?.conditions as { type: string; status: string; reason?: string; message?: string }[] | undefined)?.find((c) => c.type === type);
}

/** Healthy: every desired replica ready and not Degraded. */
export function workloadHealth(w: K8sObject): Health {
  if (!w.status) return 'pending';
  if (condition(w, 'Degraded')?.status === 'True') return 'degraded';
  const desired = (w.status.desiredReplicas as number | undefined) ?? (w.spec?.replicas as number);
  const ready = (w.status.readyReplicas as number | undefined) ?? 0;
  if (ready >= desired && desired > 0) return 'healthy';
  return ready === 0 && desired > 0 && (w.status.clusters?.length ?? 0) === 0 ? 'pending' : 'progressing';
}

export const healthTone = (h: Health) => (h === 'healthy' ? 'ok' : h === 'degraded' ? 'bad' : h === 'progressing' ? 'warn' : 'muted');

/** `{cluster, replicas, readyReplicas}` per cluster the workload runs on. */
export function replicasByCluster(w: K8sObject): Map<string, { replicas: number; ready: number }> {
  const out = new Map<string, { replicas: number; ready: number }>();
  for (const c of (w.status?.clusters ?? []) as { cluster: string; replicas: number; readyReplicas: number }[]) out.set(c.cluster, { replicas: c.replicas, ready: c.readyReplicas });
  return out;
}

export const wlKey = (w: K8sObject) => `${w.metadata.namespace}/${w.metadata.name}`;

/** Residency of a workload as a list (`eu`, or `['eu','uk']`), empty when unrestricted. */
export function residencyOf(w: K8sObject): string[] {
  const r = w.spec?.placement?.residency as string | string[] | undefined;
  return r === undefined ? [] : Array.isArray(r) ? r : [r];
}
