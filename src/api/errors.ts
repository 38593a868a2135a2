// Typed errors: the class says what the caller should do (fix input, retry, re-read), never
// the message text. Each maps to one Kubernetes `Status` reason and HTTP code.

/** One field-level cause, located as precisely as we know: file, document index, field path. */
export interface Cause {
  /** Dotted field path inside the document, e.g. `spec.resources.cpu` or `spec.ports[0].port`. */
  field: string;
  message: string;
  /** File the document came from (`-` for stdin), when the input was a file. */
  file?: string;
  /** Zero-based index of the document inside its file. */
  document?: number;
  /** The `Kind/namespace/name` of the object, when it could be read. */
  object?: string;
}

export const Reason = {
  Invalid: 'Invalid',
  BadRequest: 'BadRequest',
  NotFound: 'NotFound',
  AlreadyExists: 'AlreadyExists',
  Conflict: 'Conflict',
  Forbidden: 'Forbidden',
  Unauthorized: 'Unauthorized',
  MethodNotAllowed: 'MethodNotAllowed',
  RequestEntityTooLarge: 'RequestEntityTooLarge',
  UnsupportedMediaType: 'UnsupportedMediaType',
  Timeout: 'Timeout',
  TooManyRequests: 'TooManyRequests',
  Expired: 'Expired',
  ServiceUnavailable: 'ServiceUnavailable',
  InternalError: 'InternalError',
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

/** Base of every TrustStram error. `code` is the HTTP status; `retryable` tells clients whether to retry. */
export abstract class TrustStramError extends Error {
  abstract readonly code: number;
  abstract readonly reason: Reason;
  readonly retryable: boolean = false;
  readonly causes: Cause[];

  constructor(message: string, causes: Cause[] = []) {
    super(message);
    this.name = new.target.name;
    this.causes = causes;
  }
}

/** The input is wrong: fix it and try again (exit code 1, HTTP 422). */
export class ValidationError extends TrustStramError {
  readonly code = 422;
  readonly reason = Reason.Invalid;
}

/** The request itself is malformed (not JSON, wrong content type, bad query). HTTP 400. */
export class BadRequestError extends TrustStramError {
  readonly code = 400;
  readonly reason = Reason.BadRequest;
}

export class NotFoundError extends TrustStramError {
  readonly code = 404;
  readonly reason = Reason.NotFound;
}

export class AlreadyExistsError extends TrustStramError {
  readonly code = 409;
  readonly reason = Reason.AlreadyExists;
}

/** Optimistic-concurrency conflict: re-read the object and re-apply your change. HTTP 409. */
export class ConflictError extends TrustStramError {
  readonly code = 409;
  readonly reason = Reason.Conflict;
}

/** A watch asked for a revision older than the retained history: re-list, then watch. HTTP 410. */
export class ExpiredError extends TrustStramError {
  readonly code = 410;
  readonly reason = Reason.Expired;
}

/** Authentication is on and the request carries no valid bearer token. HTTP 401. */
export class UnauthorizedError extends TrustStramError {
  readonly code = 401;
  readonly reason = Reason.Unauthorized;
}

/** Admission (policy or budget) denied the request, or the caller may not do this. HTTP 403. */
export class ForbiddenError extends TrustStramError {
  readonly code = 403;
  readonly reason = Reason.Forbidden;
}

/** The path exists but not for this method. HTTP 405; `allow` feeds the `Allow` header (empty when rebuilt from a Status). */
export class MethodNotAllowedError extends TrustStramError {
  readonly code = 405;
  readonly reason = Reason.MethodNotAllowed;
  constructor(
    message: string,
    readonly allow: readonly string[] = [],
    causes: Cause[] = [],
  ) {
    super(message, causes);
  }
}

/** The client was too slow to send its request; the server gave up. HTTP 408: send it again. */
export class RequestTimeoutError extends TrustStramError {
  readonly code = 408;
  readonly reason = Reason.Timeout;
  override readonly retryable = true;
}

export class PayloadTooLargeError extends TrustStramError {
  readonly code = 413;
  readonly reason = Reason.RequestEntityTooLarge;
}

/** The body is not in a media type this endpoint accepts. HTTP 415. */
export class UnsupportedMediaTypeError extends TrustStramError {
  readonly code = 415;
  readonly reason = Reason.UnsupportedMediaType;
}

/** Too many concurrent requests or watches: retry later. HTTP 429. */
export class TooManyRequestsError extends TrustStramError {
  readonly code = 429;
  readonly reason = Reason.TooManyRequests;
  override readonly retryable = true;
}

/** A transient failure (store busy, dependency down): retry with backoff. HTTP 503. */
export class RetryableError extends TrustStramError {
  readonly code = 503;
  readonly reason = Reason.ServiceUnavailable;
  override readonly retryable = true;
}

/** A bug or broken invariant: not the caller's fault, not worth retrying. HTTP 500. */
export class InternalError extends TrustStramError {
  readonly code = 500;
  readonly reason = Reason.InternalError;
}

/** True for errors the user caused and can fix (CLI exit code 1). */
export function isUserError(err: unknown): err is TrustStramError {
  return err instanceof TrustStramError && err.code >= 400 && err.code < 500;
}

/** Formats a cause as `file: document N: Kind/ns/name: field: message`, omitting what is unknown. */
export function formatCause(c: Cause): string {
  const parts: string[] = [];
  if (c.file !== undefined) parts.push(c.file);
  if (c.document !== undefined) parts.push(`document ${c.document}`);
  if (c.object) parts.push(c.object);
  if (c.field) parts.push(c.field);
  parts.push(c.message);
  return parts.join(': ');
}

/** Kubernetes `Status` object, the error body of every API response. */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: Reason;
  code: number;
  details?: { name?: string; kind?: string; causes?: { field: string; message: string; reason?: string }[] };
}

