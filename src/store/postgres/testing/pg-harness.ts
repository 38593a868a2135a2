// Test harness: a throwaway PostgreSQL cluster in a temp dir (initdb, pg_ctl start on 127.0.0.1
// with a free port, fsync off), one database per test file, stopped and removed at the end —
// also when the test process exits early, so no postgres process outlives the tests.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** What to tell a developer without the server binaries. */
export const INSTALL_HINT = 'install them with: apt-get install -y postgresql';

/**
 * The directory holding initdb, pg_ctl and postgres: `pg_config --bindir` when it has a server,
 * else the newest /usr/lib/postgresql/N/bin; undefined when there is none.
 */
export function findPgBinDir(): string | undefined {
  const ok = (dir: string) => ['initdb', 'pg_ctl', 'postgres'].every((b) => existsSync(join(dir, b)));
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (dir && ok(dir)) return dir;
  } catch {
    /* no pg_config on PATH */
  }
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(root, v, 'bin')).find(ok);
}

/**
 * Finds the binaries for a test file. Without them: under CI (env CI set) this throws, so the
 * run fails loudly; elsewhere it warns once and returns undefined (the caller skips).
 */
export function requirePgBinDir(
  env: Record<string, string | undefined> = process.env,
  find: () => string | undefined = findPgBinDir,
  warn: (line: string) => void = console.warn,
): string | undefined {
  const dir = find();
  if (dir) return dir;
  const message = `PostgreSQL server binaries (initdb, pg_ctl, postgres) not found; ${INSTALL_HINT}`;
  if (env.CI) throw new Error(`${message} (required because CI is set)`);
  warn(`skipping the Postgres store tests: ${message}`);
  return undefined;
}

export interface PgCluster {
  port: number;
  /** `postgres://postgres@127.0.0.1:PORT/DB` */
  url(database: string): string;
  /** Creates a database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /**
   * Stops the server (fast shutdown: clients are disconnected), runs `whileDown`, and starts it
   * again on the same port: a database restart or outage as a store sees it.
   */
  restart(whileDown?: () => Promise<void>): Promise<void>;
  /** Stops the server (fast shutdown, then kill) and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

// Running as root, initdb and postgres must run as the postgres OS user (they refuse root).
function asPgUser(bin: string, args: string[]): [string, string[]] {
  const runuser = ['/usr/sbin/runuser', '/sbin/runuser'].find((p) => existsSync(p)) ?? 'runuser';
  return process.getuid?.() === 0 ? [runuser, ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

function run(bin: string, args: string[], what: string): void {
  const [cmd, argv] = asPgUser(bin, args);
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${what} failed (${r.error?.message ?? `exit ${r.status}`}): ${(r.stderr || r.stdout || '').trim().slice(-2000)}`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Creates and starts a cluster. Call `stop()` in afterAll; a process exit hook stops it too.
 * @example const cluster = await startPgCluster(bindir); const url = await cluster.createDatabase('t1');
 */
export async function startPgCluster(bindir: string): Promise<PgCluster> {
  const base = mkdtempSync(join(tmpdir(), 'truststram-pg-'));
  const data = join(base, 'data');
  let started = false;
  let stopped = false;

  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    if (started) {
      const [cmd, argv] = asPgUser(join(bindir, 'pg_ctl'), ['stop', '-D', data, '-m', 'fast', '-w', '-t', '30']);
      const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 40_000 });
      if (r.status !== 0) killPostmaster(data);
    }
    rmSync(base, { recursive: true, force: true });
  };
  process.once('exit', stopSync);

  try {
    if (process.getuid?.() === 0) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      chownSync(base, uid, gid);
    }
    run(join(bindir, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync', '--no-instructions'], 'initdb');
    let port = 0;
    const start = () => {
      const opts = `-c listen_addresses=127.0.0.1 -p ${port} -k ${base} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
      run(join(bindir, 'pg_ctl'), ['start', '-D', data, '-l', join(base, 'server.log'), '-w', '-t', '60', '-o', opts], 'pg_ctl start');
      started = true;
    };
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        start();
        break;
      } catch (err) {
        // The port may have been taken between probing and binding: try another one.
        if (attempt >= 3) throw new Error(`${(err as Error).message}\n${tail(join(base, 'server.log'))}`);
      }
    }
    const url = (db: string) => `postgres://postgres@127.0.0.1:${port}/${db}`;
    return {
      port,
      url,
      async createDatabase(name) {
        const c = new pg.Client({ connectionString: url('postgres') });
        await c.connect();
        try {
          await c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
        } finally {
          await c.end();
        }
        return url(name);
      },
      async restart(whileDown) {
        run(join(bindir, 'pg_ctl'), ['stop', '-D', data, '-m', 'fast', '-w', '-t', '30'], 'pg_ctl stop');
        started = false;
        try {
          await whileDown?.();
        } finally {
          start();
        }
      },
      async stop() {
        process.off('exit', stopSync);
        stopSync();
      },
    };
  } catch (err) {
    process.off('exit', stopSync);
    stopSync();
    throw err;
  }
}

// Last resort when pg_ctl could not stop the server: SIGKILL the postmaster (its children exit
// when it is gone).
function killPostmaster(data: string): void {
  try {
    const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (pid > 0) process.kill(pid, 'SIGKILL');
  } catch {
    /* not running */
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-2000);
  } catch {
    return '';
  }
}
