// Store-level errors shared by the implementations: the database behind the store cannot be
// reached (a retryable 503 at run time; at startup the CLI turns it into exit code 2).
import { RetryableError } from '../api/index.js';

/** The store's database is down, refuses us, or cannot be found; retry later or fix the location. */
export class StoreUnavailableError extends RetryableError {}
