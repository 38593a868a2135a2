// Health, readiness and metrics endpoints: plain text as Kubernetes serves them.
import type { ServerResponse } from 'node:http';
import { RetryableError } from '../api/index.js';
import type { ServerDeps } from './deps.js';
import type { View } from './router.js';

function sendText(res: ServerResponse, status: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}

/** `/healthz` (the process serves), `/readyz` (the store answers), `/metrics` (Prometheus). */
export function systemViews(deps: ServerDeps): View[] {
  return [
    {
      method: 'GET',
      path: '/healthz',
      name: 'healthz',
      public: true,
      handler: async (ctx) => {
        sendText(ctx.res, 200, 'ok');
        return undefined;
      },
    },
    {
      method: 'GET',
      path: '/readyz',
      name: 'readyz',
      public: true,
      handler: async (ctx) => {
        try {
          await ctx.store.revision();
        } catch (err) {
          // Not the caller's fault: 503 tells load balancers to route elsewhere.
          throw new RetryableError(`store unreachable: ${(err as Error).message}`);
        }
        sendText(ctx.res, 200, 'ok');
        return undefined;
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      name: 'metrics',
      handler: async (ctx) => {
        sendText(ctx.res, 200, await deps.metrics.render(), deps.metrics.registry.contentType);
        return undefined;
      },
    },
  ];
}
