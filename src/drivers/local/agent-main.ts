// Process entry of a server-managed agent: `node agent-main.js '<AgentOptions as JSON>'`, its
// bearer token (if any) in TRUSTSTRAM_TOKEN. The CLI's `truststram agent` calls runAgent itself;
// this entry lets the control plane start agents as separate processes (see agent-process.ts).
import { AGENT_TOKEN_ENV } from './agent-process.js';
import { runAgent, type AgentOptions } from './agent.js';

const raw = process.argv[2];
if (!raw) {
  process.stderr.write('usage: agent-main \'{"cluster":"NAME","server":"http://127.0.0.1:7400"}\'\n');
  process.exit(1);
}
const options = JSON.parse(raw) as AgentOptions;
const token = process.env[AGENT_TOKEN_ENV];
// Replicas inherit this process's environment: they are workload code, not the agent.
delete process.env[AGENT_TOKEN_ENV];
runAgent({ ...options, ...(token ? { token } : {}), handleSignals: true, onExit: () => process.exit(0) });
