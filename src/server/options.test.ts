import { describe, expect, it } from 'vitest';
import { ValidationError } from '../api/index.js';
import { compileServerOptions, parseListen } from './options.js';

describe('compileServerOptions', () => {
  it('fills documented defaults: loopback 7400, 3 MiB bodies, 10 s headers, 30 s requests', () => {
    const o = compileServerOptions({ dataDir: '/tmp/x' });
    expect(o).toMatchObject({ host: '127.0.0.1', port: 7400, maxBodyBytes: 3 * 1024 * 1024, headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, tokenFile: undefined });
    expect(o.store).toEqual({ kind: 'dataDir', dataDir: '/tmp/x' });
  });

  it('needs exactly one store source', () => {
    expect(() => compileServerOptions({})).toThrow(ValidationError);
    expect(() => compileServerOptions({ dataDir: '/a', storeSpec: 'sqlite::memory:' })).toThrow(/exactly one/);
  });

  it('rejects impossible numbers, naming the option', () => {
    expect(() => compileServerOptions({ dataDir: '/a', maxBodyBytes: 0 })).toThrow(/maxBodyBytes/);
    expect(() => compileServerOptions({ dataDir: '/a', maxWatches: 1.5 })).toThrow(/maxWatches/);
    expect(() => compileServerOptions({ dataDir: '/a', headersTimeoutMs: 5000, requestTimeoutMs: 1000 })).toThrow(/headersTimeoutMs/);
  });
});

describe('parseListen', () => {
  it('accepts host:port, [v6]:port and :port, with port 0 for tests', () => {
    expect(parseListen('0.0.0.0:8080')).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(parseListen('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(parseListen(':7400')).toEqual({ host: '127.0.0.1', port: 7400 });
    expect(parseListen('localhost:1')).toEqual({ host: 'localhost', port: 1 });
  });
  it('rejects what is not host:port', () => {
    for (const bad of ['7400', 'host:', 'host:99999', 'a:b', '']) expect(() => parseListen(bad), bad).toThrow(ValidationError);
  });
});
