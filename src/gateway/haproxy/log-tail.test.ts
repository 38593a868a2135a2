import { appendFileSync, closeSync, fstatSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogTail, type LogTail } from './log-tail.js';

const dirs: string[] = [];
const tails: LogTail[] = [];
afterEach(async () => {
  for (const t of tails.splice(0)) await t.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(o: { reclaimEveryBytes?: number; intervalMs?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'truststram-logtail-'));
  dirs.push(dir);
  const path = join(dir, 'access.log');
  // As the gateway does for HAProxy's stdout: the writer appends, the tail reads.
  const fd = openSync(path, 'a');
  let text = '';
  const logs: string[] = [];
  const tail = createLogTail({ path, onText: (t) => void (text += t), log: (m) => void logs.push(m), ...o });
  tails.push(tail);
  return { path, fd, tail, text: () => text, logs };
}

describe('log tail', () => {
  it('reads what was appended, on its timer and on readNow, and everything at close', async () => {
    const { fd, tail, text } = setup({ intervalMs: 10 });
    writeSync(fd, 'one\ntw');
    await new Promise((r) => setTimeout(r, 50));
    expect(text()).toBe('one\ntw');
    writeSync(fd, 'o\n');
    tail.readNow();
    expect(text()).toBe('one\ntwo\n');
    writeSync(fd, 'three\n');
    await tail.close();
    expect(text()).toBe('one\ntwo\nthree\n');
    expect(tail.offset()).toBe(14);
    closeSync(fd);
  });

  it('never splits a UTF-8 character across two reads', () => {
    const { fd, tail, text } = setup({ intervalMs: 60_000 });
    const bytes = Buffer.from('/caf\u00e9\n', 'utf8');
    writeSync(fd, bytes.subarray(0, 5));
    tail.readNow();
    writeSync(fd, bytes.subarray(5));
    tail.readNow();
    expect(text()).toBe('/caf\u00e9\n');
    closeSync(fd);
  });

  it('reads more than one chunk in one go', () => {
    const { path, tail, text } = setup({ intervalMs: 60_000 });
    const line = `${'x'.repeat(99)}\n`;
    appendFileSync(path, line.repeat(30_000)); // 3 MB: three reads of 1 MiB and a rest
    tail.readNow();
    expect(text().length).toBe(3_000_000);
  });

  it('hands the part already read back to the file system, and loses nothing, with the file unlinked', async () => {
    // A real hole punch (fallocate(1), util-linux): the file's length keeps growing, its blocks do not.
    // The gateway unlinks the file once both ends are open; the punch goes through /proc.
    const { path, fd, tail, text, logs } = setup({ intervalMs: 60_000, reclaimEveryBytes: 1 << 20 });
    unlinkSync(path);
    const line = `${'y'.repeat(127)}\n`;
    for (let round = 0; round < 4; round++) {
      writeSync(fd, line.repeat(16_384)); // 2 MiB
      tail.readNow();
      await new Promise((r) => setTimeout(r, 100));
    }
    await tail.close();
    expect(logs).toEqual([]);
    expect(text().length).toBe(4 * 2 ** 21);
    expect(fstatSync(fd).size).toBe(4 * 2 ** 21);
    expect(tail.reclaimed()).toBeGreaterThanOrEqual(2 ** 21);
    // 512-byte blocks: at most what was not reclaimed is still allocated.
    expect(fstatSync(fd).blocks * 512).toBeLessThanOrEqual(4 * 2 ** 21 - tail.reclaimed() + 4096);
    closeSync(fd);
  });
});
