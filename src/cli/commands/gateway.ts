// `truststram gateway`: the traffic gateway as its own process — a stateless replica that lists
// and watches Workloads, Placements and Clusters from the API server and routes by Host.
import { Option, type Command } from 'commander';
import type { DataPlane, Scheduling } from '../../gateway/index.js';
import type { CliContext } from '../context.js';
import { untilStopped } from './server.js';

export function registerGateway(program: Command, ctx: CliContext): void {
  program
    .command('gateway')
    .description('Run the traffic gateway on its own, fed by the API server (routes by Host to ready replicas, inside each workload\'s residency)')
    .option('--listen <host:port>', 'address of the proxy listener; port 0 picks a free port', '127.0.0.1:7480')
    .option('--admin-listen <host:port>', 'also serve /metrics, /routes, /recent, /healthz on a separate listener')
    .option('--region <region>', 'the gateway\'s own region, for locality routing (eu-west-1)')
    .addOption(new Option('--data-plane <plane>', 'what moves the bytes: node (this process) or haproxy (an HAProxy this gateway configures; native throughput)').choices(['node', 'haproxy']).default('node'))
    .option('--haproxy <path>', 'the HAProxy binary for --data-plane haproxy (default /usr/sbin/haproxy)')
    .option('--workers <n>', 'cores that move the bytes: node processes (default 1), or HAProxy threads with --data-plane haproxy (default: one per CPU)')
    .option('--cpus <list>', 'with --data-plane haproxy: the CPUs its threads run on (1, 2-3, 0,2); one each when there are as many as --workers')
    .addOption(new Option('--scheduling <policy>', 'with --data-plane haproxy: its CPU scheduling policy, batch (default: its wake-ups do not preempt busy cores, more throughput when it shares them) or normal').choices(['batch', 'normal']))
    .addHelpText(
      'after',
      '\nAdmin endpoints are also on the proxy listener under /_truststram/ (metrics, routes, recent, healthz).\nWith auth on, set TRUSTSTRAM_TOKEN or pass --token-file FILE.\n\nExamples:\n  truststram gateway --server http://127.0.0.1:7400 --listen 0.0.0.0:8080\n  truststram gateway --data-plane haproxy      # needs haproxy 2.4+ (apt-get install -y haproxy)\n  truststram gateway --data-plane haproxy --workers 2 --cpus 2-3\n  curl -H "Host: payments.eu.example" http://127.0.0.1:7480/',
    )
    .action(async (opts: { listen: string; adminListen?: string; region?: string; dataPlane: string; haproxy?: string; workers?: string; cpus?: string; scheduling?: string }, cmd: Command) => {
      const server = ctx.serverUrl(cmd);
      const { startGateway, apiSource, defaultWorkers } = await import('../../gateway/index.js');
      const { FAILOVER_GATEWAY_OPTIONS } = await import('../../chaos/index.js');
      const token = ctx.token(cmd)?.value;
      const source = apiSource(server, { ...(token ? { token } : {}), onError: (err) => ctx.stderr.write(`gateway: API ${server}: ${err instanceof Error ? err.message : String(err)}\n`) });
      const gw = await startGateway({
        ...FAILOVER_GATEWAY_OPTIONS,
        listen: opts.listen,
        source,
        ...(opts.adminListen ? { adminListen: opts.adminListen } : {}),
        ...(opts.region ? { region: opts.region } : {}),
        dataPlane: opts.dataPlane as DataPlane,
        ...(opts.haproxy ? { haproxyPath: opts.haproxy } : {}),
        // Not a number is refused by the gateway's own check, which names the field.
        ...(opts.workers !== undefined ? { workers: /^\d+$/.test(opts.workers) ? Number(opts.workers) : Number.NaN } : {}),
        ...(opts.cpus !== undefined ? { cpus: opts.cpus } : {}),
        ...(opts.scheduling !== undefined ? { scheduling: opts.scheduling as Scheduling } : {}),
        log: (m, err) => ctx.stderr.write(`gateway: ${m}${err ? `: ${err instanceof Error ? err.message : String(err)}` : ''}\n`),
      }).catch(async (err: unknown) => {
        // A gateway that cannot start (its address taken) leaves its API feed polling: stop it, so the command exits.
        await source.close().catch(() => undefined);
        throw err;
      });
      const routes = gw.table().routes;
      const n = opts.workers !== undefined ? Number(opts.workers) : defaultWorkers(opts.dataPlane as DataPlane);
      const [one, many] = opts.dataPlane === 'haproxy' ? ['thread', 'threads'] : ['process', 'processes'];
      const cores = `${n} ${n === 1 ? one : many}${opts.cpus ? ` on CPUs ${opts.cpus}` : ''}${opts.dataPlane === 'haproxy' ? `, scheduling ${gw.scheduling}` : ''}`;
      ctx.stdout.write(`TrustStram gateway listening on ${gw.url} (${opts.dataPlane} data plane, ${cores}; routes from ${server}; ${routes.length} route(s))\n`);
      if (routes[0]) ctx.stdout.write(`Try: curl -H 'Host: ${routes[0].host}' ${gw.url}/\n`);
      ctx.stdout.write(`Admin: ${gw.adminUrl ?? `${gw.url}/_truststram`}/routes  Stop with Ctrl-C.\n`);
      const sig = await untilStopped();
      ctx.stderr.write(`${sig}: stopping gateway...\n`);
      await gw.close();
    });
}
