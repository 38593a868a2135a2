// Test replica: a tiny HTTP service answering with its identity, like examples/apps/echo.mjs.
// GET /healthz -> 200 "ok"; anything else -> {cluster, replica, workload, host, path, pid}.
import { createServer } from 'node:http';
import { hostname } from 'node:os';

const port = Number(process.env.PORT);
const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    return;
  }
  const body = {
    cluster: process.env.TRUSTSTRAM_CLUSTER,
    replica: process.env.TRUSTSTRAM_REPLICA,
    workload: process.env.TRUSTSTRAM_WORKLOAD,
    host: hostname(),
    path,
    pid: process.pid,
  };
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body) + '\n');
});
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
