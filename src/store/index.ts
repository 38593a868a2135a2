// The store component: the Store contract, the shared mutation semantics, the SQLite embedded
// default, the Postgres production store, and openStore() which picks one from a location string.
export * from './store.js';
export { planMutation, refOf, refKey, stampRevision, type MutationPlan, type PlanEnv } from './mutation.js';
export { createWatchHub, toWatchEvent, parseRevision, type LoggedEvent, type WatchSource, type WatchHub, type WatchHubOptions } from './watch-hub.js';
export { FencedError, StoreUnavailableError } from './store-errors.js';
export { fencedStore } from './fenced-store.js';
export { openSqliteStore, DB_FILE_NAME, type SqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.js';
export { openPostgresStore, redactUrl, type PostgresStore, type PostgresStoreOptions } from './postgres/postgres-store.js';
export { openStore, openSqliteSpec, isPostgresSpec } from './open-store.js';
