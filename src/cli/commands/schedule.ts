// `truststram schedule --fleet F --workloads W`: the placement engine offline, without a
// server — for tests, benchmarks and anyone evaluating a fleet design.
import type { Command } from 'commander';
import { ValidationError, type AnyObject } from '../../api/index.js';
import { loadScheduler } from '../components.js';
import type { CliContext } from '../context.js';
import { loadManifests, type SourcedObject } from '../manifests.js';
import { toJson } from '../output.js';

// A fleet file holds Clusters, a workloads file Workloads; anything else is a mistake worth naming.
function only(kind: string, objs: SourcedObject[], flag: string): AnyObject[] {
  const wrong = objs.filter((o) => o.object.kind !== kind);
  if (wrong.length)
    throw new ValidationError(`${flag} must contain only ${kind} objects`, wrong.map((o) => ({ file: o.file, document: o.document, field: 'kind', message: `${o.object.kind} is not allowed in ${flag}: expected ${kind}` })));
  return objs.map((o) => o.object);
}

export function registerSchedule(program: Command, ctx: CliContext): void {
  program
    .command('schedule')
    .description('Place workloads on a fleet offline (no server): cost-optimal, residency-safe, with a proven lower bound')
    .requiredOption('--fleet <file>', 'YAML/JSON file or folder of Cluster objects')
    .requiredOption('--workloads <file>', 'YAML/JSON file or folder of Workload objects')
    .option('--time-limit-ms <n>', 'time budget of the optimiser in milliseconds', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n <= 0) throw new ValidationError(`invalid --time-limit-ms "${v}"`, [{ field: '--time-limit-ms', message: 'must be a positive whole number of milliseconds' }]);
      return n;
    })
    .option('--explain', 'show, per workload, why each cluster was chosen or rejected')
    .option('-o, --output <format>', 'table or json', 'table')
    .addHelpText(
      'after',
      `
Examples:
  truststram schedule --fleet examples/fleet.yaml --workloads examples/workloads.yaml
  truststram schedule --fleet fleet.yaml --workloads workloads.yaml --time-limit-ms 2000 -o json

JSON output: {placements:[{namespace,name,clusters:[{cluster,replicas}],costPerHour}],
unschedulable:[{namespace,name,reason}], totalCostPerHour, lowerBoundCostPerHour, elapsedMs}`,
    )
    .action(async (opts: { fleet: string; workloads: string; timeLimitMs?: number; explain?: boolean; output: string }) => {
      if (!['table', 'json'].includes(opts.output))
        throw new ValidationError(`unknown output format "${opts.output}"`, [{ field: '--output', message: 'expected table or json' }]);
      const fleet = only('Cluster', await loadManifests([opts.fleet]), '--fleet');
      const workloads = only('Workload', await loadManifests([opts.workloads]), '--workloads');
      const scheduler = await loadScheduler();
      const result = await scheduler.scheduleOffline(fleet, workloads, {
        ...(opts.timeLimitMs !== undefined ? { timeLimitMs: opts.timeLimitMs } : {}),
        explain: !!opts.explain,
      });
      if (opts.output === 'json') ctx.stdout.write(toJson(result));
      else ctx.stdout.write(scheduler.formatScheduleTable(result, { explain: !!opts.explain }));
    });
}
