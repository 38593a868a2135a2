// A tiny history router under /ui/: URLs deep-link to every view, workload and cluster
// (`/ui/workloads/payments/payments-api`, `/ui/clusters/aws-eu-west-1`).
import { useEffect, useState } from 'preact/hooks';

export const BASE = '/ui';

/** Path segments after /ui/: `/ui/workloads/ns/name` → `['workloads', 'ns', 'name']`. */
export function currentSegments(): string[] {
  const p = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : location.pathname;
  return p.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
}

const listeners = new Set<() => void>();

/** Moves to `/ui/<path>` without a page load. */
export function navigate(path: string): void {
  const url = `${BASE}/${path.replace(/^\/+/, '')}`;
  if (url !== location.pathname + location.search) history.pushState(null, '', url);
  for (const l of listeners) l();
  window.scrollTo(0, 0);
}

/** Re-renders on navigation (links and the browser's back/forward). */
export function useSegments(): string[] {
  const [segs, set] = useState(currentSegments);
  useEffect(() => {
    const on = () => set(currentSegments());
    listeners.add(on);
    window.addEventListener('popstate', on);
    return () => {
      listeners.delete(on);
      window.removeEventListener('popstate', on);
    };
  }, []);
  return segs;
}

/** `href` for an in-app path, so links work with middle-click and copy-link too. */
export const href = (path: string) => `${BASE}/${path.split('/').map(encodeURIComponent).join('/')}`;

/** Click handler for in-app links: plain clicks route in place, modified clicks behave normally. */
export function onLinkClick(e: MouseEvent, path: string): void {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(path.split('/').map(encodeURIComponent).join('/'));
}
