// `truststram describe KIND NAME`: one object for a human — identity, spec summary, status,
// conditions, related events and the object's audit history.
import type { Command } from 'commander';
import { DEFAULT_NAMESPACE, NotFoundError, type ApiObject } from '../../api/index.js';
import { resourcePath, type Client, type ListResponse } from '../client.js';
import type { CliContext } from '../context.js';
import { kindArg } from '../manifests.js';
import { formatAge, formatLabels, formatTable, toYaml } from '../output.js';
import { fetchAudit, type AuditEntryBody } from './audit.js';

/** Renders the describe text of one object with its events and audit entries. */
export function formatDescribe(o: ApiObject, events: any[], audit: AuditEntryBody[], now = Date.now()): string {
  const lines: string[] = [];
  const m = o.metadata;
  lines.push(`Name:               ${m.name}`);
  if (m.namespace) lines.push(`Namespace:          ${m.namespace}`);
  lines.push(`Kind:               ${o.kind}`);
  lines.push(`Labels:             ${formatLabels(m.labels)}`);
  lines.push(`Annotations:        ${formatLabels(m.annotations)}`);
  lines.push(`Created:            ${m.creationTimestamp ?? '<unknown>'} (${formatAge(m.creationTimestamp, now)} ago)`);
  lines.push(`Resource Version:   ${m.resourceVersion ?? '<none>'}`);
  if (m.generation !== undefined) lines.push(`Generation:         ${m.generation}`);
  if (m.uid) lines.push(`UID:                ${m.uid}`);
  lines.push('Spec:', indent(toYaml(o.spec ?? {})));
  const status = { ...((o.status as Record<string, unknown>) ?? {}) };
  const conditions = Array.isArray(status.conditions) ? (status.conditions as any[]) : [];
  delete status.conditions;
  lines.push('Status:', Object.keys(status).length ? indent(toYaml(status)) : '  <none reported yet>');
  lines.push('Conditions:');
  lines.push(
    conditions.length
      ? indent(formatTable(['TYPE', 'STATUS', 'REASON', 'AGE', 'MESSAGE'], conditions.map((c) => [c.type, c.status, c.reason ?? '', formatAge(c.lastTransitionTime, now), c.message ?? ''])))
      : '  <none>',
  );
  lines.push('Events:');
  lines.push(
    events.length
      ? indent(formatTable(['LAST SEEN', 'TYPE', 'REASON', 'MESSAGE'], [...events].sort((a, b) => eventTime(a).localeCompare(eventTime(b))).map((e) => [formatAge(e.spec?.lastTimestamp ?? e.metadata?.creationTimestamp, now), e.spec?.type ?? '', e.spec?.reason ?? '', e.spec?.message ?? ''])))
      : '  <none>',
  );
  lines.push('Audit:');
  lines.push(
    audit.length
      ? indent(formatTable(['SEQ', 'TIME', 'ACTOR', 'VERB', 'REVISION'], audit.map((a) => [String(a.seq), a.time, a.actor, a.verb, a.resourceVersion ?? ''])))
      : '  <none>',
  );
  return lines.join('\n').replace(/\n+$/, '') + '\n';
}

function indent(s: string): string {
  return s
    .replace(/\n+$/, '')
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

/** When an Event last happened: events are listed oldest first, as kubectl describe does (the API lists them by name). */
const eventTime = (e: any): string => e.spec?.lastTimestamp ?? e.spec?.firstTimestamp ?? e.metadata?.creationTimestamp ?? '';

// Events and audit are best effort: an object is still worth describing without them.
async function relatedEvents(client: Client, o: ApiObject): Promise<any[]> {
  try {
    const path = resourcePath({ plural: 'events', namespaced: true }, o.metadata.namespace);
    const list = await client.request<ListResponse<any>>('GET', path);
    return list.items.filter((e) => e.spec?.involvedObject?.kind === o.kind && e.spec?.involvedObject?.name === o.metadata.name);
  } catch (err) {
    if (err instanceof NotFoundError) return [];
    throw err;
  }
}

export function registerDescribe(program: Command, ctx: CliContext): void {
  program
    .command('describe')
    .description('Show one object in detail: spec, status, conditions, events and its audit history')
    .argument('<kind>', 'clusters, workloads, policies, budgets, placements, events')
    .argument('<name>', 'object name')
    .option('-n, --namespace <ns>', `namespace of namespaced kinds (default "${DEFAULT_NAMESPACE}")`)
    .addHelpText('after', '\nExamples:\n  truststram describe cluster aws-eu-west-1\n  truststram describe workload payments-api -n payments')
    .action(async (kind: string, name: string, opts: { namespace?: string }, cmd: Command) => {
      const info = kindArg(kind);
      const ns = info.namespaced ? (opts.namespace ?? DEFAULT_NAMESPACE) : undefined;
      const client = ctx.client(cmd);
      const obj = await client.request<ApiObject>('GET', resourcePath(info, ns, name));
      const events = info.kind === 'Event' ? [] : await relatedEvents(client, obj);
      const audit = (await fetchAudit(client, { kind: info.kind, namespace: ns, name }).catch((err: unknown) => (err instanceof NotFoundError ? [] : Promise.reject(err)))).filter(
        (a) => a.kind === info.kind && a.name === name && (a.namespace ?? undefined) === ns,
      );
      ctx.stdout.write(formatDescribe(obj, events, audit));
    });
}
