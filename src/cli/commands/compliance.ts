// `truststram compliance report|evidence`: the compliance report (policy verdicts, residency map,
// audit chain, failover history) as a table, JSON or one self-contained HTML file, and the
// evidence bundle an auditor verifies offline with `truststram audit verify --bundle DIR`.
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ValidationError, kindInfo } from '../../api/index.js';
import type { ComplianceReportDoc } from '../../compliance/index.js';
import { resourcePath, type Client } from '../client.js';
import type { CliContext } from '../context.js';
import { CliUserError } from '../exit.js';
import { onPathOption } from '../fs-options.js';
import { parseSince, toJson } from '../output.js';
import { exportAudit } from './audit.js';

export const COMPLIANCE_PATH = '/api/v1alpha1/compliance';

// The compliance module renders HTML and hashes bundles; load it only for these commands.
const loadCompliance = () => import('../../compliance/index.js');

function sinceOption(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const iso = parseSince(v);
  if (!iso) throw new ValidationError(`invalid --since "${v}"`, [{ field: '--since', message: `"${v}" is neither a duration (1h, 7d) nor an ISO time` }]);
  return iso;
}

/** Fetches the report; `since` bounds the failover history. */
export async function fetchReport(client: Client, since?: string): Promise<ComplianceReportDoc> {
  return client.request<ComplianceReportDoc>('GET', `${COMPLIANCE_PATH}${since ? `?${new URLSearchParams({ since })}` : ''}`);
}

async function listAll(client: Client, kind: string): Promise<unknown[]> {
  const info = kindInfo(kind)!;
  return (await client.request<{ items: unknown[] }>('GET', resourcePath(info))).items ?? [];
}

export function registerCompliance(program: Command, ctx: CliContext): void {
  const compliance = program.command('compliance').description('Compliance evidence: policy verdicts, residency map, audit chain verification, failover history');

  compliance
    .command('report')
    .description('Re-evaluate every policy over everything stored and report: per-policy pass/fail/warn and the violators, where every workload runs, routes and sends data (with crossings), the audit chain, failovers with recovery times')
    .option('-o, --output <format>', 'table, json or html (one self-contained file)', 'table')
    .option('--out <file>', 'write to this file instead of stdout')
    .option('--since <when>', 'failover history since a duration (24h, 7d) or an ISO time (default 7d)')
    .option('--fail-on-violation', 'exit 1 when a deny policy fails, a residency boundary is crossed or the audit chain is broken')
    .addHelpText('after', '\nExamples:\n  truststram compliance report\n  truststram compliance report -o html --out compliance.html\n  truststram compliance report -o json | jq .residency.crossings')
    .action(async (opts: { output: string; out?: string; since?: string; failOnViolation?: boolean }, cmd: Command) => {
      if (!['table', 'json', 'html'].includes(opts.output))
        throw new ValidationError(`unknown output format "${opts.output}"`, [{ field: '--output', message: `unknown output format "${opts.output}": expected table, json or html` }]);
      const report = await fetchReport(ctx.client(cmd), sinceOption(opts.since));
      const c = await loadCompliance();
      const text = opts.output === 'json' ? toJson(report) : opts.output === 'html' ? c.renderReportHtml(report) : c.renderReportText(report);
      if (opts.out) {
        await onPathOption('--out', opts.out, 'cannot write the report there', () => writeFile(opts.out!, text));
        ctx.stderr.write(`wrote the compliance report to ${opts.out}\n`);
      } else ctx.stdout.write(text);
      const s = report.summary;
      if (opts.failOnViolation && (s.fail > 0 || s.residencyCrossings > 0 || !s.auditChainOk)) {
        throw new CliUserError(`compliance check failed: ${s.fail} deny violation(s), ${s.residencyCrossings} residency crossing(s), audit chain ${s.auditChainOk ? 'OK' : 'BROKEN'}`);
      }
    });

  compliance
    .command('evidence')
    .description('Write a self-contained evidence bundle: report (JSON + HTML), policies, placements, the audit chain slice (JSON Lines) and a manifest of SHA-256 digests with the chain head. Verify it offline with `truststram audit verify --bundle DIR`')
    .requiredOption('--out <dir>', 'a new (or empty) directory for the bundle')
    .option('--since <when>', 'audit slice and failover history since a duration (24h, 30d) or an ISO time (default: the whole chain, 7d of failovers)')
    .addHelpText('after', '\nExamples:\n  truststram compliance evidence --out evidence-2026-q4\n  truststram audit verify --bundle evidence-2026-q4')
    .action(async (opts: { out: string; since?: string }, cmd: Command) => {
      const since = sinceOption(opts.since);
      const client = ctx.client(cmd);
      // Report first: the audit slice read afterwards then contains the head the report verified.
      const report = await fetchReport(client, since);
      const [policies, placements] = await Promise.all([listAll(client, 'Policy'), listAll(client, 'Placement')]);
      const auditJsonl = since ? await exportSince(client, since) : await exportAudit(client);
      const c = await loadCompliance();
      const files = c.buildEvidenceBundle({ report, policies: policies as never, placements: placements as never, auditJsonl, source: client.server });
      await onPathOption('--out', opts.out, 'cannot write the evidence bundle there', () => c.writeEvidenceBundle(opts.out, files));
      const m = JSON.parse(files.get(c.MANIFEST_FILE)!) as { chain: { firstSeq: number; headSeq: number; headHash: string; entries: number } };
      ctx.stdout.write(
        `wrote evidence bundle ${opts.out}: ${files.size} files, audit entries ${m.chain.entries ? `${m.chain.firstSeq}..${m.chain.headSeq}` : '(none)'}, head ${m.chain.headHash}\n` +
          `verify offline with: truststram audit verify --bundle ${opts.out}\n`,
      );
    });
}

