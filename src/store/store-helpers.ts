// Checks and mappings every Store implementation applies the same way: actor and decision
// validation, the audit fields of a decision, label selectors, and revision rows as log events.
import { BadRequestError, ValidationError, parseSelector, type ApiObject, type LabelMatcher } from '../api/index.js';
import { digestOf, type AuditEntryFields } from '../audit/index.js';
import { assertJson, type MutationPlan } from './mutation.js';
import type { ActorContext, ApplyResult, AuditDecision, Mutation, ObjectRef, WatchEventType } from './store.js';
import type { LoggedEvent } from './watch-hub.js';

/** Thrown inside a transaction to roll a dry run back after computing its results. */
export class DryRunRollback {
  constructor(readonly result: ApplyResult) {}
}

/** Rejects a change without an actor: every audit entry names who made it. */
export function checkActor(actor: string): void {
  if (typeof actor !== 'string' || !actor) throw new ValidationError('every change needs an actor (e.g. user:alice)', [{ field: 'actor', message: 'required' }]);
}

/** Rejects a decision without actor or verb, or with details JSON cannot hold. */
export function checkDecision(decision: AuditDecision): void {
  checkActor(decision.actor);
  if (!decision.verb) throw new ValidationError('a decision needs a verb', [{ field: 'verb', message: 'required' }]);
  assertJson(decision.details ?? {}, 'decision details');
}

/** The audit fields of a decision. Hashes exactly what is stored (JSON drops undefined members and applies toJSON). */
export function decisionEntry(decision: AuditDecision, time: string): Omit<AuditEntryFields, 'seq'> {
  return {
    time,
    actor: decision.actor,
    verb: decision.verb,
    kind: decision.ref?.kind,
    namespace: decision.ref?.namespace || undefined,
    name: decision.ref?.name,
    details: decision.details === undefined ? undefined : (JSON.parse(JSON.stringify(decision.details)) as Record<string, unknown>),
  };
}

/**
 * The audit fields of one applied mutation: digests of the object before and after (the stored
 * form, so verification recomputes the same digest), the outcome, the reason, the generation.
 */
export function mutationEntry(
  m: Mutation,
  ref: ObjectRef,
  plan: MutationPlan,
  after: ApiObject,
  ctx: ActorContext,
  revision: number,
  time: string,
): Omit<AuditEntryFields, 'seq'> {
  const details: Record<string, unknown> = { outcome: plan.outcome };
  if (ctx.reason) details.reason = ctx.reason;
  if (plan.type !== 'DELETED') details.generation = after.metadata.generation;
  return {
    time,
    actor: ctx.actor,
    verb: m.verb,
    kind: ref.kind,
    namespace: ref.namespace,
    name: ref.name,
    resourceVersion: String(revision),
    beforeDigest: plan.before ? digestOf(plan.before) : undefined,
    afterDigest: plan.type === 'DELETED' ? undefined : digestOf(after),
    details,
  };
}

/** Parses a list's label selector; a malformed one is the caller's error (400). */
export function compileSelector(selector: string | undefined): LabelMatcher | undefined {
  if (!selector || !selector.trim()) return undefined;
  try {
    return parseSelector(selector);
  } catch (err) {
    throw new BadRequestError(`labelSelector: ${(err as Error).message}`, [{ field: 'labelSelector', message: (err as Error).message }]);
  }
}

/** A row of a `revisions` table (revision may arrive as a string: Postgres bigint). */
export interface RevisionRow {
  revision: number | string;
  time: string;
  type: string;
  kind: string;
  namespace: string;
  name: string;
  json: string;
  prev_labels: string | null;
}

/** Maps a revision row to the event the watch hub delivers. */
export function rowToLogged(r: RevisionRow): LoggedEvent {
  const o = JSON.parse(r.json) as ApiObject;
  return {
    revision: Number(r.revision),
    type: r.type as WatchEventType,
    kind: r.kind,
    namespace: r.namespace,
    json: r.json,
    labels: o.metadata.labels,
    prevLabels: r.prev_labels ? (JSON.parse(r.prev_labels) as Record<string, string>) : undefined,
  };
}
