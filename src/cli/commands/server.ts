// `truststram server`: runs the API server on its store (embedded SQLite, or Postgres with
// --store) until SIGINT/SIGTERM, then closes it cleanly (in-flight requests finish, the store closes).
import { Option, type Command } from 'commander';
import { duration, parseDuration } from '../../api/index.js';
import type { DataPlane, Scheduling } from '../../gateway/index.js';
import { loadControlPlane } from '../components.js';
import type { CliContext } from '../context.js';
import { DEFAULT_DATA_DIR, chooseServerStore, explainStoreFailure } from './server-store.js';
import { CliUserError, ServiceUnreachableError } from '../exit.js';
import { requireReadableFile } from '../fs-options.js';

export { DEFAULT_DATA_DIR };

/**
 * Parses `--failback-after` (`5s`, `30s`, `2m`): how long a recovered cluster must stay Ready
 * before replicas fail back to it. Refuses anything but a positive duration.
 */
export function parseFailbackAfter(value: string): number {
  const ms = duration.safeParse(value).success ? parseDuration(value) : NaN;
  if (!(ms > 0) || !Number.isSafeInteger(Math.round(ms)))
    throw new CliUserError(`invalid --failback-after "${value}": expected a positive duration such as 5s, 30s or 2m`);
  return Math.round(ms);
}

/** Resolves when the process receives SIGINT or SIGTERM (or `signal` aborts). */
export function untilStopped(signal?: AbortSignal): Promise<string> {
  return new Promise((done) => {
    const on = (s: string) => () => {
      process.off('SIGINT', int);
      process.off('SIGTERM', term);
      done(s);
    };
    const int = on('SIGINT');
    const term = on('SIGTERM');
    process.once('SIGINT', int);
    process.once('SIGTERM', term);
    signal?.addEventListener('abort', on('abort'), { once: true });
  });
}

