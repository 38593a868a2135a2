import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API_VERSION, type ApiObject } from '../../api/index.js';
import { defaultCatalog } from '../../cost/index.js';
import { cluster, placement, workload } from '../../cost/testing/fixtures.js';
import { openStore, type Store } from '../../store/index.js';
import { createManager } from '../runtime/index.js';
import { budgetController, createBudgetReconciler } from './budget-controller.js';
import { createWebhookNotifier, type WebhookResult } from './webhook.js';

const catalog = defaultCatalog();
const actor = { actor: 'user:test' };
const budgetObj = (limit: number, extra: Record<string, unknown> = {}): ApiObject => ({
  apiVersion: API_VERSION,
  kind: 'Budget',
  metadata: { name: 'pay' },
  spec: { scope: { team: 'pay' }, monthlyLimit: limit, alerts: { thresholds: [50, 80, 100] }, ...extra },
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` };
}

describe('budget controller (SQLite store, real webhook)', () => {
  let dir: string;
  let store: Store;
  const servers: Server[] = [];
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ts-budget-'));
    store = await openStore(dir);
    await store.apply(
      [cluster('aws-eu', { count: 3 }), workload('pay', 'api', { replicas: 2 }), placement('pay', 'api', { 'aws-eu': 2 })].map((object) => ({ verb: 'create' as const, object })),
      actor,
    );
  });
  afterEach(async () => {
    await store.close();
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
    servers.length = 0;
    rmSync(dir, { recursive: true, force: true });
  });

  const events = async () => (await store.list('Event')).items.map((e) => e.metadata.name).filter((n) => /\.t\d+$/.test(n)).sort();
  const decisions = async () => (await store.auditLog()).filter((a) => a.verb === 'budget-alert' && a.details?.type === 'threshold');

  it('writes status and raises each threshold once per crossing, with events, audit entries and the webhook', async () => {
    let calls = 0;
    const { server, url } = await listen((req, res) => {
      calls++;
      req.resume();
      res.statusCode = calls <= 2 ? 500 : 200;
      res.end();
    });
    servers.push(server);
    const results: WebhookResult[] = [];
    const notifier = createWebhookNotifier({ backoffMs: 1, retries: 3, onResult: (r) => results.push(r) });
    const fixed = new Date(Date.now() + 2 * 3_600_000);
    const rec = createBudgetReconciler({ store, catalog, notifier, now: () => fixed });
    const signal = new AbortController().signal;

    await store.apply([{ verb: 'create', object: budgetObj(1e6, { webhook: { url } }) }], actor);
    await rec.reconcile('Budget/pay', signal);
    const spent = ((await store.get({ kind: 'Budget', name: 'pay' }))!.status as { spent: number }).spent;
    expect(spent).toBeGreaterThan(0);
    expect(await events()).toEqual([]);

    // A limit the spend is 85% of: 50% and 80% are crossed, 100% is not.
    await store.apply([{ verb: 'upsert', object: budgetObj(spent / 0.85, { webhook: { url } }) }], actor);
    await rec.reconcile('Budget/pay', signal);
    const period = fixed.toISOString().slice(0, 7);
    expect(await events()).toEqual([`budget-pay.${period}.t50`, `budget-pay.${period}.t80`]);
    const st = (await store.get({ kind: 'Budget', name: 'pay' }))!.status as Record<string, unknown>;
    expect(st).toMatchObject({ period, breachedThresholds: [50, 80], exceeded: false });
    expect((await decisions()).map((d) => d.details?.threshold)).toEqual([50, 80]);
    // At this rate the month will overrun the limit: a forecast alert, once.
    expect((await store.list('Event')).items.map((e) => e.metadata.name)).toContain(`budget-pay.${period}.forecast`);

    // Nothing new: no new event, no new audit decision.
    await rec.reconcile('Budget/pay', signal);
    expect((await decisions()).length).toBe(2);

    await store.apply([{ verb: 'upsert', object: budgetObj(spent * 0.99, { webhook: { url } }) }], actor);
    await rec.reconcile('Budget/pay', signal);
    expect(await events()).toContain(`budget-pay.${period}.t100`);
    expect(((await store.get({ kind: 'Budget', name: 'pay' }))!.status as { exceeded: boolean }).exceeded).toBe(true);
    expect((await decisions()).map((d) => d.details?.threshold)).toEqual([50, 80, 100]);

    await notifier.idle();
    // Two failures were retried; every alert was delivered in the end.
    expect(results.length).toBeGreaterThanOrEqual(3);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.some((r) => r.attempts > 1)).toBe(true);
    await notifier.close();
  });

  it('never waits for a webhook that does not answer; the delivery times out and gives up', async () => {
    let received = 0;
    let gotRequest!: () => void;
    const first = new Promise<void>((r) => (gotRequest = r));
    const { server, url } = await listen(() => {
      received++;
      gotRequest();
    });
    servers.push(server);
    const results: WebhookResult[] = [];
    const notifier = createWebhookNotifier({ timeoutMs: 100, retries: 1, backoffMs: 1, onResult: (r) => results.push(r) });
    const rec = createBudgetReconciler({ store, catalog, notifier, now: () => new Date(Date.now() + 3_600_000) });
    await store.apply([{ verb: 'create', object: budgetObj(1e-6, { webhook: { url }, alerts: { thresholds: [100] } }) }], actor);
    await rec.reconcile('Budget/pay', new AbortController().signal);
    // The reconcile is done while the webhook still holds the request.
    expect(results).toEqual([]);
    await first;
    await notifier.idle();
    // Two alerts (100% crossed, forecast over the limit), each tried twice, each timed out.
    expect(results).toEqual([0, 1].map(() => ({ url, ok: false, attempts: 2, error: 'timed out after 100 ms' })));
    expect(received).toBe(4);
    await notifier.close();
  });

  it('rewrites accruing figures once per recheck, not on every pass, even with a limit so small the percentage moves each time', async () => {
    // A walkthrough found a 0.001 USD limit rewriting the status in a tight loop (each write
    // woke the controller again, and the percentage had moved): 71,881 writes in 10 minutes.
    const manager = createManager(store, { onError: () => undefined });
    // Two hours of spend already accrued, and more with every millisecond of the test.
    manager.add(budgetController(manager, { store, catalog, recheckMs: 60_000, now: () => new Date(Date.now() + 2 * 3_600_000) }));
    await manager.start();
    try {
      await store.apply([{ verb: 'create', object: budgetObj(0.001, { alerts: { thresholds: [50, 100] } }) }], actor);
      for (let i = 0; i < 500 && !(await store.get({ kind: 'Budget', name: 'pay' }))?.status; i++) await new Promise((r) => setTimeout(r, 10));
      const first = (await store.get({ kind: 'Budget', name: 'pay' }))!;
      expect(first.status).toMatchObject({ exceeded: true });
      await new Promise((r) => setTimeout(r, 1500));
      const statusWrites = (await store.auditLog()).filter((a) => a.actor === 'controller:budget' && a.kind === 'Budget' && a.verb === 'updateStatus');
      expect(statusWrites.length, JSON.stringify(statusWrites.map((a) => [a.verb, a.time, (a as { reason?: string }).reason]))).toBe(1);
      expect((await store.get({ kind: 'Budget', name: 'pay' }))!.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
      // A spec change is acted on at once.
      await store.apply([{ verb: 'upsert', object: budgetObj(1e6, { alerts: { thresholds: [50, 100] } }) }], actor);
      for (let i = 0; i < 500 && ((await store.get({ kind: 'Budget', name: 'pay' }))!.status as { exceeded?: boolean } | undefined)?.exceeded !== false; i++) await new Promise((r) => setTimeout(r, 10));
      expect((await store.get({ kind: 'Budget', name: 'pay' }))!.status).toMatchObject({ limit: 1e6, exceeded: false });
    } finally {
      await manager.stop();
    }
  });

  it('runs under the controller manager and converges the status', async () => {
    const manager = createManager(store, { onError: () => undefined });
    manager.add(budgetController(manager, { store, catalog, recheckMs: 60_000 }));
    await manager.start();
    await store.apply([{ verb: 'create', object: budgetObj(1000) }], actor);
    for (let i = 0; i < 500 && !(await store.get({ kind: 'Budget', name: 'pay' }))?.status; i++) await new Promise((r) => setTimeout(r, 10));
    await manager.stop();
    expect((await store.get({ kind: 'Budget', name: 'pay' }))!.status).toMatchObject({ limit: 1000, exceeded: false });
  });
});
