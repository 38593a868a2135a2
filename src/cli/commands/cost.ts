// `truststram cost`: showback from the server — accrued cost over a window grouped by team,
// tenant, namespace, provider, region, residency, cluster or workload, idle and overhead on
// their own rows (or shared), the run rate and the projected month.
import type { Command } from 'commander';
import { ValidationError } from '../../api/index.js';
import type { CostReport } from '../../cost/index.js';
import { INFRA_DIMENSIONS } from '../../cost/showback.js';
import type { CliContext } from '../context.js';
import { formatTable, toJson } from '../output.js';

export const COST_PATH = '/api/v1alpha1/cost';
const BY = ['team', 'tenant', 'namespace', 'provider', 'region', 'residency', 'cluster', 'workload'];
const WINDOWS = ['24h', '7d', '30d'];

const usd = (x: number) => `$${x.toFixed(2)}`;

/** The table `truststram cost` prints. */
export function formatCostTable(r: CostReport): string {
  // Under an infrastructure dimension each row is its clusters' whole bill: idle and fees are columns.
  const infra = INFRA_DIMENSIONS.includes(r.by);
  const rows = r.rows.map((x) => [x.name, usd(x.cpuCost), usd(x.memoryCost), ...(infra ? [usd(x.idleCost), usd(x.overheadCost)] : []), ...(r.shareIdle ? [usd(x.sharedCost)] : []), usd(x.egressCost), usd(x.totalCost), `${(x.share * 100).toFixed(1)}%`, `$${x.costPerHour.toFixed(4)}`, usd(x.projectedMonthly)]);
  const t = r.totals;
  rows.push(['TOTAL', '', '', ...(infra ? [usd(t.idle), usd(t.overhead)] : []), ...(r.shareIdle ? [''] : []), usd(t.egress), usd(t.totalCost), '100.0%', `$${t.costPerHour.toFixed(4)}`, usd(t.projectedMonthly)]);
  const head = [r.by.toUpperCase(), 'CPU', 'MEMORY', ...(infra ? ['IDLE', 'FEES'] : []), ...(r.shareIdle ? ['SHARED-IDLE'] : []), 'EGRESS', `TOTAL(${r.window})`, 'SHARE', 'NOW/H', 'PROJECTED/MO'];
  const notes = [...r.notes.map((n) => `note: ${n}`), ...r.warnings.map((w) => `warning: ${w}`)];
  return formatTable(head, rows) + `\n${r.since} → ${r.until}: allocated ${usd(t.allocated)}, idle ${usd(t.idle)}, overhead ${usd(t.overhead)}, egress ${usd(t.egress)}\n` + (notes.length ? notes.join('\n') + '\n' : '');
}

/** RFC 4180 CSV of the rows (numbers unrounded, for spreadsheets). */
export function formatCostCsv(r: CostReport): string {
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [['name', 'cpu_cost', 'memory_cost', 'idle_cost', 'overhead_cost', 'shared_cost', 'egress_cost', 'total_cost', 'share', 'cost_per_hour', 'projected_monthly'].join(',')];
  for (const x of r.rows) lines.push([q(x.name), x.cpuCost, x.memoryCost, x.idleCost, x.overheadCost, x.sharedCost, x.egressCost, x.totalCost, x.share, x.costPerHour, x.projectedMonthly].join(','));
  return lines.join('\n') + '\n';
}

/** Registers `cost` on the program (wired in main.ts like the other commands). */
export function registerCost(program: Command, ctx: CliContext): void {
  program
    .command('cost')
    .description('Show accrued cost by team, tenant, namespace, provider, region, residency, cluster or workload')
    .option('--by <dimension>', BY.join('|'), 'team')
    .option('--window <window>', WINDOWS.join('|'), '7d')
    .option('--share-idle', 'share idle capacity and control-plane fees over the allocations by weight')
    .option('-o, --output <format>', 'table, json or csv', 'table')
    .addHelpText('after', '\nExamples:\n  truststram cost --by team --window 30d\n  truststram cost --by provider --share-idle -o csv > cost.csv')
    .action(async (opts: { by: string; window: string; shareIdle?: boolean; output: string }, cmd: Command) => {
      if (!BY.includes(opts.by)) throw new ValidationError(`unknown grouping "${opts.by}"`, [{ field: '--by', message: `expected one of ${BY.join(', ')}` }]);
      if (!WINDOWS.includes(opts.window)) throw new ValidationError(`unknown window "${opts.window}"`, [{ field: '--window', message: `expected one of ${WINDOWS.join(', ')}` }]);
      if (!['table', 'json', 'csv'].includes(opts.output)) throw new ValidationError(`unknown output format "${opts.output}"`, [{ field: '--output', message: 'expected table, json or csv' }]);
      const q = new URLSearchParams({ by: opts.by, window: opts.window, ...(opts.shareIdle ? { shareIdle: 'true' } : {}) });
      const report = await ctx.client(cmd).request<CostReport>('GET', `${COST_PATH}?${q}`);
      if (opts.output === 'json') ctx.stdout.write(toJson(report));
      else if (opts.output === 'csv') ctx.stdout.write(formatCostCsv(report));
      else ctx.stdout.write(formatCostTable(report));
    });
}
