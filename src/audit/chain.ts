// The audit hash chain: how an entry's hash is computed from its fields and its predecessor's
// hash, how a new entry is linked, and how a chain is verified link by link.
import type { AuditEntry, AuditVerifyResult } from '../store/store.js';
import { canonicalJson, sha256Hex } from './canonical-json.js';

/** The `prevHash` of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields an entry is made of, before it is linked into the chain. */
export type AuditEntryFields = Omit<AuditEntry, 'prevHash' | 'hash'>;

/** The hashed fields, named once so that writer and verifier can never disagree. */
const HASHED_FIELDS = [
  'seq',
  'time',
  'actor',
  'verb',
  'kind',
  'namespace',
  'name',
  'resourceVersion',
  'beforeDigest',
  'afterDigest',
  'details',
] as const;

/**
 * SHA-256 over the canonical JSON of the entry's fields plus `prevHash`. Absent optional fields
 * are omitted from the JSON (not written as null), so adding an optional field later does not
 * change the hash of existing entries.
 */
export function computeEntryHash(fields: AuditEntryFields, prevHash: string): string {
  const body: Record<string, unknown> = { prevHash };
  for (const f of HASHED_FIELDS) body[f] = fields[f];
  return sha256Hex(canonicalJson(body));
}

/** Links new fields after `prev` (or at the start of the chain when `prev` is undefined). */
export function linkEntry(fields: AuditEntryFields, prev: Pick<AuditEntry, 'hash'> | undefined): AuditEntry {
  const prevHash = prev?.hash ?? GENESIS_HASH;
  return { ...fields, prevHash, hash: computeEntryHash(fields, prevHash) };
}

export interface ChainVerifier {
  /** Checks the next entry; returns the problem (and stops checking further) when it is bad. */
  push(entry: AuditEntry): { seq: number; problem: string } | undefined;
  /** The result so far: entries checked, head hash, first problem. */
  result(): AuditVerifyResult;
}

export interface VerifyChainOptions {
  /**
   * The head (last seq and hash) published or exported earlier. A chain alone cannot show that
   * its last entries were cut off; comparing with a head kept elsewhere can.
   */
  expectedHead?: { seq: number; hash: string };
}

/**
 * An incremental verifier, so a store can stream millions of rows without holding them.
 * Checks, in order, for each entry: seq is exactly previous + 1 (catches deletion, insertion and
 * reordering), prevHash equals the previous hash, the hash matches the fields (catches edits),
 * and time does not go backwards.
 */
export function createChainVerifier(): ChainVerifier {
  let count = 0;
  let prev: AuditEntry | undefined;
  let firstBad: { seq: number; problem: string } | undefined;

  // Returns the first problem with `e` and the seq it is about (the missing one for gaps).
  const check = (e: AuditEntry): { seq: number; problem: string } | undefined => {
    const expectedSeq = prev ? prev.seq + 1 : 1;
    if (!Number.isSafeInteger(e.seq)) return { seq: expectedSeq, problem: `entry after ${expectedSeq - 1} has a seq that is not an integer` };
    if (e.seq !== expectedSeq) {
      if (prev && e.seq <= prev.seq)
        return { seq: e.seq, problem: `entry ${e.seq} appears after entry ${prev.seq}: entries were reordered or duplicated` };
      return { seq: expectedSeq, problem: `entry ${expectedSeq} is missing (the next entry is ${e.seq}): entries were deleted or reordered` };
    }
    const problem = checkLinked(e);
    return problem ? { seq: e.seq, problem } : undefined;
  };

  const checkLinked = (e: AuditEntry): string | undefined => {
    const prevHash = prev?.hash ?? GENESIS_HASH;
    if (e.prevHash !== prevHash)
      return prev
        ? `entry ${e.seq} does not link to entry ${prev.seq}: prevHash ${short(e.prevHash)} != ${short(prevHash)} (an entry was inserted, replaced or reordered)`
        : `entry 1 does not start the chain: prevHash ${short(e.prevHash)} is not the genesis hash`;
    let actual: string;
    try {
      actual = computeEntryHash(e, e.prevHash);
    } catch (err) {
      return `entry ${e.seq} cannot be hashed: ${(err as Error).message}`;
    }
    if (actual !== e.hash) return `entry ${e.seq} was modified: its hash ${short(e.hash)} does not match its content (${short(actual)})`;
    if (prev && e.time < prev.time) return `entry ${e.seq} goes back in time: ${e.time} is before ${prev.time} of entry ${prev.seq}`;
    return undefined;
  };

  return {
    push(entry) {
      if (firstBad) return firstBad;
      firstBad = check(entry);
      if (firstBad) return firstBad;
      count++;
      prev = entry;
      return undefined;
    },
    result() {
      const res: AuditVerifyResult = { ok: !firstBad, entries: count, headHash: prev?.hash ?? GENESIS_HASH };
      if (firstBad) res.firstBad = firstBad;
      return res;
    },
  };
}

/**
 * Verifies a whole chain and reports the FIRST bad entry.
 * @example const r = verifyChain(parseJsonl(text), { expectedHead }); if (!r.ok) console.error(r.firstBad)
 */
export function verifyChain(entries: Iterable<AuditEntry>, opts: VerifyChainOptions = {}): AuditVerifyResult {
  const v = createChainVerifier();
  let hashAtHead: string | undefined;
  for (const e of entries) {
    if (v.push(e)) break;
    if (opts.expectedHead && e.seq === opts.expectedHead.seq) hashAtHead = e.hash;
  }
  const res = v.result();
  return res.ok && opts.expectedHead ? checkHead(res, opts.expectedHead, hashAtHead) : res;
}

/**
 * Compares a verified chain with a head recorded elsewhere: the chain must reach the head's seq
 * (else it was truncated) and hold the head's hash there (else it was rewritten).
 * `hashAtHeadSeq` is the verified chain's hash at `head.seq`, when the chain reaches it.
 */
export function checkHead(res: AuditVerifyResult, head: { seq: number; hash: string }, hashAtHeadSeq: string | undefined): AuditVerifyResult {
  if (!res.ok) return res;
  if (res.entries < head.seq)
    return { ...res, ok: false, firstBad: { seq: res.entries + 1, problem: `entries ${res.entries + 1}..${head.seq} are missing: the chain ends at entry ${res.entries} but its recorded head is entry ${head.seq} (truncated)` } };
  if (hashAtHeadSeq !== head.hash)
    return { ...res, ok: false, firstBad: { seq: head.seq, problem: `entry ${head.seq} has hash ${short(hashAtHeadSeq ?? '')} but the recorded head hash is ${short(head.hash)} (the chain was rewritten)` } };
  return res;
}

function short(h: string): string {
  return typeof h === 'string' ? h.slice(0, 12) : String(h);
}
