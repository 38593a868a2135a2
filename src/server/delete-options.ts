// Kubernetes DeleteOptions sent as the body of a DELETE (kubectl does): parsed strictly, because
// a misspelt dryRun or precondition silently ignored would delete what the caller meant to keep.
import { BadRequestError } from '../api/index.js';

/** What a DELETE honours from its DeleteOptions body. */
export interface DeleteOptions {
  dryRun: boolean;
  /** `preconditions.resourceVersion`: delete only this revision (409 otherwise). */
  resourceVersion?: string;
  /** `preconditions.uid`: delete only this incarnation of the name (409 otherwise). */
  uid?: string;
}

const PROPAGATION = ['Orphan', 'Background', 'Foreground'];

/**
 * Checks a DeleteOptions body. Fields TrustStram has no use for (gracePeriodSeconds,
 * propagationPolicy, orphanDependents) are type-checked and ignored; unknown fields are ignored
 * as the Kubernetes API server does; a wrongly typed known field is a 400 naming it.
 */
export function parseDeleteOptions(value: unknown): DeleteOptions {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw bad('', 'the body of a DELETE must be a DeleteOptions object');
  const o = value as Record<string, unknown>;
  if (o.kind !== undefined && o.kind !== 'DeleteOptions') throw bad('kind', `must be "DeleteOptions", got ${JSON.stringify(o.kind)}`);
  if (o.apiVersion !== undefined && typeof o.apiVersion !== 'string') throw bad('apiVersion', 'must be a string');
  const out: DeleteOptions = { dryRun: false };
  if (o.dryRun !== undefined) {
    if (!Array.isArray(o.dryRun) || o.dryRun.some((v) => v !== 'All')) throw bad('dryRun', 'must be a list whose only allowed value is "All" (e.g. ["All"])');
    out.dryRun = o.dryRun.length > 0;
  }
  if (o.gracePeriodSeconds !== undefined && !(Number.isSafeInteger(o.gracePeriodSeconds) && (o.gracePeriodSeconds as number) >= 0)) throw bad('gracePeriodSeconds', 'must be a non-negative whole number of seconds');
  if (o.propagationPolicy !== undefined && !PROPAGATION.includes(o.propagationPolicy as string)) throw bad('propagationPolicy', `must be one of ${PROPAGATION.join(', ')}`);
  if (o.orphanDependents !== undefined && typeof o.orphanDependents !== 'boolean') throw bad('orphanDependents', 'must be a boolean');
  if (o.preconditions !== undefined && o.preconditions !== null) {
    if (typeof o.preconditions !== 'object' || Array.isArray(o.preconditions)) throw bad('preconditions', 'must be an object with resourceVersion and/or uid');
    const { resourceVersion, uid } = o.preconditions as Record<string, unknown>;
    if (resourceVersion !== undefined) {
      if (typeof resourceVersion !== 'string' || !/^\d{1,19}$/.test(resourceVersion)) throw bad('preconditions.resourceVersion', 'must be a string holding a decimal revision such as "42"');
      out.resourceVersion = resourceVersion;
    }
    if (uid !== undefined) {
      if (typeof uid !== 'string' || uid === '') throw bad('preconditions.uid', 'must be a non-empty string');
      out.uid = uid;
    }
  }
  return out;
}

function bad(field: string, message: string): BadRequestError {
  return new BadRequestError(field ? `DeleteOptions ${field}: ${message}` : message, field ? [{ field, message }] : []);
}
