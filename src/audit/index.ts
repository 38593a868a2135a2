// The audit component: canonical JSON and digests, the hash chain (link, verify) and JSON Lines
// export/import. The store appends entries in the same transaction as each change.
export { canonicalJson, sha256Hex, digestOf } from './canonical-json.js';
export {
  GENESIS_HASH,
  computeEntryHash,
  linkEntry,
  createChainVerifier,
  verifyChain,
  checkHead,
  type AuditEntryFields,
  type ChainVerifier,
  type VerifyChainOptions,
} from './chain.js';
export { exportJsonl, exportJsonlLine, parseJsonl } from './jsonl.js';
export type { AuditEntry, AuditVerifyResult } from '../store/store.js';
