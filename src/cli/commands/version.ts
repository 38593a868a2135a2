// `truststram version`: the CLI's version and, when reachable, the server's.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UnreachableError } from '../client.js';
import type { CliContext } from '../context.js';
import { toJson } from '../output.js';

/** The package version, read from package.json next to src/ and dist/. */
export function cliVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function registerVersion(program: Command, ctx: CliContext): void {
  program
    .command('version')
    .description("Print the CLI's version and the server's (exit 2 when the server is unreachable, unless --client)")
    .option('--client', 'only the CLI version; do not contact a server')
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (opts: { client?: boolean; output: string }, cmd: Command) => {
      const client = { version: cliVersion(), node: process.version };
      let server: unknown;
      let failure: unknown;
      if (!opts.client) {
        try {
          server = await ctx.client(cmd).request('GET', '/version');
        } catch (err) {
          failure = err;
        }
      }
      if (opts.output === 'json') ctx.stdout.write(toJson({ client, ...(server ? { server } : {}) }));
      else {
        ctx.stdout.write(`Client Version: ${client.version} (node ${client.node})\n`);
        if (server) {
          const s = server as { version?: string; gitVersion?: string; store?: string };
          ctx.stdout.write(`Server Version: ${s.version ?? s.gitVersion ?? JSON.stringify(server)}${s.store ? ` (store ${s.store})` : ''}\n`);
        }
      }
      if (failure && !(failure instanceof UnreachableError && opts.client)) throw failure;
    });
}
