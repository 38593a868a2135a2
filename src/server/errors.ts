// The one server-only error: a client that went away mid-request. The HTTP errors the server
// raises (401, 405, 415...) live in src/api/errors.ts, so clients rebuild them from a Status.

/** The client went away mid-request: nothing to answer, nothing to log. */
export class ClientGoneError extends Error {
  constructor() {
    super('client disconnected');
    this.name = 'ClientGoneError';
  }
}
