// The Store contract: where all state lives. One interface, an embedded SQLite default and a
// Postgres production implementation, both held to the same conformance suite.
import type { ApiObject } from '../api/index.js';
import type { LeaseTable } from './leases.js';

/** One server's campaign for leadership (see postgres/leader.ts). */
export interface LeaderElection {
  /** Resolves when this server becomes the leader (never, if it closes first). */
  readonly elected: Promise<void>;
  /** Resolves with the reason once this server, having led, lost leadership. */
  readonly lost: Promise<Error>;
  readonly isLeader: boolean;
  /**
   * While this server leads: the fencing token its writes carry (`ActorContext.fence`). Each
   * election numbers its leader one higher, and a write whose token is older than the newest
   * leader's is refused inside its own transaction (`FencedError`), so a deposed leader that has
   * not noticed yet (a paused process, a lock session an administrator ended) changes nothing.
   */
  readonly fence: Fence | undefined;
  /** Stops campaigning, or gives leadership up (closing the session releases the lock). */
  close(): Promise<void>;
}

/** A leader's fencing token: which election, and the number its win got. */
export interface Fence {
  name: string;
  epoch: number;
}

/** Timing of a leader election (defaults: retry 1 s, ping 1 s, ping timeout 3 s). */
export interface CampaignOptions {
  retryMs?: number;
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  log?: (line: string) => void;
  /** Whether the current leader is known to be alive; a follower takes over from a leader that is not for `takeoverAfterMs` (postgres/leader.ts). */
  leaderAlive?: () => boolean;
  takeoverAfterMs?: number;
}

/** Identifies one object. `namespace` is absent for cluster-scoped kinds. */
export interface ObjectRef {
  kind: string;
  namespace?: string;
  name: string;
}

export interface ListOptions {
  /** Restrict to one namespace; omit for all namespaces (or cluster-scoped kinds). */
  namespace?: string;
  /** Kubernetes label selector string, e.g. `team=payments,tier in (0,1)`. */
  labelSelector?: string;
}