async function exportSince(client: Client, since: string): Promise<string> {
  const text = await client.text(`/api/v1alpha1/audit/export?${new URLSearchParams({ since })}`);
  return text && !text.endsWith('\n') ? text + '\n' : text;
}

/** One object's verdicts from `POST /api/v1alpha1/compliance/verdicts`. */
export interface VerdictLine {
  policy: string;
  rule: string;
  enforcement: string;
  message: string;
  field?: string;
}

export interface PolicyVerdicts {
  /** Admission-stage policies in force. */
  policies: number;
  items: { object: string; file?: string; document?: number; allowed: boolean; denials: VerdictLine[]; warnings: VerdictLine[]; audits: VerdictLine[] }[];
}

/**
 * Every policy's verdict on objects about to be applied (plan, apply --dry-run). Undefined when
 * the server has no compliance views (an older server): the plan itself still stands.
 */
export async function fetchVerdicts(client: Client, objects: { object: unknown; file: string; document: number }[], namespace?: string): Promise<PolicyVerdicts | undefined> {
  try {
    return await client.request<PolicyVerdicts>('POST', `${COMPLIANCE_PATH}/verdicts`, {
      items: objects.map((o) => o.object),
      sources: objects.map((o) => ({ file: o.file, document: o.document })),
      ...(namespace ? { namespace } : {}),
    });
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

/** `Policy verdicts: 7 policies, 3 objects: 2 warn, 1 audit` and one line per verdict. */
export function formatVerdicts(v: PolicyVerdicts): string {
  const lines: string[] = [];
  let warn = 0;
  let audit = 0;
  let deny = 0;
  for (const it of v.items) {
    for (const [label, list] of [['deny', it.denials], ['warn', it.warnings], ['audit', it.audits]] as const) {
      for (const x of list) lines.push(`  ${label.padEnd(5)} ${it.object}: ${x.policy}/${x.rule}${x.field ? ` (${x.field})` : ''}: ${x.message}`);
      if (label === 'deny') deny += list.length;
      else if (label === 'warn') warn += list.length;
      else audit += list.length;
    }
  }
  const head = `Policy verdicts: ${v.policies} admission polic${v.policies === 1 ? 'y' : 'ies'} on ${v.items.length} object(s): ${deny} deny, ${warn} warn, ${audit} audit${deny + warn + audit === 0 ? ' — all pass' : ''}`;
  return [head, ...lines].join('\n') + '\n';
}
