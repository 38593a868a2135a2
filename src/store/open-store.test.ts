// Which store a `--store` / `--data-dir` string opens, and what a typo in it gets: never a
// SQLite store quietly created under a directory named like a URL.
import { mkdtempSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../api/index.js';
import { openStore } from './open-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('openStore', () => {
  it('refuses URL-looking typos instead of opening a SQLite store in a directory named after them', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'ts-open-store-'));
    dirs.push(cwd);
    const before = process.cwd();
    process.chdir(cwd);
    try {
      for (const spec of ['postgres:/db', 'postgresql:db', 'POSTGRES:/x']) {
        await expect(openStore(spec)).rejects.toThrow(ValidationError);
        await expect(openStore(spec)).rejects.toThrow(/is not a Postgres URL/);
      }
      for (const spec of ['postgress://db', 'postgress:/db', 'mysql://u@h/db']) await expect(openStore(spec)).rejects.toThrow(/unknown store scheme/);
      expect(existsSync(join(cwd, 'postgres:'))).toBe(false);
      expect(existsSync(join(cwd, 'postgress:'))).toBe(false);
      // A directory whose name has a colon is still a directory, written as a path.
      const s = await openStore('./data:1');
      await s.close();
      expect(existsSync(join(cwd, 'data:1', 'truststram.db'))).toBe(true);
    } finally {
      process.chdir(before);
    }
  });
});
