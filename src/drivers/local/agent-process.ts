// Starting an agent as its own OS process (what the server does for local clusters with
// `driver.managed` not false, and what the demo does for its fleet). A cluster failure is
// then just that process dying: chaos can SIGKILL it and its replicas go with it.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AgentOptions } from './agent.js';

/**
 * Options that can cross a process boundary (no callbacks). They travel as JSON on the command
 * line, which `ps` shows to every user: the token is not one of them (see `SpawnAgentOptions.token`).
 */
export type AgentProcessOptions = Omit<AgentOptions, 'log' | 'onExit' | 'handleSignals' | 'token'>;

/** The variable that carries the agent's bearer token into its process (as the CLI reads it). */
export const AGENT_TOKEN_ENV = 'TRUSTSTRAM_TOKEN';

export interface SpawnAgentOptions {
  /** Default 'inherit': the agent's log lines go to the parent's stderr. */
  stdio?: StdioOptions;
  /**
   * Own process group (default true), so a Ctrl-C aimed at the server's group does not reach
   * the agent directly — the server stops it through `stop()`, replicas included.
   */
  detached?: boolean;
  /**
   * Bearer token for the API server, handed over in the environment (`TRUSTSTRAM_TOKEN`), never
   * in argv. Without it the agent gets no token at all, not one inherited from this process.
   */
  token?: string;
}

/** The command line that runs an agent process: node, loader flags when running from source, entry. */
export function agentCommand(options: AgentProcessOptions): { command: string; args: string[] } {
  const js = fileURLToPath(new URL('./agent-main.js', import.meta.url));
  const ts = fileURLToPath(new URL('./agent-main.ts', import.meta.url));
  const fromSource = !existsSync(js);
  const loader = fromSource && !process.execArgv.some((a) => a.includes('tsx')) ? ['--import', 'tsx'] : [];
  return { command: process.execPath, args: [...process.execArgv, ...loader, fromSource ? ts : js, JSON.stringify(options)] };
}

export interface AgentProcess {
  child: ChildProcess;
  pid: number;
  /** Resolves when the agent process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM (the agent stops its replicas and exits), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Spawns `runAgent(options)` in a new process.
 * @example
 * const a = startAgentProcess({ cluster: 'aws-eu-1', server: 'http://127.0.0.1:7400', exitAfterDisconnectMs: 60_000 });
 * await a.stop();
 */
export function startAgentProcess(options: AgentProcessOptions, spawnOptions: SpawnAgentOptions = {}): AgentProcess {
  const { command, args } = agentCommand(options);
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env[AGENT_TOKEN_ENV];
  if (spawnOptions.token) env[AGENT_TOKEN_ENV] = spawnOptions.token;
  const child = spawn(command, args, { stdio: spawnOptions.stdio ?? 'inherit', detached: spawnOptions.detached ?? true, env });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  if (child.pid === undefined) throw new Error(`could not start the agent for ${options.cluster}`);
  return {
    child,
    pid: child.pid,
    exited,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    },
  };
}
