import { describe, expect, it } from 'vitest';
import { parseContentType, warningHeader } from './http.js';
import { parseAuditQuery } from './audit-views.js';
import { parseDryRun, parseFieldSelector, parseResourceVersion, parseWatch } from './query.js';
import { BadRequestError } from '../api/index.js';

describe('request parsing helpers', () => {
  it('parses media types and charsets case-insensitively', () => {
    expect(parseContentType('Application/JSON; charset="UTF-8"')).toEqual({ type: 'application/json', charset: 'utf-8' });
    expect(parseContentType('application/merge-patch+json')).toEqual({ type: 'application/merge-patch+json' });
    expect(parseContentType(undefined)).toBeUndefined();
  });

  it('formats warnings as Kubernetes does and keeps header values ASCII', () => {
    expect(warningHeader(['image "x" is not pinned', 'naïve\nline'])).toEqual(["299 - \"image 'x' is not pinned\"", '299 - "na?ve?line"']);
  });

  it('validates query parameters with 400s naming the parameter', () => {
    const q = (s: string) => new URLSearchParams(s);
    expect(parseDryRun(q('dryRun=All'))).toBe(true);
    expect(parseDryRun(q(''))).toBe(false);
    expect(() => parseDryRun(q('dryRun=true'))).toThrow(BadRequestError);
    expect(parseResourceVersion(q('resourceVersion=42'))).toBe('42');
    expect(() => parseResourceVersion(q('resourceVersion=-1'))).toThrow(/resourceVersion/);
    expect(() => parseResourceVersion(q('resourceVersion=abc'))).toThrow(/resourceVersion/);
    expect(parseWatch(q('watch=1'))).toBe(true);
    expect(() => parseWatch(q('watch=yes'))).toThrow(/watch/);
    expect(parseFieldSelector(q('fieldSelector=metadata.name=x'))).toEqual({ name: 'x' });
    expect(() => parseFieldSelector(q('fieldSelector=spec.image=x'))).toThrow(/fieldSelector/);
    expect(parseAuditQuery(q('since=2026-01-02T03:04:05Z&limit=5&afterSeq=3&kind=Cluster'))).toEqual({ since: '2026-01-02T03:04:05.000Z', limit: 5, afterSeq: 3, ref: { kind: 'Cluster' } });
    expect(() => parseAuditQuery(q('since=yesterday'))).toThrow(/since/);
    expect(() => parseAuditQuery(q('limit=0'))).toThrow(/limit/);
  });
});
