// Per-kind table columns for `get`, as kubectl's printers: what a platform engineer scans
// for first, with `-o wide` adding the second tier. Unknown or missing values print `<none>`.
import type { ApiObject } from '../api/index.js';
import { formatAge, formatLabels } from './output.js';

/** Looks up an instance type's size (from the price catalog), to size node-pool clusters. */
export type InstanceSizer = (provider: string, region: string, instanceType: string) => { vcpu: number; memoryGiB: number } | undefined;

export interface Column {
  header: string;
  value: (o: any, now: number, sizer?: InstanceSizer) => string;
  /** Only in `-o wide`. */
  wide?: boolean;
  /** Only when listing several namespaces. */
  namespaceColumn?: boolean;
}

const none = (v: unknown): string => (v === undefined || v === null || v === '' ? '<none>' : String(v));
const age: Column = { header: 'AGE', value: (o: ApiObject, now) => formatAge(o.metadata.creationTimestamp, now) };
const name: Column = { header: 'NAME', value: (o: ApiObject) => o.metadata.name };
const namespace: Column = { header: 'NAMESPACE', value: (o: ApiObject) => none(o.metadata.namespace), namespaceColumn: true };
const labels: Column = { header: 'LABELS', value: (o: ApiObject) => formatLabels(o.metadata.labels), wide: true };

const clusterCapacity = (o: any, what: 'cpu' | 'memory', sizer?: InstanceSizer): string => {
  const alloc = o.status?.allocatable?.[what];
  if (alloc !== undefined) return what === 'cpu' ? String(alloc) : formatMemory(alloc);
  if (o.spec?.capacity?.[what] !== undefined) return String(o.spec.capacity[what]);
  const pools = (o.spec?.nodePools ?? []) as { count: number; instanceType: string }[];
  if (!pools.length) return '<none>';
  // Node pools: sum the instance sizes when the catalog knows them all, else count nodes.
  const sizes = pools.map((p) => sizer?.(o.spec.provider, o.spec.region, p.instanceType));
  if (sizes.every((x) => x !== undefined)) {
    const total = pools.reduce((n, p, i) => n + p.count * (what === 'cpu' ? sizes[i]!.vcpu : sizes[i]!.memoryGiB), 0);
    return what === 'cpu' ? String(total) : `${total}Gi`;
  }
  return `${pools.reduce((n, p) => n + p.count, 0)} nodes`;
};

function formatMemory(bytes: unknown): string {
  if (typeof bytes !== 'number') return none(bytes);
  const gi = bytes / 2 ** 30;
  return gi >= 1 ? `${+gi.toFixed(1)}Gi` : `${Math.round(bytes / 2 ** 20)}Mi`;
}

const residencyOf = (o: any): string => {
  const r = o.spec?.placement?.residency;
  return Array.isArray(r) ? r.join(',') : none(r);
};

