// `truststram delete (-f FILE | KIND NAME)`: removes objects; with -f, every object named in
// the files goes in one atomic request, so a missing one leaves everything in place.
import type { Command } from 'commander';
import { DEFAULT_NAMESPACE, ValidationError } from '../../api/index.js';
import { resourcePath } from '../client.js';
import type { CliContext } from '../context.js';
import { displayName, kindArg, loadManifests, locateServerError } from '../manifests.js';
import { collect, resultLine, type ApplyResponse } from './apply.js';

export const DELETE_PATH = '/api/v1alpha1/delete';

export function registerDelete(program: Command, ctx: CliContext): void {
  program
    .command('delete')
    .description('Delete the objects named in files (atomically: all or none), or one object by kind and name')
    .argument('[kind]', 'kind of the object to delete')
    .argument('[name]', 'name of the object to delete')
    .option('-f, --filename <path>', 'delete every object in a file, folder or - (stdin); repeatable', collect, [])
    .option('-n, --namespace <ns>', `namespace (default "${DEFAULT_NAMESPACE}")`)
    .option('--dry-run', 'check that everything exists and show what would be deleted, delete nothing')
    .addHelpText('after', '\nExamples:\n  truststram delete workload batch-report -n analytics\n  truststram delete -f examples/workloads.yaml')
    .action(async (kind: string | undefined, name: string | undefined, opts: { filename: string[]; namespace?: string; dryRun?: boolean }, cmd: Command) => {
      const client = ctx.client(cmd);
      const suffix = opts.dryRun ? ' (dry run)' : '';
      if (opts.filename.length) {
        if (kind) throw usage('give either -f FILE or KIND NAME, not both');
        const objects = await loadManifests(opts.filename, opts.namespace ?? DEFAULT_NAMESPACE);
        const items = objects.map(({ object: o }) => ({ apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) } }));
        let res: ApplyResponse;
        try {
          res = await client.request<ApplyResponse>('POST', DELETE_PATH, { items, dryRun: !!opts.dryRun, sources: objects.map((o) => ({ file: o.file, document: o.document })) });
        } catch (err) {
          throw locateServerError(err, objects);
        }
        for (const r of res.results ?? []) ctx.stdout.write(resultLine({ ...r, outcome: 'deleted' }, suffix) + '\n');
        return;
      }
      if (!kind || !name) throw usage('give -f FILE, or KIND and NAME (e.g. "delete workload api -n team-a")');
      const info = kindArg(kind);
      const ns = info.namespaced ? (opts.namespace ?? DEFAULT_NAMESPACE) : undefined;
      const path = resourcePath(info, ns, name) + (opts.dryRun ? '?dryRun=All' : '');
      await client.request('DELETE', path);
      ctx.stdout.write(`${displayName({ kind: info.kind, metadata: { name } })} deleted${suffix}\n`);
    });
}

function usage(message: string): ValidationError {
  return new ValidationError(message, [{ field: 'arguments', message }]);
}