export interface ListResult {
  items: ApiObject[];
  /** The store revision the list was read at: watch from here to miss nothing. */
  resourceVersion: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchEvent {
  type: WatchEventType;
  /** The object after the change (for DELETED: its last state). */
  object: ApiObject;
}

export interface WatchOptions extends ListOptions {
  /**
   * Deliver every change after this revision (exclusive). Omitted: only changes from now on.
   * A revision older than the retained history fails with a 410-style ExpiredError.
   */
  resourceVersion?: string;
  signal?: AbortSignal;
}

/**
 * One change in an atomic apply.
 * - `create`: fails with AlreadyExists if present.
 * - `update`: fails with NotFound if absent; replaces spec/metadata (status kept).
 * - `upsert`: create or update (what `apply` does).
 * - `updateStatus`: replaces only `status` (the /status subresource).
 * - `delete`: fails with NotFound if absent.
 * When `expectedResourceVersion` (or `object.metadata.resourceVersion`) is set and differs
 * from the stored one, the whole apply fails with a ConflictError (optimistic concurrency).
 */
export type Mutation =
  | { verb: 'create' | 'update' | 'upsert' | 'updateStatus'; object: ApiObject; expectedResourceVersion?: string }
  | { verb: 'delete'; ref: ObjectRef; expectedResourceVersion?: string };

/** Who is making a change and why; recorded in the audit chain. */
export interface ActorContext {
  /** `user:alice`, `controller:placement`, `agent:aws-eu-1`, `cli:anonymous` ... */
  actor: string;
  /** Free-form reason recorded with the audit entry (e.g. `apply -f examples/`). */
  reason?: string;
  /** Validate and compute the result, then roll back: nothing is written, not even audit. */
  dryRun?: boolean;
  /**
   * Decisions to append to the audit chain in the same transaction, after the mutations'
   * entries (a controller's "why" committed with its "what"; one commit instead of one each).
   */
  decisions?: AuditDecision[];
  /**
   * Commit only if this is still the newest leader's token (a shared store checks it in the
   * write's transaction; a store one server owns has no elections and ignores it).
   */
  fence?: Fence;
}

export interface MutationResult {
  verb: Mutation['verb'];
  ref: ObjectRef;
  /** `created`, `configured`, `unchanged`, `deleted`: what kubectl prints. */
  outcome: 'created' | 'configured' | 'unchanged' | 'deleted';
  /** Object after the change (before it for deletes). */
  object: ApiObject;
}

export interface ApplyResult {
  results: MutationResult[];
  /** Store revision after the apply (unchanged when nothing changed). */
  resourceVersion: string;
}

/** A controller or admission decision to record in the audit chain (no object change). */
export interface AuditDecision {
  actor: string;
  /** e.g. `schedule`, `deny`, `failover`, `evict`, `budget-alert`. */
  verb: string;
  ref?: ObjectRef;
  /** Structured reasons: codes, scores, messages. */
  details?: Record<string, unknown>;
}

/** One link of the hash chain. */
export interface AuditEntry {
  seq: number;
  /** ISO-8601 UTC time of the entry. */
  time: string;
  actor: string;
  verb: string;
  kind?: string;
  namespace?: string;
  name?: string;
  /** Store revision written by this mutation, when it changed an object. */
  resourceVersion?: string;
  /** SHA-256 of the canonical JSON of the object before and after (absent when none). */
  beforeDigest?: string;
  afterDigest?: string;
  details?: Record<string, unknown>;
  /** Hash of the previous entry (64 zeros for the first). */
  prevHash: string;
  /** SHA-256 over this entry's canonical fields and prevHash. */
  hash: string;
}

export interface AuditQuery {
  /** Only entries at or after this ISO time. */
  since?: string;
  /** Only entries with seq greater than this. */
  afterSeq?: number;
  limit?: number;
  ref?: Partial<ObjectRef>;
}

export interface AuditVerifyResult {
  ok: boolean;
  /** Number of entries checked. */
  entries: number;
  /** Hash of the last entry: publish it to detect later truncation. */
  headHash: string;
  /** First broken link, when not ok. */
  firstBad?: { seq: number; problem: string };
}

/** A past version of an object, for time-weighted cost accrual and `describe` history. */
export interface HistoryEntry {
  resourceVersion: string;
  time: string;
  type: WatchEventType;
  object: ApiObject;
}

export interface HistoryOptions {
  /** ISO time: versions written at or after it. */
  since: string;
  /** ISO time: versions written at or before it (default: now and later). */
  until?: string;
  namespace?: string;
  /**
   * Also return, first, the version of every object that was in effect at `since` (its last
   * version written before `since`, unless that was a deletion), with its original time. Cost
   * accrual needs it: an object changed inside the window was priced at its older version
   * from `since` until the change. Versions removed by compaction cannot be returned.
   */
  includeStateAtSince?: boolean;
}

/**
 * The state store. All methods are async so that SQLite and Postgres share one contract.
 * Every mutation is committed together with its audit entries in one transaction.
 */
export interface Store {
  get(ref: ObjectRef): Promise<ApiObject | undefined>;
  list(kind: string, opts?: ListOptions): Promise<ListResult>;
  /** Streams changes; ends when `signal` aborts or `close()` is called. */
  watch(kind: string | undefined, opts?: WatchOptions): AsyncIterable<WatchEvent>;
  /** Applies all mutations atomically: all succeed or none is written (and none audited). */
  apply(mutations: Mutation[], ctx: ActorContext): Promise<ApplyResult>;
  /** Appends a decision (scheduling, denial, failover...) to the audit chain. */
  recordDecision(decision: AuditDecision, opts?: { fence?: Fence }): Promise<AuditEntry>;
  auditLog(query?: AuditQuery): Promise<AuditEntry[]>;
  verifyAudit(): Promise<AuditVerifyResult>;
  /** Versions of objects of a kind between two times (inclusive), oldest first. */
  history(kind: string, opts: HistoryOptions): Promise<HistoryEntry[]>;
  /** Current store revision. */
  revision(): Promise<string>;
  /**
   * Agents' leases shared by every server on this store (Postgres), so an agent may renew through
   * any of them. Absent when one server owns the store (SQLite): it keeps leases in memory.
   */
  readonly sharedLeases?: LeaseTable;
  /**
   * Campaigns for leadership of `name` among the servers on this store (Postgres): only the
   * leader should run the controllers. Absent when one server owns the store (SQLite).
   */
  campaign?(name: string, opts?: CampaignOptions): LeaderElection;
  close(): Promise<void>;
}
