// Typed errors survive the trip server → Status JSON → client: every class comes back as
// itself, with its code, reason, retryability, message and causes.
import { describe, expect, it } from 'vitest';
import {
  AlreadyExistsError,
  BadRequestError,
  ConflictError,
  ExpiredError,
  ForbiddenError,
  InternalError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  Reason,
  RequestTimeoutError,
  RetryableError,
  TooManyRequestsError,
  TrustStramError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
  fromStatus,
  toStatus,
  type Status,
} from './errors.js';

const EVERY = [
  new ValidationError('bad replicas', [{ field: 'spec.replicas', message: 'must not be negative' }]),
  new BadRequestError('not JSON'),
  new UnauthorizedError('invalid bearer token'),
  new ForbiddenError('denied by policy eu-only'),
  new NotFoundError('workloads "api" not found'),
  new MethodNotAllowedError('PUT is not supported on /healthz: use GET', ['GET']),
  new RequestTimeoutError('request timeout'),
  new AlreadyExistsError('exists'),
  new ConflictError('the object has been modified'),
  new ExpiredError('too old resource version'),
  new PayloadTooLargeError('body over 3 MiB'),
  new UnsupportedMediaTypeError('Content-Type must be application/json'),
  new TooManyRequestsError('too many watches'),
  new InternalError('broken invariant'),
  new RetryableError('store busy'),
];

// What a client receives: the Status as JSON text, parsed again.
const overTheWire = (err: TrustStramError): Partial<Status> => JSON.parse(JSON.stringify(toStatus(err))) as Partial<Status>;

describe('toStatus → fromStatus', () => {
  it('covers every Reason', () => {
    expect(new Set(EVERY.map((e) => e.reason))).toEqual(new Set(Object.values(Reason)));
  });

  it.each(EVERY.map((e) => [e.constructor.name, e] as const))('%s comes back as itself', (_name, err) => {
    const back = fromStatus(overTheWire(err));
    expect(back).toBeInstanceOf(err.constructor);
    expect(back.name).toBe(err.constructor.name);
    expect({ code: back.code, reason: back.reason, retryable: back.retryable, message: back.message }).toEqual({ code: err.code, reason: err.reason, retryable: err.retryable, message: err.message });
    expect(back.causes.map((c) => c.message)).toEqual(err.causes.map((c) => c.message));
  });

  it('401, 405 and 415 are no longer plain bad requests', () => {
    for (const code of [401, 405, 415]) {
      const err = EVERY.find((e) => e.code === code)!;
      expect(fromStatus(overTheWire(err))).not.toBeInstanceOf(BadRequestError);
    }
  });
});

describe('fromStatus without a known reason', () => {
  it.each([
    [401, UnauthorizedError],
    [403, ForbiddenError],
    [404, NotFoundError],
    [405, MethodNotAllowedError],
    [408, RequestTimeoutError],
    [409, ConflictError],
    [410, ExpiredError],
    [413, PayloadTooLargeError],
    [415, UnsupportedMediaTypeError],
    [422, ValidationError],
    [429, TooManyRequestsError],
    [503, RetryableError],
    [500, InternalError],
    [400, BadRequestError],
    [418, BadRequestError],
    [431, BadRequestError],
    [502, InternalError],
  ])('a bare HTTP %i (a proxy, plain text) becomes %o', (code, Class) => {
    const err = fromStatus({ code, message: `HTTP ${code}` });
    expect(err).toBeInstanceOf(Class);
    expect(err.message).toBe(`HTTP ${code}`);
  });

  it('an unknown reason falls back to the code, and a missing code counts as 500', () => {
    expect(fromStatus({ code: 401, reason: 'SomethingNew' as Reason, message: 'm' })).toBeInstanceOf(UnauthorizedError);
    expect(fromStatus({ reason: 'SomethingNew' as Reason, message: 'm' })).toBeInstanceOf(InternalError);
  });

  it('the reason wins over the code (a 431 sent as BadRequest)', () => {
    expect(fromStatus({ code: 431, reason: 'BadRequest', message: 'm' })).toBeInstanceOf(BadRequestError);
  });
});
