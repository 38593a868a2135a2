// The `truststram` command: builds the commander program from one module per command group
// and turns every failure into the exit code the design promises (see exit.ts).
import { Command, CommanderError } from 'commander';
import { registerAgent } from './commands/agent.js';
import { registerApply } from './commands/apply.js';
import { registerAudit } from './commands/audit.js';
import { registerChaos } from './commands/chaos.js';
import { registerCatalog } from './commands/catalog.js';
import { registerCompliance } from './commands/compliance.js';
import { registerCost } from './commands/cost.js';
import { registerDelete } from './commands/delete.js';
import { registerDemo } from './commands/demo.js';
import { registerDescribe } from './commands/describe.js';
import { registerExplain } from './commands/explain.js';
import { registerGateway } from './commands/gateway.js';
import { registerGet } from './commands/get.js';
import { registerPlan } from './commands/plan.js';
import { registerRecommend } from './commands/recommend.js';
import { registerSchedule } from './commands/schedule.js';
import { registerServer } from './commands/server.js';
import { registerVersion } from './commands/version.js';
import { DEFAULT_SERVER } from './client.js';
import { createContext, type CliIo } from './context.js';
import { ExitCode, exitCodeOf, reportError } from './exit.js';

const DESCRIPTION = 'TrustStram: residency-safe, cost-optimal multi-cloud orchestration (AWS, Azure, GCP, on-prem).';

// One line each in `truststram --help`; every command's own --help has the full description.
const SUMMARIES: Record<string, string> = {
  server: 'run the control plane: API, controllers, local agents',
  agent: 'run the agent of one local cluster',
  gateway: 'run the traffic gateway on its own, fed by the API',
  chaos: 'fail/restore clusters, regions, providers; GameDays',
  demo: 'run the six-cluster example fleet locally, end to end',
  apply: 'create or update objects from files, atomically',
  plan: 'show what an apply would change, change nothing',
  get: 'list objects of a kind, or show one',
  describe: 'show one object with status, events, audit',
  delete: 'delete objects by file or by kind and name',
  audit: 'read, verify and export the audit chain',
  compliance: 'compliance report and offline evidence bundle',
  explain: 'why a workload runs where it does',
  schedule: 'place workloads on a fleet offline (no server)',
  catalog: 'browse the shipped price catalog (offline)',
  cost: 'accrued and projected cost by team, provider, region...',
  recommend: 'savings: rightsizing, spot, cheaper clusters, consolidation',
  version: 'print client and server versions',
};

const EPILOG = `
Examples:
  truststram demo                              run the example fleet: agents, replicas, placements, costs
  truststram server --data-dir ./state         run the API server (SQLite in ./state)
  truststram apply -f examples/                create or update everything in a folder
  truststram plan -f examples/                 show what an apply would change, change nothing
  truststram get workloads -A                  list workloads in every namespace
  truststram describe cluster aws-eu-west-1    spec, status, conditions and audit history
  truststram schedule --fleet examples/fleet.yaml --workloads examples/workloads.yaml

Server address: --server URL, or TRUSTSTRAM_SERVER, default ${DEFAULT_SERVER}.
Token, for a server started with --token-file: --token-file FILE, or TRUSTSTRAM_TOKEN=TOKEN.
Exit codes: 0 ok, 1 invalid input / denied / not found / conflict / missing or bad token, 2 server unreachable, 3 internal error.`;

/** Builds the program; exported so tests and docs can inspect the commands and their help. */
export function buildProgram(io: CliIo): Command {
  const ctx = createContext(io);
  const program = new Command('truststram')
    .description(DESCRIPTION)
    .option('-s, --server <url>', `API server URL (env TRUSTSTRAM_SERVER, default ${DEFAULT_SERVER})`)
    // `server --token-file` reads this same option: there it is the server's table of tokens.
    .option('--token-file <file>', 'file holding the bearer token to send to the server (env TRUSTSTRAM_TOKEN holds the token itself)')
    .addHelpText('after', EPILOG)
    .showSuggestionAfterError(true)
    // Commander wraps at 80 columns off a terminal; help reads better a little wider.
    .configureHelp({ helpWidth: Math.max(100, Math.min(process.stdout.columns ?? 0, 120)) })
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride();
  for (const register of [
    registerServer,
    registerAgent,
    registerGateway,
    registerDemo,
    registerApply,
    registerPlan,
    registerGet,
    registerDescribe,
    registerDelete,
    registerExplain,
    registerAudit,
    registerCompliance,
    registerChaos,
    registerSchedule,
    registerCatalog,
    registerCost,
    registerRecommend,
    registerVersion,
  ])
    register(program, ctx);
  for (const c of program.commands) if (SUMMARIES[c.name()]) c.summary(SUMMARIES[c.name()]!);
  // Subcommands inherit the output routing and exit override so usage errors map to exit 1.
  const inherit = (cmd: Command) => {
    for (const c of cmd.commands) {
      c.configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
      c.exitOverride();
      c.showSuggestionAfterError(true);
      inherit(c);
    }
  };
  inherit(program);
  return program;
}

/**
 * Runs the CLI with `argv` as in `process.argv` (node, script, args...). Resolves to the exit
 * code (also set as `process.exitCode` when writing to the real stdout); long-running commands (server, demo) resolve when stopped.
 */
export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  const program = buildProgram(io);
  // `truststram get ... | head` closes the pipe early: stop quietly, as Unix tools do.
  if (io.stdout === process.stdout) process.stdout.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' ? process.exit(0) : undefined));
  let code: number = ExitCode.Ok;
  try {
    if (argv.length <= 2) {
      program.outputHelp();
    } else {
      await program.parseAsync(argv);
    }
  } catch (err) {
    code = exitCodeOf(err);
    // commander already printed its usage message (and help exits with code 0).
    if (!(err instanceof CommanderError)) reportError(err, io.stderr);
  }
  if (io.stdout === process.stdout) process.exitCode = code;
  return code;
}
