import { describe, expect, it } from 'vitest';
import { API_VERSION, budgetSchema, type Budget } from '../api/index.js';
import type { Accrual } from './accrual.js';
import type { CostLine } from './allocation.js';
import { evaluateBudget, lineInScope } from './budgets.js';

const line = (kind: CostLine['kind'], cost: number, extra: Partial<CostLine> = {}): CostLine => ({ kind, cluster: 'aws-eu', provider: 'aws', region: 'eu-west-1', residency: 'eu', cpuCost: cost, memoryCost: 0, otherCost: 0, ...extra });
const alloc = (team: string, cost: number) => line('allocation', cost, { team, tenant: 't', namespace: team, workload: 'w' });
const acc = (lines: CostLine[], current: CostLine[] = [], since = '2026-11-08T00:00:00.000Z'): Accrual => ({ since, until: '', hours: 0, lines, current, warnings: [] });
const budget = (spec: Record<string, unknown>): Budget => budgetSchema.parse({ apiVersion: API_VERSION, kind: 'Budget', metadata: { name: 'b' }, spec });

describe('budgets', () => {
  it('counts idle and overhead only for cluster-shaped scopes', () => {
    expect(lineInScope({ team: 'pay' }, line('idle', 1))).toBe(false);
    expect(lineInScope({ provider: 'aws' }, line('idle', 1))).toBe(true);
    expect(lineInScope({ team: 'pay', provider: 'gcp' }, alloc('pay', 1))).toBe(false);
    expect(lineInScope({ team: 'pay', residency: 'eu' }, alloc('pay', 1))).toBe(true);
  });

  it('computes spent, forecast at the run rate, crossed thresholds and exceeded', () => {
    const b = budget({ scope: { team: 'pay' }, monthlyLimit: 100, alerts: { thresholds: [80, 50, 100] } });
    const now = new Date('2026-11-21T00:00:00.000Z');
    // Ten days (240 h) remain in November from the 21st, 00:00.
    const e = evaluateBudget(b, { now, monthToDate: acc([alloc('pay', 60), alloc('other', 500), line('idle', 40)], [alloc('pay', 0.1)]), lastWeek: acc([]), previousWeek: acc([]) });
    expect(e.period).toBe('2026-11');
    expect(e.spent).toBeCloseTo(60, 9);
    expect(e.forecast).toBeCloseTo(60 + 0.1 * 240, 9);
    expect(e.crossed).toEqual([50]);
    expect(e.exceeded).toBe(false);
    expect(e.forecastExceeded).toBe(false);
    const hot = evaluateBudget(b, { now, monthToDate: acc([alloc('pay', 60)], [alloc('pay', 0.2)]), lastWeek: acc([]), previousWeek: acc([]) });
    expect(hot.forecastExceeded).toBe(true);
  });

  it('flags week-over-week growth above the limit, never without a previous week', () => {
    const b = budget({ scope: { team: 'pay' }, monthlyLimit: 1000, alerts: { thresholds: [100], weekOverWeekGrowthPercent: 25 } });
    const now = new Date('2026-11-21T00:00:00.000Z');
    const grow = evaluateBudget(b, { now, monthToDate: acc([]), lastWeek: acc([alloc('pay', 130)]), previousWeek: acc([alloc('pay', 100)]) });
    expect(grow.weekOverWeek).toMatchObject({ growthPercent: 30, breached: true, week: '2026-11-08' });
    expect(evaluateBudget(b, { now, monthToDate: acc([]), lastWeek: acc([alloc('pay', 120)]), previousWeek: acc([alloc('pay', 100)]) }).weekOverWeek!.breached).toBe(false);
    expect(evaluateBudget(b, { now, monthToDate: acc([]), lastWeek: acc([alloc('pay', 120)]), previousWeek: acc([]) }).weekOverWeek!.breached).toBe(false);
  });
});
