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
