import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, InternalError, NotFoundError, ValidationError, fromStatus } from '../api/index.js';
import { UnreachableError } from './client.js';
import { CliUserError, exitCodeOf, reportError } from './exit.js';

describe('exit codes', () => {
  it.each([
    [new ValidationError('x'), 1],
    [new NotFoundError('x'), 1],
    [new ConflictError('x'), 1],
    [new ForbiddenError('x'), 1],
    [new CliUserError('x'), 1],
    [new CommanderError(1, 'commander.unknownCommand', 'x'), 1],
    [new CommanderError(0, 'commander.helpDisplayed', 'x'), 0],
    [new UnreachableError('http://h:1', 'connection refused'), 2],
    [new InternalError('x'), 3],
    [new TypeError('bug'), 3],
  ])('%s → %i', (err, code) => expect(exitCodeOf(err)).toBe(code));

  it('typed errors survive the trip through a Status body', () => {
    expect(exitCodeOf(fromStatus({ kind: 'Status', code: 409, reason: 'Conflict', message: 'm' }))).toBe(1);
    expect(exitCodeOf(fromStatus({ kind: 'Status', code: 500, reason: 'InternalError', message: 'm' }))).toBe(3);
  });
});

describe('a listener that cannot open', () => {
  it('is a user error (exit 1) said plainly, for Node and HAProxy listeners alike', async () => {
    const { createServer } = await import('node:net');
    const { bindFailure } = await import('../gateway/haproxy/process.js');
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    const second = createServer();
    const nodeErr = await new Promise<unknown>((r) => second.once('error', r).listen(port, '127.0.0.1'));
    taken.close();
    const haproxyErr = bindFailure(['[ALERT]    (1) : Binding [/tmp/x/haproxy.cfg:23] for frontend gateway: cannot bind socket (Address already in use) for [127.0.0.1:' + port + ']']);
    for (const err of [nodeErr, haproxyErr]) {
      expect(exitCodeOf(err)).toBe(1);
      let out = '';
      reportError(err, { write: (t: string) => ((out += t), true) });
      expect(out).toContain(`error: cannot listen on 127.0.0.1:${port}: the address is already in use`);
      expect(out).not.toContain('bug');
    }
  });
});

describe('reportError', () => {
  it('prints a summary then one located line per cause', () => {
    let out = '';
    reportError(
      new ValidationError('2 errors', [
        { file: 'w.yaml', document: 1, object: 'Workload/team/api', field: 'spec.replicas', message: 'must not be negative' },
        { file: 'w.yaml', document: 2, field: 'kind', message: 'unknown kind "Gadget"' },
      ]),
      { write: (s: string) => (out += s) },
    );
    expect(out).toBe(
      'error: invalid input (2 problems); nothing was changed\nw.yaml: document 1: Workload/team/api: spec.replicas: must not be negative\nw.yaml: document 2: kind: unknown kind "Gadget"\n',
    );
  });
});
