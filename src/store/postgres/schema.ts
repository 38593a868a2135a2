// The Postgres layout of the production store: the same tables as the SQLite file (objects,
// revision log, audit chain and head, meta) inside one Postgres schema, created on first open.
import pg from 'pg';
import { ValidationError } from '../../api/index.js';

/** The layout this code writes; a database with a newer one is refused (no downgrades). */
export const SCHEMA_VERSION = 3;

/** Default Postgres schema (namespace) holding the tables. */
export const DEFAULT_SCHEMA = 'truststram';

/** The channel NOTIFY wakes watchers on; one per schema so that stores in one database stay apart. */
export function channelOf(schema: string): string {
  return `truststram_changes_${schema}`.slice(0, 63);
}

/** Fully qualified, quoted table names of one schema, for building SQL text. */
export function tableNames(schema: string) {
  const s = pg.escapeIdentifier(schema);
  return {
    schema: s,
    meta: `${s}.meta`,
    objects: `${s}.objects`,
    revisions: `${s}.revisions`,
    audit: `${s}.audit`,
    head: `${s}.audit_head`,
    leases: `${s}.leases`,
    /** A server-side prepared statement (parsed and planned once per connection), named per schema. */
    named: (name: string, text: string): { name: string; text: string } => ({ name: `truststram:${schema}:${name}`, text }),
  };
}

export type Tables = ReturnType<typeof tableNames>;

// JSON is kept as text, not jsonb: the audit chain digests the stored bytes' parse, and jsonb would
// rewrite documents (key order, whitespace, duplicate keys) behind the digest. Times are ISO-8601
// text, as in SQLite, so that hashed strings and range comparisons are the same in both stores.
// Keys and times use the "C" collation: byte order, as in SQLite, whatever the database locale
// (a locale collation would order ISO times and names differently). bigint for revisions and seqs.
function ddl(t: Tables): string {
  return `
CREATE SCHEMA IF NOT EXISTS ${t.schema};
CREATE TABLE IF NOT EXISTS ${t.meta} (
  key   text PRIMARY KEY,
  value bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS ${t.objects} (
  kind      text COLLATE "C" NOT NULL,
  namespace text COLLATE "C" NOT NULL,
  name      text COLLATE "C" NOT NULL,
  revision  bigint NOT NULL,
  json      text NOT NULL,
  PRIMARY KEY (kind, namespace, name)
);
CREATE TABLE IF NOT EXISTS ${t.revisions} (
  revision    bigint PRIMARY KEY,
  time        text COLLATE "C" NOT NULL,
  type        text NOT NULL,
  kind        text COLLATE "C" NOT NULL,
  namespace   text COLLATE "C" NOT NULL,
  name        text COLLATE "C" NOT NULL,
  json        text NOT NULL,
  prev_labels text
);
CREATE INDEX IF NOT EXISTS revisions_by_kind ON ${t.revisions} (kind, revision);
CREATE INDEX IF NOT EXISTS revisions_by_time ON ${t.revisions} (kind, time);
CREATE TABLE IF NOT EXISTS ${t.audit} (
  seq              bigint PRIMARY KEY,
  time             text COLLATE "C" NOT NULL,
  actor            text NOT NULL,
  verb             text NOT NULL,
  kind             text,
  namespace        text,
  name             text,
  resource_version bigint,
  before_digest    text,
  after_digest     text,
  details          text,
  prev_hash        text NOT NULL,
  hash             text NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_by_revision ON ${t.audit} (resource_version) WHERE resource_version IS NOT NULL;
CREATE INDEX IF NOT EXISTS audit_by_time ON ${t.audit} (time);
CREATE TABLE IF NOT EXISTS ${t.head} (
  id   integer PRIMARY KEY CHECK (id = 1),
  seq  bigint NOT NULL,
  hash text NOT NULL
);
-- Layout 2: agents' leases, shared by every server on this store. Unlogged: a heartbeat is not
-- worth a WAL record, and after a database crash (or a standby's promotion) the table is empty,
-- which agents repair with their next renewal, as after a control-plane restart.
CREATE UNLOGGED TABLE IF NOT EXISTS ${t.leases} (
  name         text COLLATE "C" PRIMARY KEY,
  holder       text NOT NULL,
  duration_ms  bigint NOT NULL,
  acquire_time bigint NOT NULL,
  renew_time   bigint NOT NULL
);
-- Layout 3: the election epoch of a lease a leader holds, so that a new leader takes over its
-- predecessor's at once and the predecessor cannot take it back.
ALTER TABLE ${t.leases} ADD COLUMN IF NOT EXISTS epoch bigint;
INSERT INTO ${t.meta} (key, value) VALUES ('revision', 0), ('compacted_revision', 0), ('schema_version', ${SCHEMA_VERSION})
  ON CONFLICT (key) DO NOTHING;
UPDATE ${t.meta} SET value = ${SCHEMA_VERSION} WHERE key = 'schema_version' AND value < ${SCHEMA_VERSION};
`;
}

/**
 * Creates the schema and tables when absent and checks the layout version. Serialised by an
 * advisory lock: several replicas starting at once would otherwise race on CREATE ... IF NOT
 * EXISTS (which is not atomic in Postgres).
 */
export async function ensureSchema(client: pg.ClientBase, schema: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    throw new ValidationError(`store: Postgres schema "${schema}" must be a lower-case SQL identifier`, [{ field: 'schema', message: 'invalid identifier' }]);
  const t = tableNames(schema);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`truststram-schema:${schema}`]);
    const present = await client.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [t.meta]);
    let version = 0;
    if (present.rows[0]?.present) {
      const found = await client.query<{ value: string }>(`SELECT value FROM ${t.meta} WHERE key = 'schema_version'`);
      version = found.rows[0] ? Number(found.rows[0].value) : 0;
    }
    // Not a bug: this binary is older than the data (an operator's step), so exit 1, not 3.
    if (version > SCHEMA_VERSION)
      throw new ValidationError(`store: the Postgres schema "${schema}" was written by a newer TrustStram (layout ${version}, this one knows ${SCHEMA_VERSION}); upgrade this binary`, [
        { field: 'store', message: `layout ${version} is newer than this binary's ${SCHEMA_VERSION}` },
      ]);
    // An existing, current layout needs no DDL, so the runtime user needs no CREATE privilege.
    if (version < SCHEMA_VERSION) await client.query(ddl(t));
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
