#!/usr/bin/env node
// A tiny HTTP replica for the embedded fleet: answers every request with JSON saying which
// cluster and replica served it, so routing and failover can be seen with curl.
// Plain Node, no dependencies. Environment: PORT (default 8080), TRUSTSTRAM_CLUSTER,
// TRUSTSTRAM_REPLICA, HOST (bind address, default 127.0.0.1).
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 8080);
const bind = process.env.HOST ?? '127.0.0.1';
const cluster = process.env.TRUSTSTRAM_CLUSTER ?? null;
const replica = process.env.TRUSTSTRAM_REPLICA ?? null;

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok\n');
    return;
  }
  const body = JSON.stringify({ cluster, replica, host: req.headers.host ?? null, path: url.pathname });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});

server.keepAliveTimeout = 5000;
server.listen(port, bind, () => {
  process.stdout.write(`echo: cluster=${cluster} replica=${replica} listening on http://${bind}:${server.address().port}\n`);
});

// Stop accepting on SIGTERM/SIGINT and exit once open connections finish (or after 2 s).
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections?.();
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
