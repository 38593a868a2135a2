// Process entry of a server-managed agent: `node agent-main.js '<AgentOptions as JSON>'`.
// The CLI's `truststram agent` calls runAgent itself; this entry lets the control plane start
// agents as separate processes (see agent-process.ts) without going through the CLI.
import { runAgent, type AgentOptions } from './agent.js';

const raw = process.argv[2];
if (!raw) {
  process.stderr.write('usage: agent-main \'{"cluster":"NAME","server":"http://127.0.0.1:7400"}\'\n');
  process.exit(1);
}
const options = JSON.parse(raw) as AgentOptions;
runAgent({ ...options, handleSignals: true, onExit: () => process.exit(0) });
