// Store-level errors shared by the implementations: the database behind the store cannot be
// reached (a retryable 503 at run time; at startup the CLI turns it into exit code 2).
import { ConflictError, RetryableError } from '../api/index.js';

/** The store's database is down, refuses us, or cannot be found; retry later or fix the location. */
export class StoreUnavailableError extends RetryableError {}

/** A write carried a leader's fencing token older than the newest leader's: it was not made. */
export class FencedError extends ConflictError {}
