// The admission seam: after schema validation and before the store, every write passes each
// hook in order. Policies and budgets plug in here; a deny rejects the whole request.
import { ForbiddenError, objectKey, type ApiObject, type Cause } from '../api/index.js';
import type { Store } from '../store/store.js';

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface AdmissionRequest {
  operation: AdmissionOperation;
  /** The object as it would be stored (validated and defaulted); absent for DELETE. */
  object?: ApiObject;
  /** The stored object for UPDATE and DELETE. */
  oldObject?: ApiObject;
  subresource?: 'status';
  actor: string;
  dryRun: boolean;
  /** Every object of the same atomic apply, for hooks that judge a batch (budgets). */
  batch: readonly ApiObject[];
  /** Where the object came from, when it came from a file. */
  location?: { file?: string; document?: number };
  /** Read-only use: hooks look things up, they never write. */
  store: Store;
}

/** `allow`; `warn` admits and returns `messages` as warnings; `deny` rejects with `messages`/`causes`. */
export interface AdmissionResult {
  verdict: 'allow' | 'warn' | 'deny';
  messages?: string[];
  causes?: Cause[];
}

export type AdmissionHook = (req: AdmissionRequest) => Promise<AdmissionResult>;

/**
 * Runs every hook on every request and collects all denials, so one answer names every
 * problem. Returns the warnings; throws ForbiddenError (403) when anything was denied.
 */
export async function runAdmission(hooks: readonly AdmissionHook[], requests: readonly AdmissionRequest[]): Promise<string[]> {
  const warnings: string[] = [];
  const causes: Cause[] = [];
  for (const r of requests) {
    const target = r.object ?? r.oldObject;
    const object = target ? objectKey(target) : undefined;
    for (const hook of hooks) {
      const v = await hook(r);
      if (v.verdict === 'warn') warnings.push(...(v.messages ?? []).map((m) => (object ? `${object}: ${m}` : m)));
      if (v.verdict !== 'deny') continue;
      const located = (c: Cause): Cause => ({ ...r.location, ...(object ? { object } : {}), ...c });
      if (v.causes?.length) causes.push(...v.causes.map(located));
      else causes.push(...(v.messages?.length ? v.messages : ['denied by admission']).map((message) => located({ field: '', message })));
    }
  }
  if (causes.length) {
    const first = causes[0]!;
    throw new ForbiddenError(`admission denied${first.object ? ` ${first.object}` : ''}: ${first.message}${causes.length > 1 ? ` (and ${causes.length - 1} more)` : ''}`, causes);
  }
  return warnings;
}
