// What every command needs from its surroundings: where to write, the environment, and a
// client for the server chosen by --server / TRUSTSTRAM_SERVER. Passed in, so tests can
// run commands in-process against buffers.
import type { Command } from 'commander';
import { DEFAULT_SERVER, createClient, type Client } from './client.js';
import type { Out } from './output.js';

export interface CliIo {
  stdout: Out & { isTTY?: boolean };
  stderr: Out;
  env: Record<string, string | undefined>;
}

export interface CliContext extends CliIo {
  /** The server URL for this invocation (flag, then environment, then the default). */
  serverUrl(cmd: Command): string;
  client(cmd: Command): Client;
}

/** Builds the context commands receive. */
export function createContext(io: CliIo): CliContext {
  const serverUrl = (cmd: Command): string => {
    const flag = (cmd.optsWithGlobals() as { server?: string }).server;
    return flag ?? io.env.TRUSTSTRAM_SERVER ?? DEFAULT_SERVER;
  };
  return { ...io, serverUrl, client: (cmd) => createClient(serverUrl(cmd)) };
}
