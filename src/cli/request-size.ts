// The size of one apply (or plan) request, checked before sending: documents within the 1 MiB
// and files within the 64 MiB limits can still add up past what the server reads in one request.
// Imported from the server's options file alone (not its index, which opens SQLite): one number.
import { DEFAULT_MAX_BODY_BYTES } from '../server/options.js';
import { CliUserError } from './exit.js';
import type { SourcedObject } from './manifests.js';

/** The largest request body a TrustStram server reads (its `maxBodyBytes` default). */
export const MAX_REQUEST_BYTES = DEFAULT_MAX_BODY_BYTES;

const MIB = 1024 * 1024;
const mib = (n: number) => `${Number((n / MIB).toFixed(1))} MiB`;

/**
 * Refuses, before anything is sent, a request whose JSON encoding of `body` is larger than
 * `limit`: a user error naming the total, the limit and each file's share (largest first).
 * `verb` is the command (`apply`, `plan`).
 * @example checkRequestSize({ items }, objects, 'apply')
 */
export function checkRequestSize(body: unknown, objects: SourcedObject[], verb: string, limit = MAX_REQUEST_BYTES): void {
  const total = Buffer.byteLength(JSON.stringify(body));
  if (total <= limit) return;
  throw tooLarge(objects, verb, `the files add up to ${mib(total)} in one request; the server accepts at most ${mib(limit)} per ${verb}; nothing was sent`);
}

/**
 * The same error for a request the server itself refused as too large (its limit may be lower
 * than the default), so the user still learns which files to split.
 */
export function requestTooLarge(objects: SourcedObject[], verb: string, serverMessage: string): CliUserError {
  return tooLarge(objects, verb, `the server refused the ${verb} as too large (${serverMessage}); nothing was changed`);
}

function tooLarge(objects: SourcedObject[], verb: string, headline: string): CliUserError {
  const byFile = new Map<string, { bytes: number; documents: number }>();
  for (const o of objects) {
    const f = byFile.get(o.file) ?? { bytes: 0, documents: 0 };
    f.bytes += Buffer.byteLength(JSON.stringify(o.object));
    f.documents += 1;
    byFile.set(o.file, f);
  }
  const files = [...byFile].sort((a, b) => b[1].bytes - a[1].bytes);
  return new CliUserError(headline, [
    ...files.slice(0, 20).map(([file, f]) => `${file}: ${mib(f.bytes)} (${f.documents} document${f.documents === 1 ? '' : 's'})`),
    ...(files.length > 20 ? [`... and ${files.length - 20} more files`] : []),
    `  Split the input and run one ${verb} per part${verb === 'apply' ? ' (each apply is atomic on its own)' : ''}.`,
  ]);
}
