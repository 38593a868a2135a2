// The evidence bundle: a directory an auditor can check offline. It holds the report (JSON and
// HTML), the policies, the placements and a slice of the audit chain (JSON Lines), plus a
// manifest with the SHA-256 of every file and the chain's anchor and head. `verifyEvidenceBundle`
// re-checks all of it without a server and names the first bad file or entry.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { API_VERSION, BadRequestError, TrustStramError, type ApiObject } from '../api/index.js';
import { GENESIS_HASH, parseJsonl, type AuditEntry } from '../audit/index.js';
import { verifyAuditSlice, type SliceExpectation } from './audit-slice.js';
import { renderReportHtml } from './render-html.js';
import type { ComplianceReportDoc } from './types.js';

export const MANIFEST_FILE = 'manifest.json';
export const BUNDLE_FILES = { reportJson: 'report.json', reportHtml: 'report.html', policies: 'policies.json', placements: 'placements.json', audit: 'audit.jsonl' } as const;

export interface BundleManifest {
  apiVersion: string;
  kind: 'EvidenceManifest';
  createdAt: string;
  /** The server the evidence was read from. */
  source?: string;
  /** Every other file of the bundle with its SHA-256 (lower-case hex) and size. */
  files: { path: string; sha256: string; bytes: number }[];
  /** The audit slice: entries firstSeq..headSeq; the first links to `anchorPrevHash`. */
  chain: SliceExpectation & { entries: number };
}

export interface BundleInputs {
  report: ComplianceReportDoc;
  policies: readonly ApiObject[];
  placements: readonly ApiObject[];
  /** The audit slice as exported (JSON Lines), oldest first. */
  auditJsonl: string;
  createdAt?: string;
  source?: string;
}

const sha256 = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * Builds every file of the bundle in memory (path → content), the manifest last.
 * @throws {ValidationError} when the audit export is malformed (nothing is written then)
 */
export function buildEvidenceBundle(inp: BundleInputs): Map<string, string> {
  const entries = parseJsonl(inp.auditJsonl);
  const files = new Map<string, string>([
    [BUNDLE_FILES.reportJson, JSON.stringify(inp.report, null, 2) + '\n'],
    [BUNDLE_FILES.reportHtml, renderReportHtml(inp.report)],
    [BUNDLE_FILES.policies, JSON.stringify({ apiVersion: API_VERSION, kind: 'PolicyList', items: inp.policies }, null, 2) + '\n'],
    [BUNDLE_FILES.placements, JSON.stringify({ apiVersion: API_VERSION, kind: 'PlacementList', items: inp.placements }, null, 2) + '\n'],
    [BUNDLE_FILES.audit, inp.auditJsonl],
  ]);
  const first = entries[0];
  const last = entries.at(-1);
  const manifest: BundleManifest = {
    apiVersion: API_VERSION,
    kind: 'EvidenceManifest',
    createdAt: inp.createdAt ?? new Date().toISOString(),
    ...(inp.source ? { source: inp.source } : {}),
    files: [...files].map(([path, content]) => ({ path, sha256: sha256(content), bytes: Buffer.byteLength(content) })),
    chain: { firstSeq: first?.seq ?? 1, headSeq: last?.seq ?? 0, headHash: last?.hash ?? GENESIS_HASH, anchorPrevHash: first?.prevHash ?? GENESIS_HASH, entries: entries.length },
  };
  files.set(MANIFEST_FILE, JSON.stringify(manifest, null, 2) + '\n');
  return files;
}

/** Writes a bundle into `dir` (created; it must not hold files already, so evidence is never mixed). */
export async function writeEvidenceBundle(dir: string, files: Map<string, string>): Promise<void> {
  await mkdir(dir, { recursive: true });
  const present = await readdir(dir);
  if (present.length) throw new BadRequestError(`${dir} is not empty (${present.slice(0, 3).join(', ')}${present.length > 3 ? ', ...' : ''}): choose a new directory for the evidence bundle`);
  for (const [path, content] of files) await writeFile(join(dir, path), content, { flag: 'wx' });
}


export interface BundleProblem {
  /** The file the problem is in. */
  file: string;
  /** The audit entry, for chain problems. */
  seq?: number;
  line?: number;
  problem: string;
}

export interface BundleVerifyResult {
  ok: boolean;
  /** Every problem found, the first one first (files in manifest order, then the chain). */
  problems: BundleProblem[];
  files: number;
  entries: number;
  chain?: BundleManifest['chain'];
  /** Files in the directory that the manifest does not list (reported, not fatal). */
  unlisted: string[];
}

/**
 * Verifies a bundle offline: the manifest, every file's SHA-256, the audit slice (contiguous,
 * linked, hashes recomputed, anchor and head as in the manifest) and that the report's audit head
 * lies on the slice. Never throws for a bad bundle: it reports.
 */
