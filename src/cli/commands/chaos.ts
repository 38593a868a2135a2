// `truststram chaos fail|restore|status|run`: inject and lift outages (a cluster, a region, a
// whole provider) through the server's chaos API, and run GameDay scenarios that measure what
// clients saw while it happened. Allowed in demo mode or for authenticated callers.
import { Option, type Command } from 'commander';
import type { DataPlane } from '../../gateway/index.js';
import { ValidationError } from '../../api/index.js';
import type { CliContext } from '../context.js';
import { CliUserError } from '../exit.js';
import { formatTable, toJson, toYaml } from '../output.js';

const KINDS = ['cluster', 'region', 'provider'] as const;
const loadChaos = () => import('../../chaos/index.js');

interface FaultBody {
  kind: string;
  name: string;
  since: string;
  clusters: string[];
  actor?: string;
}

function kindArg(kind: string): (typeof KINDS)[number] {
  if (!(KINDS as readonly string[]).includes(kind)) throw new ValidationError(`unknown target kind "${kind}"`, [{ field: 'kind', message: 'expected cluster, region or provider' }]);
  return kind as (typeof KINDS)[number];
}

function outputArg(o: string, allowed: string[]): void {
  if (!allowed.includes(o)) throw new ValidationError(`unknown output format "${o}"`, [{ field: '--output', message: `expected ${allowed.join(', ')}` }]);
}

export function registerChaos(program: Command, ctx: CliContext): void {
  const chaos = program
    .command('chaos')
    .description('Fail and restore clusters, regions or providers, and run GameDay scenarios through the gateway (demo mode, or an authenticated caller)')
    .addHelpText(
      'after',
      '\nFailing a cluster SIGKILLs its agent (its replicas die with it) and keeps it down until restored;\na region or provider fails every cluster in it. The server allows this in demo mode\n(truststram demo, truststram server --allow-chaos) or, with --token-file, for authenticated callers.\n\nExamples:\n  truststram chaos fail provider aws\n  truststram chaos restore aws\n  truststram chaos run examples/gameday/provider-outage.gameday -o json',
    );

  chaos
    .command('fail')
    .description('Fail a cluster, a region or a whole provider')
    .argument('<kind>', 'cluster, region or provider')
    .argument('<name>', 'its name (aws-eu-west-1, eu-west-1, aws)')
    .action(async (kind: string, name: string, _o: unknown, cmd: Command) => {
      const body = await ctx.client(cmd).request<{ fault: FaultBody }>('POST', '/api/v1alpha1/chaos/fail', { kind: kindArg(kind), name });
      ctx.stdout.write(`failed ${body.fault.kind} ${body.fault.name}: ${body.fault.clusters.join(', ')} down (agents killed with their replicas) until restored\n`);
    });

  chaos
    .command('restore')
    .description('Restore a failed target (the kind may be omitted when the name is unambiguous)')
    .argument('<kind-or-name>', 'cluster, region or provider — or directly the name')
    .argument('[name]', 'the name, when the kind was given')
    .action(async (a: string, b: string | undefined, _o: unknown, cmd: Command) => {
      const target = b === undefined ? { name: a } : { kind: kindArg(a), name: b };
      const body = await ctx.client(cmd).request<{ restored: FaultBody[] }>('POST', '/api/v1alpha1/chaos/restore', target);
      for (const f of body.restored) ctx.stdout.write(`restored ${f.kind} ${f.name}: ${f.clusters.join(', ')} may start again\n`);
    });

  chaos
    .command('status')
    .description('Faults in force, and whether you may inject more')
    .option('-o, --output <format>', 'table, json or yaml', 'table')
    .action(async (opts: { output: string }, cmd: Command) => {
      outputArg(opts.output, ['table', 'json', 'yaml']);
      const body = await ctx.client(cmd).request<{ demo: boolean; allowed: boolean; faults: FaultBody[]; elsewhere?: string }>('GET', '/api/v1alpha1/chaos');
      if (opts.output === 'json') return void ctx.stdout.write(toJson(body));
      if (opts.output === 'yaml') return void ctx.stdout.write(toYaml(body));
      ctx.stdout.write(`demo mode: ${body.demo ? 'yes' : 'no'}; you may inject faults: ${body.allowed ? 'yes' : 'no'}\n`);
      if (body.elsewhere) ctx.stdout.write(`${body.elsewhere}\n`);
      ctx.stdout.write(body.faults.length ? `${formatTable(['KIND', 'NAME', 'CLUSTERS', 'SINCE', 'BY'], body.faults.map((f) => [f.kind, f.name, f.clusters.join(', '), f.since, f.actor ?? '']))}\n` : 'No faults in force.\n');
    });

  chaos
    .command('run')
    .description('Run a GameDay scenario: load through a gateway while targets fail and recover; report failed requests, recovery times and residency violations')
    .argument('<scenario>', 'GameDay scenario file (YAML, see examples/gameday/)')
    .option('-o, --output <format>', 'table or json', 'table')
    .option('--gateway <url>', 'drive an existing gateway instead of starting one in this process (its access log is not observed: traffic recovery and request residency are then not measured)')
    .addOption(new Option('--data-plane <plane>', 'data plane of the gateway this command starts').choices(['node', 'haproxy']).default('node'))
    .action(async (file: string, opts: { output: string; gateway?: string; dataPlane: string }, cmd: Command) => {
      outputArg(opts.output, ['table', 'json']);
      const token = ctx.token(cmd);
      const { loadScenario, runScenario, formatReport } = await loadChaos();
      const scenario = await loadScenario(file);
      const report = await runScenario({
        server: ctx.serverUrl(cmd),
        scenario,
        ...(opts.gateway ? { gateway: { url: opts.gateway, onAccess: () => () => {} } } : {}),
        ...(token ? { token: token.value } : {}),
        dataPlane: opts.dataPlane as DataPlane,
        log: (l) => ctx.stderr.write(`${l}\n`),
      });
      ctx.stdout.write(opts.output === 'json' ? toJson(report) : formatReport(report, formatTable));
      if (!report.passed) throw new CliUserError(`scenario ${scenario.name}: expectations not met`);
    });
}
