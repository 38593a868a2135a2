// HAProxy's private directory (configuration, map files, runtime-API socket), and the sweep of
// the ones a gateway left behind when it was killed (SIGKILL, OOM, power): each directory names
// its owner, by pid and start time, and a new gateway removes those whose owner is gone.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPidAlive, readStartTicks } from '../../util/proc.js';

export const PRIVATE_DIR_PREFIX = 'truststram-haproxy-';
const OWNER_FILE = 'owner';

/** Creates this process's private directory, recording it as the owner. */
export function createPrivateDir(parent = tmpdir()): string {
  const dir = mkdtempSync(join(parent, PRIVATE_DIR_PREFIX));
  writeFileSync(join(dir, OWNER_FILE), `${process.pid} ${readStartTicks(process.pid) ?? ''}\n`);
  return dir;
}

/**
 * Removes the private directories in `parent` whose owner process is gone (or whose pid now
 * names another process). Directories of live owners, of other users, and without an owner
 * file (not ours to judge) are left alone. Returns the directories removed.
 */
export function sweepStalePrivateDirs(parent = tmpdir()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    // (The access-log directories share the prefix but have no owner file: never removed here.)
    names = readdirSync(parent).filter((n) => n.startsWith(PRIVATE_DIR_PREFIX));
  } catch {
    return removed;
  }
  const uid = process.getuid?.();
  for (const name of names) {
    const dir = join(parent, name);
    try {
      if (uid !== undefined && statSync(dir).uid !== uid) continue;
      const [pidText, startText] = readFileSync(join(dir, OWNER_FILE), 'utf8').trim().split(' ');
      const pid = Number(pidText);
      if (!Number.isInteger(pid) || pid <= 0) continue;
      const alive = isPidAlive(pid) && (!startText || readStartTicks(pid) === Number(startText));
      if (alive) continue;
      rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    } catch {
      /* no owner file, or gone meanwhile: leave it */
    }
  }
  return removed;
}
