// The local driver and its agent: what other components import from src/drivers/local.
export { createLocalDriver, compileLocalDriverOptions, type LocalDriver, type LocalDriverOptions } from './local-driver.js';
export { runAgent, compileAgentOptions, type AgentOptions, type RunningAgent } from './agent.js';
export { startAgentProcess, agentCommand, type AgentProcess, type AgentProcessOptions, type SpawnAgentOptions } from './agent-process.js';
export { type PublishedWorkload, type PublishedReport } from './agent-report.js';
export { deriveClusterWork, workFor, clusterAllocatable } from './work.js';
export { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export { isPidAlive, isGroupAlive } from '../../util/proc.js';