/**
 * Most causes one Status lists; the rest are counted in a last cause. A 3 MiB apply of a million
 * bad items would otherwise answer with hundreds of megabytes of causes.
 */
export const MAX_STATUS_CAUSES = 100;

/** Renders any thrown value as a Kubernetes `Status`; unknown errors become 500 InternalError. */
export function toStatus(err: unknown, details?: { name?: string; kind?: string }): Status {
  if (err instanceof TrustStramError) {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: err.message,
      reason: err.reason,
      code: err.code,
      details: {
        ...details,
        causes: [
          ...err.causes.slice(0, MAX_STATUS_CAUSES).map((c) => ({ field: causeField(c), message: c.message, reason: 'FieldValueInvalid' })),
          ...(err.causes.length > MAX_STATUS_CAUSES ? [{ field: '', message: `${err.causes.length - MAX_STATUS_CAUSES} more errors not listed`, reason: 'FieldValueInvalid' }] : []),
        ],
      },
    };
  }
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'internal error',
    reason: Reason.InternalError,
    code: 500,
  };
}

function causeField(c: Cause): string {
  return [c.file, c.document !== undefined ? `document ${c.document}` : undefined, c.field].filter(Boolean).join(': ');
}

type ErrorClass = new (message: string, causes?: Cause[]) => TrustStramError;

// Every reason's class; `satisfies` makes adding a Reason without its class a type error.
const BY_REASON = {
  Invalid: ValidationError,
  BadRequest: BadRequestError,
  NotFound: NotFoundError,
  AlreadyExists: AlreadyExistsError,
  Conflict: ConflictError,
  Forbidden: ForbiddenError,
  Unauthorized: UnauthorizedError,
  MethodNotAllowed: MethodNotAllowedError as ErrorClass,
  RequestEntityTooLarge: PayloadTooLargeError,
  UnsupportedMediaType: UnsupportedMediaTypeError,
  Timeout: RequestTimeoutError,
  TooManyRequests: TooManyRequestsError,
  Expired: ExpiredError,
  ServiceUnavailable: RetryableError,
  InternalError: InternalError,
} as const satisfies Record<Reason, ErrorClass>;

// A body without a known reason (a proxy's plain-text 401, an older server) is typed by its
// HTTP code; 409 without a reason is a Conflict, the more common of its two meanings.
const BY_CODE: Partial<Record<number, ErrorClass>> = {
  400: BadRequestError,
  401: UnauthorizedError,
  403: ForbiddenError,
  404: NotFoundError,
  405: MethodNotAllowedError as ErrorClass,
  408: RequestTimeoutError,
  409: ConflictError,
  410: ExpiredError,
  413: PayloadTooLargeError,
  415: UnsupportedMediaTypeError,
  422: ValidationError,
  429: TooManyRequestsError,
  500: InternalError,
  503: RetryableError,
};

/**
 * Re-creates a typed error from a `Status` received over HTTP, so clients branch on type too:
 * by `reason` first, then by `code`; other 4xx become BadRequestError and the rest InternalError.
 */
export function fromStatus(s: Partial<Status>): TrustStramError {
  const causes: Cause[] = (s.details?.causes ?? []).map((c) => ({ field: c.field, message: c.message }));
  const msg = s.message ?? 'request failed';
  const code = s.code ?? 500;
  const known = s.reason !== undefined && Object.hasOwn(BY_REASON, s.reason) ? BY_REASON[s.reason] : undefined;
  const Class = known ?? BY_CODE[code] ?? (code >= 400 && code < 500 ? BadRequestError : InternalError);
  return new Class(msg, causes);
}
