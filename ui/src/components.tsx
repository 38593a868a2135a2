// Building blocks every view uses: links, cards, stats, tables, badges, utilisation bars and
// the empty / error / not-available states, so each state reads the same everywhere.
import type { ComponentChildren } from 'preact';
import { isUnreachable } from './live';
import { href, onLinkClick } from './route';

export function Link({ to, children, class: cls, current }: { to: string; children: ComponentChildren; class?: string; current?: boolean }) {
  return (
    <a href={href(to)} class={cls} aria-current={current ? 'page' : undefined} onClick={(e) => onLinkClick(e, to)}>
      {children}
    </a>
  );
}

export function Page({ title, subtitle, children, actions }: { title: string; subtitle?: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-head">
        <div>
          <h1 id="page-title" tabIndex={-1}>
            {title}
          </h1>
          {subtitle && <p class="muted">{subtitle}</p>}
        </div>
        {actions && <div class="actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

export function Card({ title, children, wide, id }: { title?: string; children: ComponentChildren; wide?: boolean; id?: string }) {
  return (
    <section class={`card${wide ? ' wide' : ''}`} {...(id ? { id } : {})} aria-label={title}>
      {title && <h2>{title}</h2>}
      {children}
    </section>
  );
}

export function Stat({ label, value, tone, hint, testid }: { label: string; value: ComponentChildren; tone?: Tone; hint?: ComponentChildren; testid?: string }) {
  return (
    <div class={`stat ${tone ?? ''}`} data-testid={testid}>
      <div class="stat-label">{label}</div>
      <div class="stat-value">{value}</div>
      {hint && <div class="stat-hint">{hint}</div>}
    </div>
  );
}

export type Tone = 'ok' | 'warn' | 'bad' | 'info' | 'muted';

export function Badge({ tone, children, title }: { tone: Tone; children: ComponentChildren; title?: string }) {
  return (
    <span class={`badge ${tone}`} title={title}>
      {children}
    </span>
  );
}

/** A labelled bar; `value` in 0..1. */
export function Bar({ value, label }: { value: number; label: string }) {
  const v = Math.max(0, Math.min(1, Number.isFinite(value) ? value : 0));
  const tone = v > 0.85 ? 'bad' : v > 0.65 ? 'warn' : 'ok';
  return (
    <div class="bar" role="meter" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(v * 100)} aria-label={label} title={`${label}: ${Math.round(v * 100)}%`}>
      <div class={`bar-fill ${tone}`} style={{ width: `${v * 100}%` }} />
    </div>
  );
}

export interface Column<T> {
  header: string;
  cell: (row: T) => ComponentChildren;
  numeric?: boolean;
}

export function Table<T>({ rows, columns, rowKey, caption, empty }: { rows: T[]; columns: Column<T>[]; rowKey: (r: T) => string; caption?: string; empty?: string }) {
  if (!rows.length) return <Empty>{empty ?? 'Nothing here yet.'}</Empty>;
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={caption ?? 'table'}>
      <table>
        {caption && <caption class="sr-only">{caption}</caption>}
        <thead>
          <tr>
            {columns.map((c) => (
              <th scope="col" class={c.numeric ? 'num' : ''}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={rowKey(r)}>
              {columns.map((c) => (
                <td class={c.numeric ? 'num' : ''}>{c.cell(r)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return (
    <p class="state empty" role="status">
      {children}
    </p>
  );
}

/** The state of a computed view: loading, unreachable, not installed on this server, failed. */
export function PollState({ polled, what }: { polled: { loading: boolean; error: Error | undefined; unavailable: boolean; data: unknown }; what: string }) {
  if (polled.unavailable)
    return (
      <p class="state unavailable" role="status" data-testid="unavailable">
        {what} is not available on this server yet (the endpoint is not installed).
      </p>
    );
  if (polled.error && !polled.data)
    return (
      <p class="state error" role="alert">
        {isUnreachable(polled.error) ? 'The server is unreachable; retrying…' : `Could not load ${what}: ${polled.error.message}`}
      </p>
    );
  if (polled.loading && !polled.data) return <p class="state loading">Loading {what}…</p>;
  return null;
}

export const phaseTone = (phase: string | undefined): Tone => (phase === 'Ready' ? 'ok' : phase === 'NotReady' || phase === 'Failed' ? 'bad' : phase ? 'warn' : 'muted');
