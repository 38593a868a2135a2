// `truststram apply -f FILE|DIR|-`: validate locally, then ONE atomic request to the server,
// which admits and commits everything or nothing. Prints kubectl's "<kind>.<group>/<name> <outcome>".
import type { Command } from 'commander';
import { kindInfo } from '../../api/index.js';
import type { ApiError, Client } from '../client.js';
import { checkRequestSize, requestTooLarge } from '../request-size.js';
import { requireSelector } from '../selector.js';
import type { CliContext } from '../context.js';
import { fetchVerdicts, formatVerdicts } from './compliance.js';
import { displayName, loadManifests, locateServerError, type SourcedObject } from '../manifests.js';

export const APPLY_PATH = '/api/v1alpha1/apply';

/** One line of the server's apply answer (the Store's MutationResult over HTTP). */
export interface ApplyResultItem {
  outcome: 'created' | 'configured' | 'unchanged' | 'deleted' | string;
  object?: { kind: string; metadata: { name: string; namespace?: string; resourceVersion?: string } };
  ref?: { kind: string; namespace?: string; name: string };
}

export interface ApplyResponse {
  results: ApplyResultItem[];
  resourceVersion?: string;
  /** Admission warnings (policies in `warn` mode): shown, never fatal. */
  warnings?: string[];
}

/** Sends validated objects as one atomic apply; server errors are pointed back at their file and document. */
export async function applyObjects(client: Client, objects: SourcedObject[], dryRun = false, opts: { namespace?: string; pruneSelector?: string } = {}): Promise<ApplyResponse> {
  const body = {
    items: objects.map((o) => o.object),
    dryRun,
    sources: objects.map((o) => ({ file: o.file, document: o.document })),
    ...(opts.namespace ? { namespace: opts.namespace } : {}),
    ...(opts.pruneSelector ? { prune: { labelSelector: opts.pruneSelector } } : {}),
  };
  checkRequestSize(body, objects, 'apply');
  try {
    return await client.request<ApplyResponse>('POST', APPLY_PATH, body);
  } catch (err) {
    if ((err as ApiError).reason === 'RequestEntityTooLarge') throw requestTooLarge(objects, 'apply', (err as Error).message);
    throw locateServerError(err, objects);
  }
}

/** `workload.truststram.io/payments-api created` for one result. */
export function resultLine(r: ApplyResultItem, suffix = ''): string {
  const obj = r.object ?? (r.ref ? { kind: r.ref.kind, metadata: { name: r.ref.name } } : undefined);
  return `${obj ? displayName(obj) : '<unknown>'} ${r.outcome}${suffix}`;
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerApply(program: Command, ctx: CliContext): void {
  program
    .command('apply')
    .description('Create or update the objects in files, folders or stdin, atomically: one bad document rejects the whole apply')
    .option('-f, --filename <path>', 'a YAML/JSON file, a folder (read recursively) or - for stdin; repeatable', collect, [])
    .option('-n, --namespace <ns>', 'namespace for namespaced objects that do not name one', 'default')
    .option('--dry-run', 'validate and admit on the server, show what would happen, write nothing')
    .option('--prune', 'also delete objects matching -l that are not in the files (in the same atomic apply)')
    .option('-l, --selector <selector>', 'label selector of the objects --prune may delete')
    .addHelpText(
      'after',
      `
Examples:
  truststram apply -f examples/
  truststram apply -f fleet.yaml -f workloads.yaml --dry-run
  cat workload.yaml | truststram apply -f -`,
    )
    .action(async (opts: { filename: string[]; namespace: string; dryRun?: boolean; prune?: boolean; selector?: string }, cmd: Command) => {
      const pruneSelector = opts.prune ? requireSelector(opts.selector) : undefined;
      const objects = await loadManifests(opts.filename, opts.namespace);
      for (const o of objects)
        if (kindInfo(o.object.kind)?.controllerOwned)
          ctx.stderr.write(`warning: ${displayName(o.object)}: ${o.object.kind} objects are written by controllers; yours may be overwritten\n`);
      const res = await applyObjects(ctx.client(cmd), objects, !!opts.dryRun, { namespace: opts.namespace, ...(pruneSelector ? { pruneSelector } : {}) });
      const suffix = opts.dryRun ? ' (dry run)' : '';
      for (const w of res.warnings ?? []) ctx.stderr.write(`warning: ${w}\n`);
      for (const r of res.results ?? []) ctx.stdout.write(resultLine(r, suffix) + '\n');
      if (opts.dryRun) {
        const verdicts = await fetchVerdicts(ctx.client(cmd), objects, opts.namespace);
        if (verdicts) ctx.stdout.write(formatVerdicts(verdicts));
      }
    });
}
