// `truststram audit log|verify|export`: read the hash-chained audit log, check it end to end
// (exit 1 naming the first bad entry), and export it as JSON Lines with the chain hashes.
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ValidationError } from '../../api/index.js';
import type { Client } from '../client.js';
import type { CliContext } from '../context.js';
import { CliUserError } from '../exit.js';
import { onPathOption } from '../fs-options.js';
import { formatTable, parseSince, toJson } from '../output.js';
import { outputFormat } from './get.js';

export const AUDIT_PATH = '/api/v1alpha1/audit';

/** An audit entry as the server sends it (the Store's AuditEntry). */
export interface AuditEntryBody {
  seq: number;
  time: string;
  actor: string;
  verb: string;
  kind?: string;
  namespace?: string;
  name?: string;
  resourceVersion?: string;
  hash?: string;
  prevHash?: string;
  details?: Record<string, unknown>;
}

export interface AuditFilter {
  since?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  limit?: number;
}

/** Reads audit entries; accepts `{items}` or a bare array from the server. */
export async function fetchAudit(client: Client, f: AuditFilter = {}): Promise<AuditEntryBody[]> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v !== undefined) q.set(k, String(v));
  const res = await client.request<{ items?: AuditEntryBody[] } | AuditEntryBody[]>('GET', `${AUDIT_PATH}${q.size ? `?${q}` : ''}`);
  return Array.isArray(res) ? res : (res.items ?? []);
}

function objectOf(e: AuditEntryBody): string {
  if (!e.kind) return '';
  return [e.kind, e.namespace, e.name].filter(Boolean).join('/');
}

export function registerAudit(program: Command, ctx: CliContext): void {
  const audit = program
    .command('audit')
    .description('Read, verify and export the tamper-evident audit log (a SHA-256 hash chain of every change and decision)');

  audit
    .command('log')
    .description('List audit entries, oldest first')
    .option('--since <when>', 'only entries newer than a duration (90s, 15m, 1h, 7d) or an ISO time')
    .option('-o, --output <format>', 'table or json', 'table')
    .addHelpText('after', '\nExamples:\n  truststram audit log --since 1h\n  truststram audit log -o json | jq .')
    .action(async (opts: { since?: string; output: string }, cmd: Command) => {
      const format = outputFormat(opts.output, ['table', 'wide', 'json']);
      let since: string | undefined;
      if (opts.since !== undefined) {
        since = parseSince(opts.since);
        if (!since) throw new ValidationError(`invalid --since "${opts.since}"`, [{ field: '--since', message: `"${opts.since}" is neither a duration (1h, 30m) nor an ISO time` }]);
      }
      const entries = await fetchAudit(ctx.client(cmd), { since });
      if (format === 'json') return void ctx.stdout.write(toJson({ items: entries }));
      const rows = entries.map((e) => [String(e.seq), e.time, e.actor, e.verb, objectOf(e), e.resourceVersion ?? '', ...(format === 'wide' ? [e.hash?.slice(0, 16) ?? ''] : [])]);
      ctx.stdout.write(formatTable(['SEQ', 'TIME', 'ACTOR', 'VERB', 'OBJECT', 'REVISION', ...(format === 'wide' ? ['HASH'] : [])], rows));
    });

  audit
    .command('verify')
    .description('Recompute the whole hash chain; exit 1 and name the first bad entry if anything was edited, deleted, inserted or reordered')
    .option('--bundle <dir>', 'verify an evidence bundle offline (no server): every file digest, the chain links, a contiguous slice')
    .action(async (opts: { bundle?: string }, cmd: Command) => {
      if (opts.bundle !== undefined) return verifyBundle(ctx, opts.bundle);
      const r = await ctx.client(cmd).request<{ ok: boolean; entries: number; headHash?: string; firstBad?: { seq: number; problem: string } }>('GET', `${AUDIT_PATH}/verify`);
      if (!r.ok) {
        const bad = r.firstBad;
        throw new CliUserError(`audit chain is BROKEN${bad ? ` at entry ${bad.seq}: ${bad.problem}` : ''}`, [`checked ${r.entries} entries; entries from ${bad?.seq ?? '?'} on cannot be trusted`]);
      }
      ctx.stdout.write(`audit chain OK: ${r.entries} entries verified, head ${r.headHash ?? '<empty>'}\n`);
    });

  audit
    .command('export')
    .description('Write the whole audit log as JSON Lines (one entry per line, with prevHash and hash) to stdout or a file')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (opts: { out?: string }, cmd: Command) => {
      const text = await exportAudit(ctx.client(cmd));
      if (opts.out) {
        await onPathOption('--out', opts.out, 'cannot write the audit log there', () => writeFile(opts.out!, text));
        ctx.stderr.write(`wrote ${text.split('\n').filter(Boolean).length} entries to ${opts.out}\n`);
      } else ctx.stdout.write(text);
    });
}

/** `audit verify --bundle DIR`: offline; exit 1 naming the first bad file or entry. */
async function verifyBundle(ctx: CliContext, dir: string): Promise<void> {
  const { verifyEvidenceBundle } = await import('../../compliance/index.js');
  const r = await verifyEvidenceBundle(dir);
  for (const u of r.unlisted) ctx.stderr.write(`warning: ${u} is in the bundle directory but not in its manifest (not verified)\n`);
  if (!r.ok) {
    const where = (p: (typeof r.problems)[number]) => `${p.file}${p.line ? `: line ${p.line}` : ''}${p.seq !== undefined ? ` (entry ${p.seq})` : ''}`;
    const first = r.problems[0]!;
    throw new CliUserError(`evidence bundle ${dir} is INVALID: ${where(first)}: ${first.problem}`, r.problems.slice(1).map((p) => `  also: ${where(p)}: ${p.problem}`));
  }
  const c = r.chain!;
  ctx.stdout.write(`evidence bundle OK: ${r.files} files match their SHA-256 digests; audit entries ${r.entries ? `${c.firstSeq}..${c.headSeq}` : '(none)'} form an unbroken chain, head ${c.headHash}\n`);
}

/** The raw JSON Lines export, newline terminated when non-empty. */
export async function exportAudit(client: Client): Promise<string> {
  const text = await client.text(`${AUDIT_PATH}/export`);
  return text && !text.endsWith('\n') ? text + '\n' : text;
}
