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
  const sources = await readSources(paths, stdin);
  const docs: RawDocument[] = parseSources(sources);
  const objects = validateDocuments(docs, defaultNamespace);
  // validateDocuments keeps the order of valid documents; all are valid here, so they pair 1:1.
  return objects.map((object, i) => ({ object, file: docs[i]!.file, document: docs[i]!.index }));
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
