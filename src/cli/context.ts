// What every command needs from its surroundings: where to write, the environment, and a
// client for the server chosen by --server / TRUSTSTRAM_SERVER, carrying the bearer token from
// --token-file / TRUSTSTRAM_TOKEN. Passed in, so tests can run commands in-process against buffers.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DEFAULT_SERVER, createClient, type Client, type ClientToken } from './client.js';
import { CliUserError } from './exit.js';
import type { Out } from './output.js';

export interface CliIo {
  stdout: Out & { isTTY?: boolean };
  stderr: Out;
  env: Record<string, string | undefined>;
}

export interface CliContext extends CliIo {
  /** The server URL for this invocation (flag, then environment, then the default). */
  serverUrl(cmd: Command): string;
  /** The bearer token for this invocation (`--token-file`, then `TRUSTSTRAM_TOKEN`), if any. */
  token(cmd: Command): ClientToken | undefined;
  /** A client for `serverUrl(cmd)` that sends `token(cmd)`. */
  client(cmd: Command): Client;
}

/** Builds the context commands receive. */
export function createContext(io: CliIo): CliContext {
  const serverUrl = (cmd: Command): string => {
    const flag = (cmd.optsWithGlobals() as { server?: string }).server;
    if (flag !== undefined) return checkServerUrl(flag, '--server');
    // An empty variable counts as unset, as shells and CI templates often leave it so.
    const env = io.env.TRUSTSTRAM_SERVER?.trim();
    if (env) return checkServerUrl(env, 'TRUSTSTRAM_SERVER');
    return DEFAULT_SERVER;
  };
  const token = (cmd: Command): ClientToken | undefined => {
    const file = (cmd.optsWithGlobals() as { tokenFile?: string }).tokenFile;
    if (file !== undefined) return { value: readTokenFile(file), source: `--token-file ${file}` };
    const env = io.env.TRUSTSTRAM_TOKEN?.trim();
    return env ? { value: env, source: 'TRUSTSTRAM_TOKEN' } : undefined;
  };
  return {
    ...io,
    serverUrl,
    token,
    client: (cmd) => {
      const t = token(cmd);
      return createClient(serverUrl(cmd), t ? { token: t } : {});
    },
  };
}

/**
 * Refuses a server address that is not an http(s) URL: a typo is the user's to fix (exit 1),
 * not an unreachable server (exit 2). `source` names where the value came from.
 * @example checkServerUrl('http://127.0.0.1:7400', '--server') // 'http://127.0.0.1:7400'
 */
export function checkServerUrl(value: string, source: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    // reported below
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname)
    throw new CliUserError(`${source}: "${value}" is not a URL: expected http://HOST:PORT or https://HOST:PORT, e.g. ${DEFAULT_SERVER}`);
  return value;
}

/**
 * Reads the CLI's token from `file`: the first line that is neither blank nor a `#` comment.
 * A server's static token file (`token,user[,...]` per line) works too: its first token is used.
 * Errors name the file, never its content.
 */
export function readTokenFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliUserError(`cannot read token file ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? (err as Error).message)}`);
  }
  return parseClientToken(text, file);
}

/** The token in a token file's text (see {@link readTokenFile}). */
export function parseClientToken(text: string, file = 'token file'): string {
  const line = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l && !l.startsWith('#'));
  const value = line?.split(',')[0]!.trim().replace(/^"|"$/g, '');
  if (!value) throw new CliUserError(`token file ${file} holds no token`);
  if (/\s/.test(value)) throw new CliUserError(`token file ${file}: the token must not contain spaces`);
  return value;
}
