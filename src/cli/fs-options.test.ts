import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliUserError } from './exit.js';
import { onPathOption, pathOptionError, requireReadableFile } from './fs-options.js';

let dir: string;
let file: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'truststram-fs-options-'));
  file = join(dir, 'plain');
  await writeFile(file, 'x');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('file-system options', () => {
  it('an OS failure on the option\'s path is one user error naming option, path and reason', async () => {
    const err = await onPathOption('--out', file, 'cannot write', () => mkdir(file)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliUserError);
    expect((err as Error).message).toBe(`--out ${file}: cannot write: a file of that name is in the way (a directory is needed) (EEXIST)`);
    expect(() => requireReadableFile('--token-file', dir)).toThrow(`--token-file ${dir}: cannot read it: it is a directory`);
    expect(() => requireReadableFile('--token-file', join(dir, 'absent'))).toThrow(/no such file or directory \(ENOENT\)/);
  });

  it('leaves other failures as they are: another path, no path (listen), not an OS error', async () => {
    const other = await mkdir(join(file, 'x')).catch((e: unknown) => e);
    expect(pathOptionError('--data-dir', join(dir, 'elsewhere'), other)).toBeUndefined();
    expect(pathOptionError('--data-dir', dir, Object.assign(new Error('listen'), { code: 'EADDRNOTAVAIL', syscall: 'listen' }))).toBeUndefined();
    const bug = new TypeError('bug');
    await expect(onPathOption('--out', file, 'cannot write', () => Promise.reject(bug))).rejects.toBe(bug);
  });
});
