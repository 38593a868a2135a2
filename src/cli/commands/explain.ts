// `truststram explain workload NAME -n NS`: why a workload runs where it does — every cluster
// with the filter that removed it (code and reason) or its scores and replica price, the split
// actually placed, its cost, and the plan's gap above the proven lower bound.
import type { Command } from 'commander';
import { ValidationError } from '../../api/index.js';
import type { CliContext } from '../context.js';
import { formatTable, toJson, toYaml } from '../output.js';

interface ExplainBody {
  namespace?: string;
  name?: string;
  mode?: string;
  optimizeFor?: string;
  boundGap?: number;
  clusters?: { cluster: string; feasible: boolean; filter?: string; code?: string; reason?: string; scores?: Record<string, number>; replicaCostPerHour?: number }[];
  placed: { clusters: { cluster: string; replicas: number }[]; costPerHour: number; generation: number; unschedulable?: { reason: string; message: string } } | null;
  warnings?: { message?: string }[];
}

export function registerExplain(program: Command, ctx: CliContext): void {
  program
    .command('explain')
    .description('Explain a placement: every cluster with the filter that removed it or its scores, the chosen split and its cost')
    .argument('<kind>', 'workload')
    .argument('<name>', 'workload name')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('-o, --output <format>', 'table, json or yaml', 'table')
    .addHelpText('after', '\nExample:\n  truststram explain workload payments-api -n payments')
    .action(async (kind: string, name: string, opts: { namespace: string; output: string }, cmd: Command) => {
      if (!['workload', 'workloads', 'wl'].includes(kind.toLowerCase()))
        throw new ValidationError(`cannot explain "${kind}": only workloads have placements`, [{ field: 'kind', message: 'expected workload' }]);
      if (!['table', 'json', 'yaml'].includes(opts.output)) throw new ValidationError(`unknown output format "${opts.output}"`, [{ field: '--output', message: 'expected table, json or yaml' }]);
      const body = await ctx.client(cmd).request<ExplainBody>('GET', `/api/v1alpha1/explain/workloads/${encodeURIComponent(opts.namespace)}/${encodeURIComponent(name)}`);
      if (opts.output === 'json') return void ctx.stdout.write(toJson(body));
      if (opts.output === 'yaml') return void ctx.stdout.write(toYaml(body));
      const placed = new Map((body.placed?.clusters ?? []).map((c) => [c.cluster, c.replicas]));
      const rows = (body.clusters ?? [])
        .slice()
        .sort((a, b) => (placed.get(b.cluster) ?? 0) - (placed.get(a.cluster) ?? 0) || Number(b.feasible) - Number(a.feasible) || (a.replicaCostPerHour ?? 0) - (b.replicaCostPerHour ?? 0) || a.cluster.localeCompare(b.cluster))
        .map((c) => [
          c.cluster,
          String(placed.get(c.cluster) ?? 0),
          c.feasible ? 'feasible' : `filtered: ${c.filter ?? '?'}`,
          c.feasible ? `$${(c.replicaCostPerHour ?? 0).toFixed(5)}` : '-',
          c.feasible ? Object.entries(c.scores ?? {}).map(([k, v]) => `${k}=${v.toFixed(2)}`).join(' ') : `${c.code ?? ''}: ${c.reason ?? ''}`,
        ]);
      const p = body.placed;
      ctx.stdout.write(`Workload ${opts.namespace}/${name} (mode ${body.mode ?? '?'}, optimize for ${body.optimizeFor ?? '?'})\n`);
      if (p?.unschedulable) ctx.stdout.write(`UNSCHEDULABLE: ${p.unschedulable.reason}: ${p.unschedulable.message}\n`);
      ctx.stdout.write(`Placed: ${(p?.clusters ?? []).map((c) => `${c.cluster}×${c.replicas}`).join(', ') || 'nowhere'} — $${(p?.costPerHour ?? 0).toFixed(4)}/h, $${((p?.costPerHour ?? 0) * 730).toFixed(2)}/month for its requests${body.boundGap !== undefined ? `; fleet plan ${(body.boundGap * 100).toFixed(2)}% above its lower bound` : ''}\n\n`);
      ctx.stdout.write(formatTable(['CLUSTER', 'REPLICAS', 'VERDICT', 'PRICE/REPLICA/H', 'SCORES OR REASON'], rows) + '\n');
      for (const w of body.warnings ?? []) ctx.stdout.write(`warning: ${w.message ?? JSON.stringify(w)}\n`);
    });
}
