// `truststram recommend`: savings the server finds — rightsizing, spot, cheaper clusters inside
// the residency, consolidation — each with its monthly saving, risk and the exact change.
import type { Command } from 'commander';
import { ValidationError } from '../../api/index.js';
import type { Recommendation } from '../../cost/index.js';
import type { CliContext } from '../context.js';
import { formatTable, toJson, toYaml } from '../output.js';

export const RECOMMENDATIONS_PATH = '/api/v1alpha1/recommendations';

export interface RecommendationList {
  window: string;
  monthlyBefore: number;
  monthlyAfter: number;
  monthlySaving: number;
  items: Recommendation[];
  existingViolations: { message: string }[];
  /** Workloads not judged for rightsizing yet (absent from older servers). */
  tooFewSamples?: { minSamples: number; workloads: number; of: number };
}

/** The table `truststram recommend` prints: one row per recommendation, then its change. */
export function formatRecommendations(l: RecommendationList, opts: { changes?: boolean } = {}): string {
  const early = l.tooFewSamples?.workloads
    ? `${l.tooFewSamples.workloads} of ${l.tooFewSamples.of} workloads have fewer than ${l.tooFewSamples.minSamples} usage samples in the window, so they are not judged for rightsizing yet: ask again once they have run longer.\n`
    : '';
  if (!l.items.length) return `No recommendations: nothing found to save at current prices and usage.\n${early}`;
  const rows = l.items.map((r) => [r.id, r.type, r.workloads.length === 1 ? r.workloads[0]! : r.workloads.length === 0 ? '-' : `${r.workloads.length} workloads`, r.clusters.join(' → '), `$${r.monthlySaving.toFixed(2)}`, r.risk, r.reason]);
  let out = formatTable(['ID', 'TYPE', 'WORKLOAD', 'CLUSTERS', 'SAVING/MO', 'RISK', 'WHY'], rows);
  if (opts.changes)
    for (const r of l.items) for (const c of r.changes) out += `\n# ${r.id}: ${c.kind} ${c.namespace ? `${c.namespace}/` : ''}${c.name} (JSON merge patch)\n${JSON.stringify(c.patch)}\n`;
  out += `\nTotal: $${l.monthlySaving.toFixed(2)}/month ($${l.monthlyBefore.toFixed(2)} → $${l.monthlyAfter.toFixed(2)} a month for the resources requested, at list prices) if all ${l.items.length} are applied; each keeps residency, spread, availability and capacity.\n${early}`;
  // A smaller request is cheaper only once there are fewer nodes to pay for (ADR 0009).
  if (l.items.some((r) => r.type === 'rightsize'))
    out += `note: rightsizing saves money once the clusters' node pools scale down to the lower requests (an autoscaler, or fewer nodes in the Cluster's nodePools); on pools of fixed size it frees room for other workloads instead, and the bill stays the same.\n`;
  for (const v of l.existingViolations) out += `warning: already violated before any change: ${v.message}\n`;
  return out;
}

/** Registers `recommend` on the program (wired in main.ts like the other commands). */
export function registerRecommend(program: Command, ctx: CliContext): void {
  program
    .command('recommend')
    .description('List savings: rightsizing, spot, cheaper clusters in the same residency, consolidation')
    .option('--window <window>', 'usage window for p95: 24h, 7d or 30d', '7d')
    .option('--changes', 'print the exact change (JSON merge patch) of each recommendation')
    .option('-o, --output <format>', 'table, json or yaml', 'table')
    .addHelpText('after', '\nExamples:\n  truststram recommend\n  truststram recommend -o json | jq \'.items[] | select(.risk == "low")\'')
    .action(async (opts: { window: string; changes?: boolean; output: string }, cmd: Command) => {
      if (!['table', 'json', 'yaml'].includes(opts.output)) throw new ValidationError(`unknown output format "${opts.output}"`, [{ field: '--output', message: 'expected table, json or yaml' }]);
      const l = await ctx.client(cmd).request<RecommendationList>('GET', `${RECOMMENDATIONS_PATH}?window=${encodeURIComponent(opts.window)}`);
      if (opts.output === 'json') ctx.stdout.write(toJson(l));
      else if (opts.output === 'yaml') ctx.stdout.write(toYaml(l));
      else ctx.stdout.write(formatRecommendations(l, { changes: opts.changes }));
    });
}
