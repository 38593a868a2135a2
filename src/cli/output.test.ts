import { describe, expect, it } from 'vitest';
import { colours, formatAge, formatLabels, formatTable, parseSince } from './output.js';

describe('formatTable', () => {
  it('pads every column but the last to its widest cell, three spaces apart', () => {
    expect(formatTable(['NAME', 'STATUS', 'MESSAGE'], [['a', 'Ready', 'ok'], ['longer-name', 'NotReady', '']])).toBe(
      'NAME          STATUS     MESSAGE\na             Ready      ok\nlonger-name   NotReady\n',
    );
  });
});

describe('formatAge', () => {
  const now = Date.parse('2026-01-10T00:00:00Z');
  it.each([
    ['2026-01-09T23:59:15Z', '45s'],
    ['2026-01-09T23:00:00Z', '60m'],
    ['2026-01-09T12:00:00Z', '12h'],
    ['2026-01-01T00:00:00Z', '9d'],
    ['2023-01-01T00:00:00Z', '3y'],
    [undefined, '<unknown>'],
    ['not a time', '<unknown>'],
  ])('%s → %s', (iso, want) => expect(formatAge(iso, now)).toBe(want));
});

describe('parseSince', () => {
  const now = Date.parse('2026-01-10T00:00:00Z');
  it('accepts durations back from now and ISO times', () => {
    expect(parseSince('1h', now)).toBe('2026-01-09T23:00:00.000Z');
    expect(parseSince('7d', now)).toBe('2026-01-03T00:00:00.000Z');
    expect(parseSince('2026-01-05T10:00:00Z', now)).toBe('2026-01-05T10:00:00.000Z');
  });
  it('rejects anything else', () => {
    for (const bad of ['yesterday', '1w', '', '10']) expect(parseSince(bad, now)).toBeUndefined();
  });
});

describe('labels and colours', () => {
  it('renders labels as kubectl does', () => {
    expect(formatLabels({ team: 'a', tier: '0' })).toBe('team=a,tier=0');
    expect(formatLabels(undefined)).toBe('<none>');
  });
  it('colours only when enabled', () => {
    expect(colours(false).green('x')).toBe('x');
    expect(colours(true).green('x')).toBe('\u001b[32mx\u001b[0m');
  });
});