const COLUMNS: Record<string, Column[]> = {
  Cluster: [
    name,
    { header: 'PROVIDER', value: (o) => none(o.spec?.provider) },
    { header: 'REGION', value: (o) => none(o.spec?.region) },
    { header: 'RESIDENCY', value: (o) => none(o.spec?.residency) },
    { header: 'STATUS', value: (o) => (o.spec?.unschedulable ? `${o.status?.phase ?? 'Unknown'},SchedulingDisabled` : (o.status?.phase ?? 'Unknown')) },
    { header: 'CPU', value: (o, _now, sizer) => clusterCapacity(o, 'cpu', sizer) },
    { header: 'MEMORY', value: (o, _now, sizer) => clusterCapacity(o, 'memory', sizer) },
    age,
    { header: 'ZONES', value: (o) => (o.spec?.zones?.length ? o.spec.zones.join(',') : '<none>'), wide: true },
    { header: 'DRIVER', value: (o) => none(o.spec?.driver?.type), wide: true },
    { header: 'PRICING', value: (o) => (o.spec?.pricing ? `$${o.spec.pricing.cpuHour}/cpu-h $${o.spec.pricing.memoryGiBHour}/GiB-h` : 'catalog'), wide: true },
    labels,
  ],
  Workload: [
    namespace,
    name,
    { header: 'REPLICAS', value: (o) => none(o.spec?.replicas) },
    { header: 'READY', value: (o) => String(o.status?.readyReplicas ?? 0) },
    { header: 'RESIDENCY', value: (o) => residencyOf(o) },
    age,
    { header: 'PRIORITY', value: (o) => none(o.spec?.priority), wide: true },
    { header: 'CPU', value: (o) => none(o.spec?.resources?.cpu), wide: true },
    { header: 'MEMORY', value: (o) => none(o.spec?.resources?.memory), wide: true },
    { header: 'IMAGE', value: (o) => none(o.spec?.image), wide: true },
    labels,
  ],
  Policy: [
    name,
    { header: 'ENFORCEMENT', value: (o) => none(o.spec?.enforcement) },
    { header: 'STAGE', value: (o) => none(o.spec?.stage) },
    { header: 'RULES', value: (o) => String(o.spec?.rules?.length ?? 0) },
    age,
    { header: 'KINDS', value: (o) => (o.spec?.match?.kinds?.length ? o.spec.match.kinds.join(',') : '*'), wide: true },
    labels,
  ],
  Budget: [
    name,
    { header: 'SCOPE', value: (o) => scopeOf(o.spec?.scope) },
    { header: 'MONTHLY-LIMIT', value: (o) => (o.spec?.monthlyLimit !== undefined ? `$${o.spec.monthlyLimit}` : '<none>') },
    { header: 'ACTION', value: (o) => none(o.spec?.action) },
    age,
    { header: 'THRESHOLDS', value: (o) => (o.spec?.alerts?.thresholds ?? []).map((t: number) => `${t}%`).join(',') || '<none>', wide: true },
    labels,
  ],
  Placement: [
    namespace,
    name,
    { header: 'CLUSTERS', value: (o) => (o.spec?.clusters ?? []).map((c: { cluster: string; replicas: number }) => `${c.cluster}=${c.replicas}`).join(',') || '<none>' },
    { header: 'COST/H', value: (o) => (typeof o.spec?.costPerHour === 'number' ? `$${o.spec.costPerHour.toFixed(4)}` : '<none>') },
    age,
    { header: 'GENERATION', value: (o) => none(o.spec?.generation), wide: true },
    { header: 'UNSCHEDULABLE', value: (o) => none(o.spec?.unschedulable?.reason), wide: true },
  ],
  Event: [
    namespace,
    { header: 'LAST SEEN', value: (o, now) => formatAge(o.spec?.lastTimestamp ?? o.metadata?.creationTimestamp, now) },
    { header: 'TYPE', value: (o) => none(o.spec?.type) },
    { header: 'REASON', value: (o) => none(o.spec?.reason) },
    { header: 'OBJECT', value: (o) => (o.spec?.involvedObject ? `${o.spec.involvedObject.kind.toLowerCase()}/${o.spec.involvedObject.name}` : '<none>') },
    { header: 'MESSAGE', value: (o) => none(o.spec?.message) },
  ],
};

function scopeOf(scope: Record<string, string> | undefined): string {
  const e = Object.entries(scope ?? {});
  return e.length ? e.map(([k, v]) => `${k}=${v}`).join(',') : 'all';
}

/** The columns to print for a kind in a format, with or without the NAMESPACE column. */
export function columnsFor(kind: string, wide: boolean, allNamespaces: boolean): Column[] {
  const cols = COLUMNS[kind] ?? [namespace, name, age];
  return cols.filter((c) => (wide || !c.wide) && (allNamespaces || !c.namespaceColumn));
}

/** Renders objects into table rows. */
export function rowsFor(objects: unknown[], cols: Column[], now: number = Date.now(), sizer?: InstanceSizer): string[][] {
  return objects.map((o) => cols.map((c) => c.value(o, now, sizer)));
}
