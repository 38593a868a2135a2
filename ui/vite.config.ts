// Build of the web dashboard: Preact + uPlot + d3-geo, bundled into ui/dist with hashed asset
// names under the /ui/ base the API server serves it at. Nothing is loaded from a CDN.
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

const root = new URL('.', import.meta.url).pathname;

export default defineConfig({
  root,
  base: '/ui/',
  plugins: [preact()],
  // The dev server proxies the API to a running `truststram server` (or `demo`).
  server: {
    proxy: Object.fromEntries(['/apis', '/api', '/metrics', '/version', '/healthz'].map((p) => [p, { target: 'http://127.0.0.1:7400', changeOrigin: false }])),
  },
  build: {
    outDir: `${root}dist`,
    emptyOutDir: true,
    target: 'es2022',
    // Small enough to read, and the map data is one chunk loaded with the Fleet and Compliance views.
    chunkSizeWarningLimit: 300,
    reportCompressedSize: false,
  },
});