export function registerServer(program: Command, ctx: CliContext): void {
  program
    .command('server')
    .description('Run the TrustStram API server (state in embedded SQLite, or in Postgres with --store)')
    .option('--data-dir <dir>', `where the SQLite state lives (env TRUSTSTRAM_DATA_DIR, default ${DEFAULT_DATA_DIR})`)
    .option('--store <url>', 'keep the state in Postgres instead: postgres://user[:password]@host[:port]/database (env TRUSTSTRAM_STORE_URL); several servers may share one database')
    .option('--listen <host:port>', 'address to listen on; port 0 picks a free port', '127.0.0.1:7400')
    .option('--token-file <file>', 'static bearer tokens ("token,user" per line); without it auth is off, so keep --listen on loopback')
    .option('--no-agents', 'do not start agents for local clusters (run `truststram agent` yourself)')
    .option('--no-controllers', 'serve the API only (admission and policies included); run the controllers elsewhere')
    .option('--simulated', 'managed agents run simulated replicas (in-process HTTP responders) instead of processes')
    .option('--no-gateway', 'do not run the traffic gateway in this process (run `truststram gateway` elsewhere)')
    .option('--gateway-listen <host:port>', 'address of the in-process gateway (default 127.0.0.1:7480, a free port when taken)')
    .addOption(new Option('--gateway-data-plane <plane>', 'what moves the in-process gateway\'s bytes: node, or haproxy (an HAProxy it configures; apt-get install -y haproxy)').choices(['node', 'haproxy']).default('node'))
    .option('--gateway-threads <n>', 'with --gateway-data-plane haproxy: HAProxy threads (default: one per CPU; a node gateway with several processes runs apart: truststram gateway --workers N)')
    .option('--gateway-cpus <list>', 'with --gateway-data-plane haproxy: the CPUs its threads run on (1, 2-3, 0,2)')
    .addOption(new Option('--gateway-scheduling <policy>', 'with --gateway-data-plane haproxy: its CPU scheduling policy, batch (default) or normal').choices(['batch', 'normal']))
    .option('--allow-chaos', 'demo mode for chaos: anyone may fail and restore clusters, regions, providers (otherwise only authenticated callers, with --token-file)')
    .option('--failback-after <duration>', 'how long a recovered cluster must stay Ready, without flapping, before replicas fail back to it (default 30s)', parseFailbackAfter)
    .addHelpText(
      'after',
      '\nRuns the API server, the controllers (placement, health, status) and one agent per local\ncluster declared with driver.type local (unless driver.managed is false).\n\nExamples:\n  truststram server\n  truststram server --data-dir /var/lib/truststram --listen 127.0.0.1:7400\n  truststram server --store postgres://truststram@127.0.0.1:5432/truststram',
    )
    .action(async (opts: { dataDir?: string; store?: string; listen: string; tokenFile?: string; agents: boolean; controllers: boolean; simulated?: boolean; gateway: boolean; gatewayListen?: string; gatewayDataPlane: string; gatewayThreads?: string; gatewayCpus?: string; gatewayScheduling?: string; allowChaos?: boolean; failbackAfter?: number }, cmd: Command) => {
      // The program's global --token-file (the clients' token) takes the flag wherever it is
      // written, so the server reads its token table from there.
      const tokenFile = opts.tokenFile ?? (cmd.optsWithGlobals() as { tokenFile?: string }).tokenFile;
      const store = chooseServerStore(opts, ctx.env);
      if (tokenFile) requireReadableFile('--token-file', tokenFile);
      const [{ startControlPlane }, { StoreUnavailableError }] = await Promise.all([loadControlPlane(), import('../../store/store-errors.js')]);
      // On a shared (Postgres) store, a leader that loses its database session stops its
      // controllers and exits: its supervisor restarts it, and it campaigns again.
      const lostLeadership = new AbortController();
      let lost: Error | undefined;
      if ((opts.gatewayThreads !== undefined || opts.gatewayCpus !== undefined || opts.gatewayScheduling !== undefined) && opts.gatewayDataPlane !== 'haproxy')
        throw new CliUserError('--gateway-threads, --gateway-cpus and --gateway-scheduling need --gateway-data-plane haproxy', ['for a node gateway on several cores, run it apart: truststram gateway --workers N']);
      const gatewayOptions = {
        ...(opts.gatewayDataPlane !== 'node' ? { dataPlane: opts.gatewayDataPlane as DataPlane } : {}),
        // Not a number is refused by the gateway's own check, which names the field.
        ...(opts.gatewayThreads !== undefined ? { workers: /^\d+$/.test(opts.gatewayThreads) ? Number(opts.gatewayThreads) : Number.NaN } : {}),
        ...(opts.gatewayCpus !== undefined ? { cpus: opts.gatewayCpus } : {}),
        ...(opts.gatewayScheduling !== undefined ? { scheduling: opts.gatewayScheduling as Scheduling } : {}),
      };
      const srv = await startControlPlane({
        onLeadershipLost: (err) => {
          lost = err;
          lostLeadership.abort();
        },
        listen: opts.listen,
        ...(store.kind === 'dataDir' ? { dataDir: store.dataDir } : { storeSpec: store.storeSpec }),
        manageAgents: opts.agents,
        controllers: opts.controllers,
        agents: { cwd: process.cwd(), ...(opts.simulated ? { simulated: true } : {}) },
        ...(tokenFile ? { tokenFile } : {}),
        gateway: opts.gateway ? { ...(opts.gatewayListen ? { listen: opts.gatewayListen } : {}), ...(Object.keys(gatewayOptions).length > 0 ? { options: gatewayOptions } : {}) } : false,
        ...(opts.allowChaos ? { demo: true } : {}),
        ...(opts.failbackAfter !== undefined ? { failback: { stableMs: opts.failbackAfter } } : {}),
      }).catch((err: unknown) => Promise.reject(explainStoreFailure(err, store, (e) => e instanceof StoreUnavailableError)));
      ctx.stdout.write(`TrustStram server listening on ${srv.url} (${store.kind === 'dataDir' ? `data in ${store.dataDir}` : store.label})\n`);
      if (srv.gateway) ctx.stdout.write(`Gateway listening on ${srv.gateway.url} (${opts.gatewayDataPlane} data plane${opts.gatewayDataPlane === 'haproxy' ? `, scheduling ${srv.gateway.scheduling}` : ''}; routes by Host header; admin at ${srv.gateway.url}/_truststram/routes)\n`);
      ctx.stdout.write(`Try: TRUSTSTRAM_SERVER=${srv.url} truststram get clusters   Stop with Ctrl-C.\n`);
      const sig = await untilStopped(lostLeadership.signal);
      ctx.stderr.write(lost ? 'stopping server: it lost the controllers\' leadership\n' : `${sig}: stopping server...\n`);
      await srv.close();
      ctx.stderr.write('server stopped\n');
      if (lost) throw new ServiceUnreachableError(`lost the controllers' leadership (${lost.message}); exiting, so that a supervisor restarts this server to campaign again`);
    });
}
