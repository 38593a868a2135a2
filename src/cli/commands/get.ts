// `truststram get KIND [NAME]`: kubectl-like listing with per-kind columns, label selectors,
// namespaces, -o table|wide|json|yaml and --watch; plus `get regions` for the region catalog.
import type { Command } from 'commander';
import { DEFAULT_NAMESPACE, ValidationError, type KindInfo } from '../../api/index.js';
import { resourcePath, type Client, type ListResponse } from '../client.js';
import { columnsFor, rowsFor } from '../columns.js';
import type { CliContext } from '../context.js';
import { loadInstanceSizer } from '../components.js';
import { kindArg } from '../manifests.js';
import { OUTPUT_FORMATS, formatTable, toJson, toYaml, type OutputFormat } from '../output.js';
import { getRegions } from './regions.js';

export interface GetOptions {
  namespace?: string;
  allNamespaces?: boolean;
  selector?: string;
  output: string;
  watch?: boolean;
  provider?: string;
  residency?: string;
}

/** Checks `-o` once at the boundary. */
export function outputFormat(v: string, allowed: readonly string[] = OUTPUT_FORMATS): OutputFormat {
  if (!allowed.includes(v))
    throw new ValidationError(`unknown output format "${v}"`, [{ field: '--output', message: `unknown output format "${v}": expected one of ${allowed.join(', ')}` }]);
  return v as OutputFormat;
}

/** The list path for a kind in the chosen scope, with the label selector. */
export function listPath(info: KindInfo, namespace: string | undefined, selector?: string, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams(extra);
  if (selector) q.set('labelSelector', selector);
  const qs = q.toString();
  return resourcePath(info, namespace) + (qs ? `?${qs}` : '');
}

export function registerGet(program: Command, ctx: CliContext): void {
  program
    .command('get')
    .description('List objects of a kind, or show one (kinds: clusters, workloads, policies, budgets, placements, events, regions)')
    .argument('<kind>', 'clusters|cl, workloads|wl, policies, budgets, placements, events, regions')
    .argument('[name]', 'one object by name')
    .option('-n, --namespace <ns>', `namespace of namespaced kinds (default "${DEFAULT_NAMESPACE}")`)
    .option('-A, --all-namespaces', 'list across every namespace')
    .option('-l, --selector <selector>', 'label selector, e.g. team=payments,tier in (0,1)')
    .option('-o, --output <format>', 'table, wide, json or yaml', 'table')
    .option('-w, --watch', 'after listing, stream changes until Ctrl-C')
    .option('--provider <provider>', 'regions only: aws, azure or gcp')
    .option('--residency <jurisdiction>', 'regions only: eu, us, uk, ca, ch, apac, ...')
    .addHelpText(
      'after',
      `
Examples:
  truststram get clusters
  truststram get workloads -A -o wide
  truststram get workload payments-api -n payments -o yaml
  truststram get clusters -l provider=aws --watch
  truststram get regions --provider gcp --residency eu

"get regions" asks the server (its catalog is the one admission uses) and falls back to the
catalog built into this CLI when no server is reachable.`,
    )
    .action(async (kind: string, name: string | undefined, opts: GetOptions, cmd: Command) => {
      const format = outputFormat(opts.output);
      if (['regions', 'region'].includes(kind.toLowerCase())) {
        await getRegions(ctx, ctx.client(cmd), { provider: opts.provider, residency: opts.residency, format });
        return;
      }
      const info = kindArg(kind);
      const all = !!opts.allNamespaces && !name;
      const ns = info.namespaced ? (all ? undefined : (opts.namespace ?? DEFAULT_NAMESPACE)) : undefined;
      const client = ctx.client(cmd);
      if (name) {
        const obj = await client.request('GET', resourcePath(info, ns, name));
        await print(ctx, info, [obj], format, false, obj);
        if (opts.watch) await watch(ctx, client, info, ns, opts.selector, format, all, undefined, name);
        return;
      }
      const list = await client.request<ListResponse>('GET', listPath(info, ns, opts.selector));
      if (list.items.length === 0 && (format === 'table' || format === 'wide') && !opts.watch)
        ctx.stderr.write(`No ${info.plural} found${ns ? ` in namespace ${ns}` : ''}.\n`);
      else await print(ctx, info, list.items, format, all, list);
      if (opts.watch) await watch(ctx, client, info, ns, opts.selector, format, all, list.metadata?.resourceVersion);
    });
}

async function print(ctx: CliContext, info: KindInfo, items: unknown[], format: OutputFormat, all: boolean, raw: unknown): Promise<void> {
  if (format === 'json') ctx.stdout.write(toJson(raw));
  else if (format === 'yaml') ctx.stdout.write(toYaml(raw));
  else {
    const cols = columnsFor(info.kind, format === 'wide', all);
    const sizer = info.kind === 'Cluster' ? await loadInstanceSizer() : undefined;
    ctx.stdout.write(formatTable(cols.map((c) => c.header), rowsFor(items, cols, Date.now(), sizer)));
  }
}

// Streams changes after the listed revision until Ctrl-C; one row (or JSON line) per event.
async function watch(ctx: CliContext, client: Client, info: KindInfo, ns: string | undefined, selector: string | undefined, format: OutputFormat, all: boolean, rv?: string, name?: string): Promise<void> {
  const ac = new AbortController();
  const stop = () => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const extra: Record<string, string> = { watch: 'true' };
    if (rv) extra.resourceVersion = rv;
    const cols = columnsFor(info.kind, format === 'wide', all);
    for await (const ev of client.watch(listPath(info, ns, selector, extra), ac.signal)) {
      if (name && ev.object?.metadata?.name !== name) continue;
      if (format === 'json') ctx.stdout.write(JSON.stringify(ev) + '\n');
      else if (format === 'yaml') ctx.stdout.write('---\n' + toYaml(ev));
      else ctx.stdout.write(`${ev.type.padEnd(9)}${rowsFor([ev.object], cols)[0]!.join('   ')}\n`);
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
