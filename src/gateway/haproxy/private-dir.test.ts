// The sweep of private directories left by killed gateways: real directories, a real process
// that exited (its pid is dead), and this process (alive).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readStartTicks } from '../../util/proc.js';
import { PRIVATE_DIR_PREFIX, createPrivateDir, sweepStalePrivateDirs } from './private-dir.js';

const parents: string[] = [];
afterEach(() => {
  for (const p of parents.splice(0)) rmSync(p, { recursive: true, force: true });
});
function parent(): string {
  const p = mkdtempSync(join(tmpdir(), 'truststram-test-sweep-'));
  parents.push(p);
  return p;
}
function dirOwnedBy(p: string, name: string, owner: string | undefined): string {
  const d = join(p, `${PRIVATE_DIR_PREFIX}${name}`);
  mkdirSync(d);
  if (owner !== undefined) writeFileSync(join(d, 'owner'), owner);
  writeFileSync(join(d, 'haproxy.cfg'), '# left behind\n');
  return d;
}

describe('HAProxy private directories', () => {
  it('removes the directories of gateways that are gone, and only those', () => {
    const p = parent();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const mine = createPrivateDir(p);
    const gone = dirOwnedBy(p, 'gone', `${dead} 1\n`);
    // Same pid as a live process, another start time: the pid was reused, the owner is gone.
    const reused = dirOwnedBy(p, 'reused', `${process.pid} ${(readStartTicks(process.pid) ?? 0) + 1}\n`);
    const unknown = dirOwnedBy(p, 'unknown', undefined);
    const garbled = dirOwnedBy(p, 'garbled', 'not a pid\n');
    expect(sweepStalePrivateDirs(p).sort()).toEqual([gone, reused].sort());
    for (const d of [mine, unknown, garbled]) expect(existsSync(d)).toBe(true);
    for (const d of [gone, reused]) expect(existsSync(d)).toBe(false);
    expect(sweepStalePrivateDirs(p)).toEqual([]);
  });

  it('answers nothing for a parent that does not exist', () => {
    expect(sweepStalePrivateDirs(join(tmpdir(), 'truststram-no-such-parent'))).toEqual([]);
  });
});
