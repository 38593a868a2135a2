// `truststram plan -f`: what an apply would create, change, delete or leave alone, with
// field-level diffs, like `terraform plan`. The server computes it in a rolled-back
// transaction (so policy denials and conflicts show here too, and plan and apply agree).
import type { Command } from 'commander';
import type { ApiError, Client } from '../client.js';
import { checkRequestSize, requestTooLarge } from '../request-size.js';
import type { CliContext } from '../context.js';
import { displayName, loadManifests, locateServerError, type SourcedObject } from '../manifests.js';
import { colours, toJson, toYaml } from '../output.js';
import { requireSelector } from '../selector.js';
import { collect } from './apply.js';
import { fetchVerdicts, formatVerdicts } from './compliance.js';

export const PLAN_PATH = '/api/v1alpha1/plan';

export interface PlanChange {
  path: string;
  op: 'add' | 'remove' | 'replace';
  before?: unknown;
  after?: unknown;
}

export interface PlanItem {
  kind: string;
  namespace?: string;
  name: string;
  action: 'create' | 'update' | 'delete' | 'unchanged';
  changes: PlanChange[];
  file?: string;
  document?: number;
}

export interface PlanResponse {
  summary: { create: number; update: number; delete: number; unchanged: number };
  items: PlanItem[];
  warnings?: string[];
}

/** Asks the server what applying `objects` would do; nothing is written. */
export async function computePlan(client: Client, objects: SourcedObject[], opts: { namespace?: string; pruneSelector?: string } = {}): Promise<PlanResponse> {
  const body = {
    items: objects.map((o) => o.object),
    sources: objects.map((o) => ({ file: o.file, document: o.document })),
    ...(opts.namespace ? { namespace: opts.namespace } : {}),
    ...(opts.pruneSelector ? { prune: { labelSelector: opts.pruneSelector } } : {}),
  };
  checkRequestSize(body, objects, 'plan');
  try {
    return await client.request<PlanResponse>('POST', PLAN_PATH, body);
  } catch (err) {
    if ((err as ApiError).reason === 'RequestEntityTooLarge') throw requestTooLarge(objects, 'plan', (err as Error).message);
    throw locateServerError(err, objects);
  }
}

/** `spec.replicas: 3 → 5`, values as compact JSON. */
export function formatChange(c: PlanChange): string {
  const show = (v: unknown) => {
    const s = JSON.stringify(v) ?? 'null';
    return s.length > 120 ? s.slice(0, 117) + '...' : s;
  };
  if (c.op === 'add') return `${c.path}: ${show(c.after)}`;
  if (c.op === 'remove') return `${c.path}: ${show(c.before)}`;
  return `${c.path}: ${show(c.before)} → ${show(c.after)}`;
}

/** The human rendering of a plan; colours only when `colour` (a TTY). */
export function formatPlan(plan: PlanResponse, colour: boolean): string {
  const c = colours(colour);
  const sym = { create: c.green('+'), update: c.yellow('~'), delete: c.red('-'), unchanged: ' ' };
  const verb = { create: 'will be created', update: 'will be changed', delete: 'will be deleted', unchanged: 'unchanged' };
  const out: string[] = [];
  for (const it of plan.items) {
    out.push(`${sym[it.action]} ${displayName({ kind: it.kind, metadata: { name: it.name } })}${it.namespace ? ` (namespace ${it.namespace})` : ''} ${verb[it.action]}`);
    if (it.action === 'update')
      for (const ch of it.changes) out.push(`    ${ch.op === 'add' ? c.green('+') : ch.op === 'remove' ? c.red('-') : c.yellow('~')} ${formatChange(ch)}`);
  }
  for (const w of plan.warnings ?? []) out.push(c.yellow(`warning: ${w}`));
  const s = plan.summary;
  out.push('', `Plan: ${s.create} to create, ${s.update} to change, ${s.delete} to delete, ${s.unchanged} unchanged. Nothing was changed.`);
  return out.join('\n') + '\n';
}

export function registerPlan(program: Command, ctx: CliContext): void {
  program
    .command('plan')
    .description('Show what applying files would create, change or delete, field by field; change nothing')
    .option('-f, --filename <path>', 'a YAML/JSON file, a folder or - for stdin; repeatable', collect, [])
    .option('-n, --namespace <ns>', 'namespace for namespaced objects that do not name one', 'default')
    .option('--prune', 'also plan deleting objects matching -l that are not in the files')
    .option('-l, --selector <selector>', 'label selector of the objects --prune may delete')
    .option('-o, --output <format>', 'text, json or yaml', 'text')
    .addHelpText('after', '\nExamples:\n  truststram plan -f examples/\n  truststram plan -f team-a/ --prune -l team=a')
    .action(async (opts: { filename: string[]; namespace: string; prune?: boolean; selector?: string; output: string }, cmd: Command) => {
      const pruneSelector = opts.prune ? requireSelector(opts.selector) : undefined;
      const objects = await loadManifests(opts.filename, opts.namespace);
      const client = ctx.client(cmd);
      const plan = await computePlan(client, objects, { namespace: opts.namespace, ...(pruneSelector ? { pruneSelector } : {}) });
      // A denial already failed the plan above (exit 1, naming policy, rule and field); here every verdict is shown.
      const verdicts = await fetchVerdicts(client, objects, opts.namespace);
      const full = verdicts ? { ...plan, policyVerdicts: verdicts } : plan;
      if (opts.output === 'json') ctx.stdout.write(toJson(full));
      else if (opts.output === 'yaml') ctx.stdout.write(toYaml(full));
      else ctx.stdout.write(formatPlan(plan, !!ctx.stdout.isTTY) + (verdicts ? formatVerdicts(verdicts) : ''));
    });
}
