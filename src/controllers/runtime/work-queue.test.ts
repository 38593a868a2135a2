import { describe, expect, it } from 'vitest';
import { WorkQueue } from './work-queue.js';

describe('WorkQueue', () => {
  it('deduplicates keys that are waiting', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('a');
    q.add('b');
    expect(q.length).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
  });

  it('never hands out a key that is being processed; re-queues it when done', async () => {
    const q = new WorkQueue();
    q.add('a');
    const k = await q.get();
    q.add('a'); // changed while processing
    expect(q.length).toBe(0);
    q.done(k!);
    expect(q.length).toBe(1);
    expect(await q.get()).toBe('a');
  });

  it('backs off exponentially per key and forgets after success', () => {
    const q = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 35 });
    expect(q.addRateLimited('a')).toBe(10);
    expect(q.addRateLimited('a')).toBe(20);
    expect(q.addRateLimited('a')).toBe(35);
    q.forget('a');
    expect(q.addRateLimited('a')).toBe(10);
    q.close();
  });

  it('delivers delayed keys and unblocks getters on close', async () => {
    const q = new WorkQueue();
    q.addAfter('late', 5);
    expect(await q.get()).toBe('late');
    const pending = q.get();
    q.close();
    expect(await pending).toBeUndefined();
  });

  it('keeps the sooner of two delayed adds for a key', async () => {
    const q = new WorkQueue();
    q.addAfter('k', 60_000);
    q.addAfter('k', 5);
    const got = await Promise.race([q.get(), new Promise((r) => setTimeout(() => r('timeout'), 2000))]);
    expect(got).toBe('k');
    q.close();
  });
});
