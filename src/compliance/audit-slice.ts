// Verifying a slice of the audit chain offline: entries firstSeq..lastSeq, contiguous, each
// linked to the previous one and hashing to its own fields. A slice need not start at entry 1:
// its first entry's prevHash is the anchor, recorded in the bundle manifest (and, for entry 1,
// the genesis hash).
import { GENESIS_HASH, computeEntryHash, type AuditEntry } from '../audit/index.js';

export interface SliceExpectation {
  /** The prevHash the first entry must carry (the hash of the entry before the slice). */
  anchorPrevHash: string;
  firstSeq: number;
  /** The last entry of the slice (its head). */
  headSeq: number;
  headHash: string;
}

export interface SliceProblem {
  /** The entry the problem is about (for a gap: the missing seq). */
  seq: number;
  /** 1-based line in the JSON Lines file, when known. */
  line?: number;
  problem: string;
}

const short = (h: unknown) => (typeof h === 'string' ? h.slice(0, 12) : String(h));

/**
 * Returns the first problem of the slice, or undefined when it is a contiguous, unbroken chain
 * from `firstSeq` to the head. `lines[i]` is the file line of `entries[i]`.
 */
export function verifyAuditSlice(entries: readonly AuditEntry[], want: SliceExpectation, lines?: readonly number[]): SliceProblem | undefined {
  if (want.firstSeq === 1 && want.anchorPrevHash !== GENESIS_HASH) return { seq: 1, problem: `the manifest's anchor for a slice starting at entry 1 must be the genesis hash, not ${short(want.anchorPrevHash)}` };
  if (entries.length === 0) return want.headSeq >= want.firstSeq ? { seq: want.firstSeq, problem: `the slice is empty but the manifest lists entries ${want.firstSeq}..${want.headSeq}` } : undefined;
  let prev: AuditEntry | undefined;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const at = lines?.[i] !== undefined ? { line: lines[i]! } : {};
    const expected = prev ? prev.seq + 1 : want.firstSeq;
    if (e.seq !== expected) {
      if (prev && e.seq <= prev.seq) return { seq: e.seq, ...at, problem: `entry ${e.seq} appears after entry ${prev.seq}: entries were reordered or duplicated` };
      return { seq: expected, ...at, problem: prev ? `entry ${expected} is missing (the next entry is ${e.seq}): the slice is not contiguous` : `the slice starts at entry ${e.seq}, but the manifest says it starts at ${expected}` };
    }
    const prevHash = prev ? prev.hash : want.anchorPrevHash;
    if (e.prevHash !== prevHash)
      return { seq: e.seq, ...at, problem: prev ? `entry ${e.seq} does not link to entry ${prev.seq}: prevHash ${short(e.prevHash)} != ${short(prevHash)}` : `entry ${e.seq} does not link to the manifest's anchor: prevHash ${short(e.prevHash)} != ${short(prevHash)}` };
    let actual: string;
    try {
      actual = computeEntryHash(e, e.prevHash);
    } catch (err) {
      return { seq: e.seq, ...at, problem: `entry ${e.seq} cannot be hashed: ${(err as Error).message}` };
    }
    if (actual !== e.hash) return { seq: e.seq, ...at, problem: `entry ${e.seq} was modified: its hash ${short(e.hash)} does not match its content (${short(actual)})` };
    if (prev && e.time < prev.time) return { seq: e.seq, ...at, problem: `entry ${e.seq} goes back in time: ${e.time} is before ${prev.time}` };
    prev = e;
  }
  const last = prev!;
  if (last.seq < want.headSeq) return { seq: last.seq + 1, problem: `entries ${last.seq + 1}..${want.headSeq} are missing: the slice ends at entry ${last.seq} but the manifest's head is entry ${want.headSeq} (truncated)` };
  if (last.seq > want.headSeq) return { seq: want.headSeq + 1, problem: `the slice goes on past the manifest's head (entry ${want.headSeq}) to entry ${last.seq}` };
  if (last.hash !== want.headHash) return { seq: last.seq, problem: `entry ${last.seq} has hash ${short(last.hash)} but the manifest's head hash is ${short(want.headHash)}` };
  return undefined;
}
