// Reading manifests for apply, plan and delete: files, folders and stdin, validated locally
// first so errors name the file, document and field before anything reaches the server.
import {
  DEFAULT_NAMESPACE,
  GROUP,
  ValidationError,
  kindInfo,
  objectKey,
  parseSources,
  readSources,
  resolveKind,
  validateDocuments,
  type AnyObject,
  type Cause,
  type KindInfo,
  type RawDocument,
  type Source,
} from '../api/index.js';
import type { ApiError } from './client.js';
import { CliUserError } from './exit.js';

/** A validated object with where it came from. */
export interface SourcedObject {
  object: AnyObject;
  file: string;
  document: number;
}

/** Reads, parses and validates every path (`-` is stdin). Throws one ValidationError with all causes. */
export async function loadManifests(paths: string[], defaultNamespace = DEFAULT_NAMESPACE, stdin?: () => Promise<Buffer>): Promise<SourcedObject[]> {
  if (paths.length === 0) throw new CliUserError('no input: give -f FILE, -f DIR or -f - (stdin)');
  const sources = await readEach(paths, stdin);
  const docs: RawDocument[] = parseEach(sources);
  const objects = validateDocuments(docs, defaultNamespace);
  // validateDocuments keeps the order of valid documents; all are valid here, so they pair 1:1.
  return objects.map((object, i) => ({ object, file: docs[i]!.file, document: docs[i]!.index }));
}

/**
 * Parses source by source, so that a failure the shared loader does not classify (a YAML alias
 * with no anchor, an alias bomb) is located in its file and document like every other problem.
 */
function parseEach(sources: Source[]): RawDocument[] {
  const docs: RawDocument[] = [];
  const causes: Cause[] = [];
  for (const s of sources) {
    try {
      docs.push(...parseSources([s]));
    } catch (err) {
      // The loader reports bad input (aliases included) as causes; anything else is a bug.
      if (!(err instanceof ValidationError)) throw err;
      causes.push(...err.causes);
    }
  }
  if (causes.length) throw invalidInput(causes);
  return docs;
}

/**
 * Reads path by path, so that a folder holding no manifest is named (otherwise it would reach
 * the server as an empty apply and come back as "items: must not be empty").
 */
async function readEach(paths: string[], stdin?: () => Promise<Buffer>): Promise<Source[]> {
  const sources: Source[] = [];
  const causes: Cause[] = [];
  for (const p of paths) {
    let found: Source[];
    try {
      found = await readSources([p], stdin);
    } catch (err) {
      // A file or folder the OS refuses (EACCES, ELOOP) is the user's to fix, not a bug.
      const e = err as NodeJS.ErrnoException;
      if (err instanceof ValidationError || !e?.code) throw err;
      causes.push({ file: e.path ?? p, field: '', message: `cannot read: ${e.code}${e.syscall ? ` (${e.syscall})` : ''}` });
      continue;
    }
    if (found.length === 0 && p !== '-') causes.push({ file: p, field: '', message: 'no .yaml, .yml or .json files found in this directory (searched recursively)' });
    sources.push(...found);
  }
  if (causes.length) throw invalidInput(causes);
  return sources;
}

/** kubectl's `workload.truststram.io/payments-api`. */
export function displayName(o: { kind: string; metadata: { name: string } }): string {
  return `${o.kind.toLowerCase()}.${GROUP}/${o.metadata.name}`;
}

/**
 * Adds file/document locations to server errors that name an object but not where it came
 * from (a resourceVersion conflict, a policy denial), so every error points into the input.
 */
export function locateServerError(err: unknown, objects: SourcedObject[]): unknown {
  const e = err as ApiError;
  if (!(e instanceof Error) || !Array.isArray(e.causes)) return err;
  const name = e.status?.details?.name;
  const kind = e.status?.details?.kind;
  const match = objects.find((o) => o.object.metadata.name === name && (!kind || sameKind(o.object.kind, kind)));
  if (e.causes.length === 0 && match) {
    const field = e.reason === 'Conflict' ? 'metadata.resourceVersion' : '';
    e.causes.push({ file: match.file, document: match.document, object: objectKey(match.object), field, message: e.message });
  } else if (e.causes.length > 0 && objects.length > 0) {
    for (const c of e.causes as Cause[]) {
      if (c.file !== undefined || /^.+: document \d+/.test(c.field)) continue;
      if (match) Object.assign(c, { file: match.file, document: match.document, object: objectKey(match.object) });
    }
  }
  return err;
}

function sameKind(a: string, b: string): boolean {
  const ka = resolveKind(a);
  const kb = resolveKind(b);
  return !!ka && ka === kb;
}

/** Resolves a KIND argument (`workloads`, `wl`, `Workload`) or fails with the known kinds. */
export function kindArg(name: string): KindInfo {
  const info = resolveKind(name) ?? kindInfo(name);
  if (!info)
    throw new ValidationError(`unknown resource type "${name}"`, [
      { field: 'KIND', message: `unknown resource type "${name}": try clusters, workloads, policies, budgets, placements, events or regions` },
    ]);
  return info;
}

/** One ValidationError holding `causes`, with the first of them as its message. */
export function invalidInput(causes: Cause[]): ValidationError {
  const c = causes[0]!;
  const first = `${c.file ?? ''}${c.document !== undefined ? `: document ${c.document}` : ''}: ${c.field ? `${c.field}: ` : ''}${c.message}`;
  return new ValidationError(causes.length === 1 ? first : `${causes.length} errors, first: ${first}`, causes);
}
