// The SQLite file layout and connection settings of the embedded store: objects, the revision
// log (watch backlog and history), the audit chain and its head, and a small meta table.
import Database from 'better-sqlite3';
import type { AuditRow } from '../audit-row.js';
import type { RevisionRow } from '../store-helpers.js';

export type { AuditRow, RevisionRow };

export type Db = Database.Database;

const SCHEMA_VERSION = 1;

// `objects` is the current state; `revisions` holds every change with the full object (the
// watch backlog and the history that cost accrual reads); `audit` is the hash chain; and
// `audit_head` repeats the last (seq, hash) so that cutting entries off the end is noticed.
const DDL = `
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS objects (
  kind      TEXT NOT NULL,
  namespace TEXT NOT NULL,
  name      TEXT NOT NULL,
  revision  INTEGER NOT NULL,
  json      TEXT NOT NULL,
  PRIMARY KEY (kind, namespace, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS revisions (
  revision    INTEGER PRIMARY KEY,
  time        TEXT NOT NULL,
  type        TEXT NOT NULL,
  kind        TEXT NOT NULL,
  namespace   TEXT NOT NULL,
  name        TEXT NOT NULL,
  json        TEXT NOT NULL,
  prev_labels TEXT
);
CREATE INDEX IF NOT EXISTS revisions_by_kind ON revisions (kind, revision);
CREATE INDEX IF NOT EXISTS revisions_by_time ON revisions (kind, time);
CREATE TABLE IF NOT EXISTS audit (
  seq              INTEGER PRIMARY KEY,
  time             TEXT NOT NULL,
  actor            TEXT NOT NULL,
  verb             TEXT NOT NULL,
  kind             TEXT,
  namespace        TEXT,
  name             TEXT,
  resource_version INTEGER,
  before_digest    TEXT,
  after_digest     TEXT,
  details          TEXT,
  prev_hash        TEXT NOT NULL,
  hash             TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_by_revision ON audit (resource_version) WHERE resource_version IS NOT NULL;
CREATE INDEX IF NOT EXISTS audit_by_time ON audit (time);
CREATE TABLE IF NOT EXISTS audit_head (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  seq  INTEGER NOT NULL,
  hash TEXT NOT NULL
);
INSERT OR IGNORE INTO meta (key, value) VALUES ('revision', 0), ('compacted_revision', 0);
`;

/**
 * Opens (creating if needed) the database file. WAL lets readers run beside the writer;
 * `synchronous=FULL` fsyncs the WAL on every commit, so an acknowledged apply survives a crash
 * or power loss (NORMAL would only survive a process crash). The busy timeout covers a second
 * process (an offline `audit verify`) briefly holding a lock.
 */
export function openDatabase(path: string, busyTimeoutMs = 5000): Db {
  const db = new Database(path);
  try {
    if (path !== ':memory:') db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    db.pragma('foreign_keys = ON');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION)
      throw new Error(`${path} was written by a newer TrustStram (schema ${version}, this one knows ${SCHEMA_VERSION})`);
    db.exec(DDL);
    if (version < SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Every statement the store runs, prepared once per connection. */
export function prepareStatements(db: Db) {
  return {
    getMeta: db.prepare<[string], { value: number }>('SELECT value FROM meta WHERE key = ?'),
    setMeta: db.prepare<[number, string]>('UPDATE meta SET value = ? WHERE key = ?'),
    getObject: db.prepare<[string, string, string], { json: string }>('SELECT json FROM objects WHERE kind = ? AND namespace = ? AND name = ?'),
    putObject: db.prepare<[string, string, string, number, string]>(
      'INSERT INTO objects (kind, namespace, name, revision, json) VALUES (?, ?, ?, ?, ?) ON CONFLICT (kind, namespace, name) DO UPDATE SET revision = excluded.revision, json = excluded.json',
    ),
    deleteObject: db.prepare<[string, string, string]>('DELETE FROM objects WHERE kind = ? AND namespace = ? AND name = ?'),
    listAll: db.prepare<[string], { json: string }>('SELECT json FROM objects WHERE kind = ? ORDER BY namespace, name'),
    listNamespace: db.prepare<[string, string], { json: string }>('SELECT json FROM objects WHERE kind = ? AND namespace = ? ORDER BY name'),
    insertRevision: db.prepare<[number, string, string, string, string, string, string, string | null]>(
      'INSERT INTO revisions (revision, time, type, kind, namespace, name, json, prev_labels) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    revisionsAfterAll: db.prepare<[number, number], RevisionRow>('SELECT * FROM revisions WHERE revision > ? ORDER BY revision LIMIT ?'),
    revisionsAfterKind: db.prepare<[string, number, number], RevisionRow>('SELECT * FROM revisions WHERE kind = ? AND revision > ? ORDER BY revision LIMIT ?'),
    revisionsAfterNs: db.prepare<[string, string, number, number], RevisionRow>(
      'SELECT * FROM revisions WHERE kind = ? AND namespace = ? AND revision > ? ORDER BY revision LIMIT ?',
    ),
    historyAll: db.prepare<[string, string, string], RevisionRow>('SELECT * FROM revisions WHERE kind = ? AND time >= ? AND time <= ? ORDER BY revision'),
    historyNs: db.prepare<[string, string, string, string], RevisionRow>(
      'SELECT * FROM revisions WHERE kind = ? AND namespace = ? AND time >= ? AND time <= ? ORDER BY revision',
    ),
    // The last version of each object written before a time, unless it was a deletion: the state
    // in effect at that time (for history's includeStateAtSince).
    stateAtAll: db.prepare<[string, string], RevisionRow>(
      `SELECT r.* FROM revisions r JOIN (SELECT MAX(revision) AS rev FROM revisions WHERE kind = ? AND time < ? GROUP BY namespace, name) m
       ON r.revision = m.rev WHERE r.type <> 'DELETED' ORDER BY r.revision`,
    ),
    stateAtNs: db.prepare<[string, string, string], RevisionRow>(
      `SELECT r.* FROM revisions r JOIN (SELECT MAX(revision) AS rev FROM revisions WHERE kind = ? AND namespace = ? AND time < ? GROUP BY name) m
       ON r.revision = m.rev WHERE r.type <> 'DELETED' ORDER BY r.revision`,
    ),
    compact: db.prepare<[number]>('DELETE FROM revisions WHERE revision <= ?'),
    insertAudit: db.prepare<[AuditRow]>(
      `INSERT INTO audit (seq, time, actor, verb, kind, namespace, name, resource_version, before_digest, after_digest, details, prev_hash, hash)
       VALUES (@seq, @time, @actor, @verb, @kind, @namespace, @name, @resource_version, @before_digest, @after_digest, @details, @prev_hash, @hash)`,
    ),
    getHead: db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM audit_head WHERE id = 1'),
    setHead: db.prepare<[number, string]>('INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash'),
    lastAudit: db.prepare<[], AuditRow>('SELECT * FROM audit ORDER BY seq DESC LIMIT 1'),
    allAudit: db.prepare<[], AuditRow>('SELECT * FROM audit ORDER BY seq'),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
