// Test helper: `truststram agent` as the CLI will run it — a child process running runAgent
// with signal handling on. argv: cluster, server URL. Prints "ready" once registered.
import { runAgent } from '../agent.js';

const [, , cluster, server] = process.argv;
const agent = runAgent({ cluster: cluster!, server: server!, heartbeatMs: 200, stopGraceMs: 1000, handleSignals: true, log: () => undefined });
await agent.registered;
process.stdout.write('ready\n');