export async function verifyEvidenceBundle(dir: string): Promise<BundleVerifyResult> {
  const res: BundleVerifyResult = { ok: false, problems: [], files: 0, entries: 0, unlisted: [] };
  let manifest: BundleManifest;
  try {
    manifest = parseManifest(await readFile(join(dir, MANIFEST_FILE), 'utf8'));
  } catch (err) {
    res.problems.push({ file: MANIFEST_FILE, problem: (err as NodeJS.ErrnoException).code === 'ENOENT' ? `no ${MANIFEST_FILE} in ${dir}: not an evidence bundle` : (err as Error).message });
    return res;
  }
  res.chain = manifest.chain;
  const contents = new Map<string, Buffer>();
  for (const f of manifest.files) {
    let data: Buffer;
    try {
      data = await readFile(join(dir, f.path));
    } catch {
      res.problems.push({ file: f.path, problem: 'listed in the manifest but missing' });
      continue;
    }
    contents.set(f.path, data);
    res.files++;
    const actual = sha256(data);
    if (actual !== f.sha256) res.problems.push({ file: f.path, problem: `SHA-256 ${actual.slice(0, 16)}… does not match the manifest's ${f.sha256.slice(0, 16)}… (the file was changed)` });
  }
  const listed = new Set([MANIFEST_FILE, ...manifest.files.map((f) => f.path)]);
  res.unlisted = (await readdir(dir)).filter((n) => !listed.has(n)).sort();

  const audit = contents.get(BUNDLE_FILES.audit);
  if (!manifest.files.some((f) => f.path === BUNDLE_FILES.audit)) res.problems.push({ file: MANIFEST_FILE, problem: `the manifest does not list ${BUNDLE_FILES.audit}` });
  if (audit) {
    const entries = parseAudit(audit.toString('utf8'), res);
    if (entries) {
      res.entries = entries.entries.length;
      const p = verifyAuditSlice(entries.entries, manifest.chain, entries.lines);
      if (p) res.problems.push({ file: BUNDLE_FILES.audit, seq: p.seq, ...(p.line ? { line: p.line } : {}), problem: p.problem });
      else checkReportHead(contents.get(BUNDLE_FILES.reportJson), entries.entries, res);
    }
  }
  res.ok = res.problems.length === 0;
  return res;
}

function parseManifest(text: string): BundleManifest {
  let m: BundleManifest;
  try {
    m = JSON.parse(text) as BundleManifest;
  } catch (err) {
    throw new Error(`not JSON: ${(err as Error).message}`);
  }
  const hex = (s: unknown) => typeof s === 'string' && /^[0-9a-f]{64}$/.test(s);
  if (m?.kind !== 'EvidenceManifest' || !Array.isArray(m.files)) throw new Error('not an EvidenceManifest (kind and files are required)');
  for (const [i, f] of m.files.entries()) {
    if (typeof f?.path !== 'string' || !hex(f.sha256)) throw new Error(`files[${i}] needs a path and a 64-hex sha256`);
    if (f.path.includes('/') || f.path.includes('\\') || f.path.startsWith('.')) throw new Error(`files[${i}].path "${f.path}" must be a plain file name inside the bundle`);
  }
  const c = m.chain;
  if (!c || !Number.isSafeInteger(c.firstSeq) || !Number.isSafeInteger(c.headSeq) || !hex(c.headHash) || !hex(c.anchorPrevHash)) throw new Error('chain needs firstSeq, headSeq, headHash and anchorPrevHash');
  return m;
}

// Lines are kept so a problem can name the line an auditor opens; a malformed line is a problem.
function parseAudit(text: string, res: BundleVerifyResult): { entries: AuditEntry[]; lines: number[] } | undefined {
  const lines: number[] = [];
  text.split('\n').forEach((l, i) => l.trim() && lines.push(i + 1));
  try {
    return { entries: parseJsonl(text), lines };
  } catch (err) {
    const c = err instanceof TrustStramError ? err.causes[0] : undefined;
    const line = c ? Number(/line (\d+)/.exec(c.field)?.[1]) : undefined;
    res.problems.push({ file: BUNDLE_FILES.audit, ...(line ? { line } : {}), problem: c ? `${c.field}: ${c.message}` : (err as Error).message });
    return undefined;
  }
}

// The report verified the live chain up to some head; that head must be on the exported slice.
function checkReportHead(report: Buffer | undefined, entries: AuditEntry[], res: BundleVerifyResult): void {
  if (!report) return;
  let head: { headSeq?: number; headHash?: string; ok?: boolean } | undefined;
  try {
    head = (JSON.parse(report.toString('utf8')) as { audit?: typeof head }).audit;
  } catch {
    res.problems.push({ file: BUNDLE_FILES.reportJson, problem: 'not JSON' });
    return;
  }
  if (!head || typeof head.headSeq !== 'number' || head.headSeq < 1) return;
  const e = entries.find((x) => x.seq === head.headSeq);
  if (e && e.hash !== head.headHash)
    res.problems.push({ file: BUNDLE_FILES.reportJson, seq: head.headSeq, problem: `the report's verified audit head (entry ${head.headSeq}, ${String(head.headHash).slice(0, 12)}) is not entry ${head.headSeq} of the slice (${e.hash.slice(0, 12)})` });
}
