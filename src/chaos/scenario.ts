// GameDay scenarios: a YAML document saying what load to drive through the gateway and which
// targets to fail and restore when. Validated once here (file and field in every error), so
// the runner only sees complete values in milliseconds.
import { readFile } from 'node:fs/promises';
import { LineCounter, parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { API_VERSION, NotFoundError, ValidationError, type Cause, type Cluster } from '../api/index.js';
import { toJsChecked } from '../api/yaml-aliases.js';
import { resolveTarget, type FaultKind } from './faults.js';

/** `500ms`, `3s`, `1.5m`, or a bare number of seconds. */
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m)?$/;
const duration = z.union([z.number().nonnegative(), z.string().regex(DURATION, 'expected a duration such as 500ms, 3s or 1m')]);
const target = z
  .strictObject({ cluster: z.string().min(1).optional(), region: z.string().min(1).optional(), provider: z.string().min(1).optional() })
  .refine((t) => Object.keys(t).length === 1, { message: 'name exactly one of cluster, region or provider' });
const step = z
  .strictObject({
    at: duration,
    fail: target.optional(),
    restore: target.optional(),
    /** This fault may hit no replica and no routed request (e.g. a re-fault after failover) without failing the run. */
    allowUnaffected: z.boolean().optional(),
  })
  .refine((s) => (s.fail ? 1 : 0) + (s.restore ? 1 : 0) === 1, { message: 'each step either fails or restores one target' })
  .refine((s) => !(s.restore && s.allowUnaffected !== undefined), { message: 'allowUnaffected applies to fail steps only', path: ['allowUnaffected'] });

const scenarioSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('GameDay'),
  metadata: z.strictObject({ name: z.string().min(1), description: z.string().optional() }),
  spec: z.strictObject({
    load: z
      .strictObject({
        /** Requests per second, open loop (sent on schedule whatever the answers do). */
        rate: z.number().positive().max(50_000).default(200),
        duration: duration.default('20s'),
        /** Host headers to spread the load over; default every workload with `traffic.host`. */
        hosts: z.array(z.string().min(1)).min(1).optional(),
        path: z.string().startsWith('/').default('/'),
        connections: z.number().int().positive().max(4096).default(128),
        timeout: duration.default('5s'),
      })
      .prefault({}),
    /** Before the load starts, every workload must have all its replicas ready (or this passes). */
    waitReady: duration.default('90s'),
    /** After the load ends, how long to keep watching for capacity to come back. */
    recoveryTimeout: duration.default('30s'),
    timeline: z.array(step).min(1),
    /** Targets: a report that misses one fails the run (exit code 1). */
    expect: z
      .strictObject({
        failedRequests: z.number().int().nonnegative().optional(),
        trafficRecoveredMs: z.number().nonnegative().optional(),
        capacityRestoredMs: z.number().nonnegative().optional(),
        residencyViolations: z.number().int().nonnegative().optional(),
        /** Workloads moved back onto a cluster this run failed (sampled placements), e.g. 0 for a flapping cluster. */
        failbacks: z.number().int().nonnegative().optional(),
        /** Workloads expected to end Degraded (`ns/name`), e.g. EU workloads when EU capacity is gone. */
        degraded: z.array(z.string()).optional(),
      })
      .optional(),
  }),
});

export interface ScenarioStep {
  atMs: number;
  action: 'fail' | 'restore';
  target: { kind: FaultKind; name: string };
  /** Where the target is named in the file (`spec.timeline.2.fail.provider`), for errors. */
  field: string;
  /** A fault that hits nothing does not fail the run (fail steps only). */
  allowUnaffected: boolean;
}

/** A validated scenario with every duration in milliseconds. */
export interface Scenario {
  /** The file it was read from, for errors. */
  file: string;
  name: string;
  description: string | undefined;
  load: { rate: number; durationMs: number; hosts: string[] | undefined; path: string; connections: number; timeoutMs: number };
  waitReadyMs: number;
  recoveryTimeoutMs: number;
  timeline: ScenarioStep[];
  expect: z.infer<typeof scenarioSchema>['spec']['expect'];
}

export function toMs(v: number | string): number {
  if (typeof v === 'number') return v * 1000;
  const m = DURATION.exec(v)!;
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
}

