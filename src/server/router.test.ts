import { describe, expect, it } from 'vitest';
import { createRouter, type View } from './router.js';

const view = (method: View['method'], path: string, name = path): View => ({ method, path, name, handler: async () => ({ body: name }) });

describe('router', () => {
  it('matches exact paths and extracts parameters, preferring exact segments', () => {
    const r = createRouter();
    r.add(view('GET', '/api/v1alpha1/explain/:namespace/:name', 'explain'));
    r.add(view('GET', '/api/v1alpha1/explain/:namespace/summary', 'summary'));
    const m = r.match('GET', '/api/v1alpha1/explain/team-a/payments');
    expect(m).toMatchObject({ kind: 'found', params: { namespace: 'team-a', name: 'payments' } });
    expect(r.match('GET', '/api/v1alpha1/explain/team-a/summary')).toMatchObject({ kind: 'found', view: { name: 'summary' } });
  });

  it('answers wrong-method with the allowed methods, and not-found otherwise', () => {
    const r = createRouter();
    r.add(view('GET', '/healthz'));
    r.add(view('POST', '/api/v1alpha1/apply'));
    expect(r.match('DELETE', '/healthz')).toEqual({ kind: 'wrong-method', allow: ['GET'] });
    expect(r.match('GET', '/api/v1alpha1/apply')).toEqual({ kind: 'wrong-method', allow: ['POST'] });
    expect(r.match('GET', '/nope')).toEqual({ kind: 'not-found' });
    expect(r.match('GET', '/healthz/extra')).toEqual({ kind: 'not-found' });
  });

  it('lets a trailing wildcard capture the rest, below any exact route', () => {
    const r = createRouter();
    r.add(view('GET', '/apis/g/v1/*', 'resources'));
    r.add(view('GET', '/apis/g/v1', 'discovery'));
    expect(r.match('GET', '/apis/g/v1/namespaces/a/workloads')).toMatchObject({ view: { name: 'resources' }, params: { '*': 'namespaces/a/workloads' } });
    expect(r.match('GET', '/apis/g/v1')).toMatchObject({ view: { name: 'discovery' } });
  });

  it('refuses a duplicate route even with differently named parameters', () => {
    const r = createRouter();
    r.add(view('GET', '/api/v1alpha1/cost/:ns'));
    expect(() => r.add(view('GET', '/api/v1alpha1/cost/:namespace'))).toThrow(/duplicate route/);
    expect(() => r.add(view('POST', '/api/v1alpha1/cost/:namespace'))).not.toThrow();
  });

  it('treats undecodable percent-escapes as not found instead of throwing', () => {
    const r = createRouter();
    r.add(view('GET', '/a/:x'));
    expect(r.match('GET', '/a/%E0%A4%A')).toEqual({ kind: 'not-found' });
    expect(r.match('GET', '/a/hello%20world')).toMatchObject({ params: { x: 'hello world' } });
  });
});
