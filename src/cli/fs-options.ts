// File-system options (--data-dir, --out, --token-file, --log-dir): a path the OS refuses is
// the user's to fix, so it becomes one line naming the option, the path and the OS reason
// (exit 1) instead of a stack trace (exit 3).
import { closeSync, openSync, statSync } from 'node:fs';
import { access, constants, mkdir } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { CliUserError } from './exit.js';

// Words for the OS codes a mistyped or misplaced path produces; anything else shows its code.
const REASONS: Record<string, string> = {
  EEXIST: 'a file of that name is in the way (a directory is needed)',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EISDIR: 'it is a directory (a file is needed)',
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  ENAMETOOLONG: 'the path is too long',
  ELOOP: 'too many symbolic links',
};

/** An OS error (`EEXIST`, `EACCES`, ...) as Node raises it, with the path it was about. */
function osError(err: unknown): (NodeJS.ErrnoException & { code: string }) | undefined {
  const e = err as NodeJS.ErrnoException | undefined;
  return e && typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code) && typeof e.syscall === 'string' ? (e as NodeJS.ErrnoException & { code: string }) : undefined;
}

/** Whether `p` is `base` or lies inside it, or is one of its parents (mkdir -p fails on those). */
function related(p: string, base: string): boolean {
  const a = resolve(p);
  const b = resolve(base);
  const inside = (x: string, y: string) => {
    const r = relative(y, x);
    return r === '' || (!r.startsWith('..') && !isAbsolute(r));
  };
  return inside(a, b) || inside(b, a);
}

/**
 * The user error for an OS failure on the path given to `option` (`what` says what was being
 * done, e.g. "cannot create the directory"); undefined when `err` is not an OS error about that
 * path (a real bug, or another path, stays what it was).
 * @example pathOptionError('--out', 'x', err, 'cannot write') // CliUserError('--out x: cannot write: ... (EEXIST)')
 */
export function pathOptionError(option: string, path: string, err: unknown, what = 'cannot use it'): CliUserError | undefined {
  const e = osError(err);
  // Only errors about this very path: a listen failure or another file keeps its own meaning.
  if (!e || e.path === undefined || !related(e.path, path)) return undefined;
  const where = resolve(e.path) !== resolve(path) ? ` (at ${e.path})` : '';
  return new CliUserError(`${option} ${path}: ${what}: ${REASONS[e.code] ?? e.code} (${e.code})${where}`);
}

/** Runs `fn`, turning an OS failure on `path` into {@link pathOptionError}; other failures pass through. */
export async function onPathOption<T>(option: string, path: string, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw pathOptionError(option, path, err, what) ?? err;
  }
}

/** Checks before anything starts that `file` given to `option` is a readable regular file. */
export function requireReadableFile(option: string, file: string): void {
  try {
    if (statSync(file).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR', syscall: 'open', path: file });
    // Opening is the only honest test of readability (permissions, ACLs, root).
    closeSync(openSync(file, 'r'));
  } catch (err) {
    throw pathOptionError(option, file, err, 'cannot read it') ?? err;
  }
}

/** Creates `dir` given to `option` when missing and checks that it can be written to. */
export async function requireWritableDir(option: string, dir: string): Promise<void> {
  await onPathOption(option, dir, 'cannot write there', async () => {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  });
}