/** Validates one parsed document; errors name `file` and the field path. */
export function parseScenario(doc: unknown, file = '<scenario>'): Scenario {
  const r = scenarioSchema.safeParse(doc);
  if (!r.success) {
    const causes = r.error.issues.map((i) => ({ file, field: i.path.map(String).join('.') || '(document)', message: i.message }));
    throw new ValidationError(`${file}: invalid GameDay scenario: ${causes.map((c) => `${c.field}: ${c.message}`).join('; ')}`, causes);
  }
  const s = r.data;
  const timeline = s.spec.timeline
    .map((t, i): ScenarioStep => {
      const body = (t.fail ?? t.restore)!;
      const kind = Object.keys(body)[0] as FaultKind;
      const action = t.fail ? 'fail' : 'restore';
      return { atMs: toMs(t.at), action, target: { kind, name: body[kind]! }, field: `spec.timeline.${i}.${action}.${kind}`, allowUnaffected: t.allowUnaffected ?? false };
    })
    .sort((a, b) => a.atMs - b.atMs);
  const load = { rate: s.spec.load.rate, durationMs: toMs(s.spec.load.duration), hosts: s.spec.load.hosts, path: s.spec.load.path, connections: s.spec.load.connections, timeoutMs: toMs(s.spec.load.timeout) };
  const late = timeline.findIndex((t) => t.atMs >= load.durationMs);
  if (late >= 0) throw new ValidationError(`${file}: spec.timeline.${late}.at is not before the end of the load (${load.durationMs} ms)`, [{ file, field: `spec.timeline.${late}.at`, message: `must be before spec.load.duration (${load.durationMs} ms)` }]);
  return { file, name: s.metadata.name, description: s.metadata.description, load, waitReadyMs: toMs(s.spec.waitReady), recoveryTimeoutMs: toMs(s.spec.recoveryTimeout), timeline, expect: s.spec.expect };
}

// Words for the OS codes a mistyped path produces; any other code is shown as it is.
const OS_REASONS: Record<string, string> = { ENOENT: 'no such file or directory', EACCES: 'permission denied', EISDIR: 'it is a directory', ENOTDIR: 'a part of the path is not a directory' };

/** Reads and validates a scenario file (YAML or JSON, one document). */
export async function loadScenario(file: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code ? `${OS_REASONS[code] ?? 'the OS refused'} (${code})` : (err as Error).message;
    throw new ValidationError(`${file}: cannot read the scenario file: ${why}`, [{ file, field: '', message: `cannot read the scenario file: ${why}` }]);
  }
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines });
  const errors = docs.flatMap((d) => d.errors);
  if (errors.length) throw new ValidationError(`${file}: not valid YAML: ${errors[0]!.message}`, [{ file, field: '', message: errors[0]!.message }]);
  const values: unknown[] = [];
  docs.forEach((d, document) => {
    const expanded = toJsChecked(d, lines);
    if ('problems' in expanded) throw new ValidationError(`${file}: document ${document}: ${expanded.problems[0]}`, expanded.problems.map((message) => ({ file, document, field: '', message })));
    if (expanded.value !== null && expanded.value !== undefined) values.push(expanded.value);
  });
  if (values.length !== 1) throw new ValidationError(`${file}: expected exactly one GameDay document, found ${values.length}`, [{ file, field: '', message: 'one document per scenario file' }]);
  return parseScenario(values[0], file);
}

/**
 * Checks every target of the timeline against the fleet before anything starts, so a typo
 * (`provider: aww`) is one error naming the file, the step and the field — not a fault that
 * fails mid-run with the load already flowing. A restore of something no earlier step failed
 * (the chaos API would answer 404 mid-run) is refused with it, so one error lists both.
 */
export function checkTargets(s: Scenario, clusters: readonly Cluster[]): void {
  const causes: (Cause & { step: number })[] = [];
  const inForce: string[] = [];
  for (const t of s.timeline) {
    const id = `${t.target.kind} ${t.target.name}`;
    if (t.action === 'fail') inForce.push(id);
    else if (inForce.includes(id)) inForce.splice(inForce.indexOf(id), 1);
    else causes.push({ step: stepOf(t), file: s.file, field: t.field, message: `restores ${id}, which no earlier step of the timeline fails` });
  }
  const known = (kind: FaultKind) => [...new Set(clusters.map((c) => (kind === 'cluster' ? c.metadata.name : kind === 'region' ? c.spec.region : c.spec.provider)))].sort();
  for (const t of s.timeline) {
    try {
      resolveTarget(t.target, clusters);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      const names = known(t.target.kind);
      causes.push({ step: stepOf(t), file: s.file, field: t.field, message: `no cluster matches ${t.target.kind} "${t.target.name}" (the fleet has ${names.length ? `${t.target.kind === 'cluster' ? 'clusters' : `${t.target.kind}s`} ${names.join(', ')}` : 'no clusters'})` });
    }
  }
  if (!causes.length) return;
  const sorted = causes.sort((a, b) => a.step - b.step).map(({ step: _, ...c }) => c);
  throw new ValidationError(`${s.file}: ${sorted.map((c) => `${c.field}: ${c.message}`).join('; ')}`, sorted);
}

const stepOf = (t: ScenarioStep) => Number(t.field.split('.')[2]);
