// Runs a replica as a real OS process: `sh -c WRAPPER argv...` spawned detached, so the
// wrapper leads a new process group holding the replica and everything it forks. Stopping
// signals the group; the wrapper's watchdog kills the group if the agent dies (wrapper.ts).
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';
import { allocatePort, releasePort } from './net.js';
import { isGroupAlive, signalGroup } from '../../util/proc.js';
import { createTail, sleep, type ExitInfo, type ReplicaRuntime, type RunningReplica, type StartSpec } from './runtime.js';
import { WRAPPER_NAME, WRAPPER_SCRIPT } from '../../util/wrapper.js';

/** How long to wait for a SIGKILLed group to disappear before giving up on it. */
const KILL_WAIT_MS = 3000;

/** The OS-process runtime of the local driver. */
export function createProcessRuntime(): ReplicaRuntime {
  return { start: startProcess };
}

/**
 * The agent's environment minus its bearer token: a replica runs workload code and must never
 * hold the credential of the agent (or of the user who started `truststram agent`).
 */
function inheritedEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.TRUSTSTRAM_TOKEN;
  return env;
}

async function startProcess(spec: StartSpec): Promise<RunningReplica> {
  const port = await allocatePort();
  const tail = createTail();
  const log = spec.logFile ? createWriteStream(spec.logFile, { flags: 'a' }) : undefined;
  log?.on('error', () => undefined);
  const child = spawn('/bin/sh', ['-c', WRAPPER_SCRIPT, WRAPPER_NAME, ...spec.command], {
    cwd: spec.cwd,
    env: { ...inheritedEnv(), ...spec.env, PORT: String(port) },
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
  });
  // EPIPE on the never-written agent pipe after the wrapper exits is expected; ignore it.
  child.stdin?.on('error', () => undefined);
  for (const s of [child.stdout, child.stderr]) {
    s?.setEncoding('utf8');
    s?.on('data', (d: string) => {
      tail.push(d);
      log?.write(d);
    });
    s?.on('error', () => undefined);
  }
  const pgid = child.pid;
  let done = false;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('error', (err) => {
      done = true;
      resolve({ exitCode: null, signal: null, spawnError: err.message });
    });
    child.once('exit', (code, signal) => {
      done = true;
      // Sweep whatever the replica forked and left behind in its group.
      if (pgid !== undefined) signalGroup(pgid, 'SIGKILL');
      child.stdin?.destroy();
      // The wrapper reports the replica's death by signal N as exit status 128+N.
      const sig = code !== null && code > 128 ? signalName(code - 128) : signal;
      resolve({ exitCode: sig ? null : code, signal: sig ?? null });
    });
  });
  exited.finally(() => {
    releasePort(port);
    log?.end();
  }).catch(() => undefined);

  const pid = await Promise.race([readPid(child.stdio[3] as Readable | null), exited.then(() => undefined)]);
  const killNow = () => {
    if (pgid !== undefined && !done) signalGroup(pgid, 'SIGKILL');
  };
  return {
    port,
    ...(pid !== undefined ? { pid } : {}),
    ...(pgid !== undefined ? { pgid } : {}),
    exited,
    outputTail: tail.value,
    killNow,
    crash: () => {
      if (pid !== undefined) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    },
    async stop(graceMs) {
      if (pgid === undefined) return;
      if (!done) {
        signalGroup(pgid, 'SIGTERM');
        await Promise.race([exited, sleep(graceMs)]);
        signalGroup(pgid, 'SIGKILL');
        child.stdin?.destroy();
        await exited;
      }
      for (let waited = 0; waited < KILL_WAIT_MS && isGroupAlive(pgid); waited += 20) {
        signalGroup(pgid, 'SIGKILL');
        await sleep(20);
      }
    },
  };
}

/** The wrapper writes the replica pid on fd 3 once and closes it. */
function readPid(stream: Readable | null): Promise<number | undefined> {
  if (!stream) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => {
      buf += d;
    });
    stream.on('error', () => resolve(undefined));
    stream.on('close', () => {
      const n = Number.parseInt(buf.trim(), 10);
      resolve(Number.isFinite(n) && n > 0 ? n : undefined);
    });
  });
}

function signalName(n: number): NodeJS.Signals | null {
  const found = Object.entries(constants.signals).find(([, v]) => v === n);
  return found ? (found[0] as NodeJS.Signals) : null;
}
