// `truststram agent`: runs one local cluster's agent in the foreground — registers (or joins) the
// Cluster, heartbeats, runs its replicas as child processes and stops them all on exit.
import type { Command } from 'commander';
import { ValidationError } from '../../api/index.js';
import { loadDrivers } from '../components.js';
import { requireWritableDir } from '../fs-options.js';
import type { CliContext } from '../context.js';

const ms = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new ValidationError(`invalid ${name} "${v}"`, [{ field: name, message: 'must be a positive number of milliseconds' }]);
  return n;
};

export function registerAgent(program: Command, ctx: CliContext): void {
  program
    .command('agent')
    .description('Run the agent of one local cluster: heartbeat, run its replicas as processes, report their health')
    .requiredOption('--cluster <name>', 'the Cluster this agent runs (declared with driver.type local)')
    .option('--heartbeat <ms>', 'heartbeat (lease renewal) period', ms('--heartbeat'), 500)
    .option('--simulated', 'run simulated replicas (in-process HTTP responders) instead of processes')
    .option('--log-dir <dir>', 'write each replica\'s output to files here')
    .addHelpText(
      'after',
      '\nThe server starts agents itself for managed local clusters; run one by hand for a cluster\ndeclared with driver.managed: false. Ctrl-C stops every replica before the agent exits.\n\nExample:\n  truststram agent --cluster onprem-frankfurt --server http://127.0.0.1:7400',
    )
    .action(async (opts: { cluster: string; heartbeat: number; simulated?: boolean; logDir?: string }, cmd: Command) => {
      const server = ctx.serverUrl(cmd);
      const token = ctx.token(cmd);
      // Checked before the agent registers: replicas would otherwise fail one by one, later.
      if (opts.logDir) await requireWritableDir('--log-dir', opts.logDir);
      const { runAgent } = await loadDrivers();
      const agent = runAgent({
        cluster: opts.cluster,
        server,
        ...(token ? { token: token.value } : {}),
        heartbeatMs: opts.heartbeat,
        handleSignals: true,
        ...(opts.simulated ? { simulated: true } : {}),
        ...(opts.logDir ? { logDir: opts.logDir } : {}),
      });
      ctx.stdout.write(`agent for cluster ${opts.cluster} talking to ${server} (Ctrl-C stops it and its replicas)\n`);
      await agent.registered;
      ctx.stdout.write(`agent registered; running\n`);
      await new Promise<never>(() => undefined); // runs until a signal stops the process
    });
}
