import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findPgBinDir, requirePgBinDir } from './pg-harness.js';

describe('requirePgBinDir', () => {
  it('fails loudly under CI when the server binaries are missing', () => {
    expect(() => requirePgBinDir({ CI: 'true' }, () => undefined, () => undefined)).toThrow(/not found; install them with: apt-get install -y postgresql \(required because CI is set\)/);
  });

  it('skips with a message naming the install command elsewhere', () => {
    const lines: string[] = [];
    expect(requirePgBinDir({}, () => undefined, (l) => lines.push(l))).toBeUndefined();
    expect(lines).toEqual([expect.stringMatching(/^skipping the Postgres store tests: .*apt-get install -y postgresql/)]);
  });

  it('finds a directory that really holds initdb, pg_ctl and postgres, or none', () => {
    const dir = findPgBinDir();
    if (dir) for (const b of ['initdb', 'pg_ctl', 'postgres']) expect(existsSync(join(dir, b))).toBe(true);
    expect(requirePgBinDir({ CI: 'true' }, () => '/x/bin')).toBe('/x/bin');
  });
});
