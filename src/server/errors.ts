// HTTP-only typed errors the API errors module does not need elsewhere (405, 415, 401, 429).
// Like every TrustStramError they render as a Kubernetes `Status` through `toStatus`.
import { Reason, TrustStramError } from '../api/index.js';

/** The path exists but not for this method. HTTP 405; `allow` feeds the `Allow` header. */
export class MethodNotAllowedError extends TrustStramError {
  readonly code = 405;
  readonly reason = Reason.MethodNotAllowed;
  constructor(
    message: string,
    readonly allow: string[],
  ) {
    super(message);
  }
}

/** The body is not in a media type this endpoint accepts. HTTP 415. */
export class UnsupportedMediaTypeError extends TrustStramError {
  readonly code = 415;
  readonly reason = Reason.UnsupportedMediaType;
}

/** Authentication is on and the request carries no valid token. HTTP 401. */
export class UnauthorizedError extends TrustStramError {
  readonly code = 401;
  readonly reason = Reason.Unauthorized;
}

/** The client went away mid-request: nothing to answer, nothing to log. */
export class ClientGoneError extends Error {
  constructor() {
    super('client disconnected');
    this.name = 'ClientGoneError';
  }
}
