// Leader election for servers sharing one Postgres store: only the leader runs the controllers
// (and the agents of managed clusters); every server serves the API. The leader holds a
// session-level advisory lock on a connection of its own. Postgres releases the lock when that
// session ends, so leadership passes on when the leader stops, crashes or is cut off:
//   - a graceful stop closes the connection: a follower takes over within one retry interval;
//   - a crash of the leader's process: its kernel closes the socket, the session ends at once;
//   - a crash of its machine or a network cut: the server's TCP keep-alives and user timeout
//     (set on the session below) end the session within about `keepAliveSeconds` + 3 s, then a
//     follower takes over;
//   - the leader itself pings its session every `pingIntervalMs`; when a ping fails or takes
//     longer than `pingTimeoutMs` it has lost leadership, and says so (`lost`). It must stop
//     acting at once: a follower may already be leading.
// A leader whose lock session ended while its other connections still work (the session killed
// by an administrator, a paused process) would go on writing until its next ping. So each win
// is numbered: on its lock session, before it counts as elected, the new leader takes the next
// epoch (`claim`, which the store serialises with every write), and the store refuses any write
// carrying an older one (the fencing token, `fence`).
import pg from 'pg';
import type { Fence, LeaderElection } from '../store.js';
import { deferred } from '../../util/deferred.js';

export interface LeaderElectionOptions {
  config: pg.ClientConfig;
  /** What is led; servers campaigning for the same name on one database compete. */
  name: string;
  /** How often a follower tries to take the lock (default 1000 ms). */
  retryMs?: number;
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  /** Seconds without TCP traffic after which Postgres ends a vanished leader's session (default 5; probes 1 s apart, 3 of them). */
  keepAliveSeconds?: number;
  /** Numbers a win: runs on the new leader's lock session, returns its epoch (postgres-store.ts). */
  claim?: (session: pg.Client) => Promise<number>;
  /**
   * Whether the leader is known to be alive (it renews the lease naming it). A hung or paused
   * leader keeps its lock session open, since its kernel still answers for it: once this has
   * been false for `takeoverAfterMs`, a follower ends that session, and the fencing token keeps
   * the old leader's writes out when it wakes up. Without it, only a session that ends counts.
   */
  leaderAlive?: () => boolean;
  /** Default 5000 ms. */
  takeoverAfterMs?: number;
  log: (line: string) => void;
}

export function campaign(o: LeaderElectionOptions): LeaderElection {
  const retryMs = o.retryMs ?? 1000;
  const pingIntervalMs = o.pingIntervalMs ?? 1000;
  const pingTimeoutMs = o.pingTimeoutMs ?? 3000;
  const keepAlive = o.keepAliveSeconds ?? 5;
  let closed = false;
  let leader = false;
  let fence: Fence | undefined;
  let client: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  const elected = deferred();
  const lost = deferred<Error>();
  let warned = false;
  let deadSince: number | undefined;
  let takeoverRefused = false;

  const loseLeadership = (err: Error) => {
    if (!leader) return;
    leader = false;
    fence = undefined;
    clearTimeout(timer);
    void client?.end().catch(() => undefined);
    client = undefined;
    lost.resolve(err);
  };

  const ping = () => {
    timer = setTimeout(() => {
      const c = client;
      if (!c || !leader) return;
      let answered = false;
      // Decided after the event loop has read pending I/O (setImmediate runs after the poll
      // phase): after a stall of this process the answer may be waiting in the socket.
      const deadline = setTimeout(() => setImmediate(() => !answered && loseLeadership(new Error(`the leader's Postgres session did not answer within ${pingTimeoutMs} ms`))), pingTimeoutMs);
      c.query('SELECT 1')
        .then(() => {
          answered = true;
          clearTimeout(deadline);
          if (leader) ping();
        })
        .catch((err: unknown) => {
          answered = true;
          clearTimeout(deadline);
          loseLeadership(new Error(`the leader's Postgres session failed: ${(err as Error).message}`));
        });
    }, pingIntervalMs);
    timer.unref();
  };

  const attempt = async () => {
    if (closed) return;
    let fresh: pg.Client | undefined;
    try {
      if (!client) {
        const c = new pg.Client({ ...o.config, application_name: 'truststram-leader', keepAlive: true });
        fresh = c;
        c.on('error', (err) => (leader ? loseLeadership(new Error(`the leader's Postgres session failed: ${err.message}`)) : undefined));
        c.on('end', () => {
          if (client === c) client = undefined;
          if (leader) loseLeadership(new Error("the leader's Postgres session ended"));
        });
        await c.connect();
        // A leader that vanishes (crash, network cut) must not keep the lock for the default
        // two hours of TCP idleness: the server probes the session and ends it instead.
        // tcp_user_timeout covers what keep-alives do not: unacknowledged data (an answer lost in the cut).
        await c.query(`SET tcp_keepalives_idle = ${keepAlive}; SET tcp_keepalives_interval = 1; SET tcp_keepalives_count = 3; SET tcp_user_timeout = ${(keepAlive + 3) * 1000}`);
        client = c;
        fresh = undefined;
      }
      // On a black-holed connection the attempt fails in time and the next one reconnects.
      const r = await client.query<{ ok: boolean }>({ text: 'SELECT pg_try_advisory_lock(hashtext($1)) AS ok', values: [`truststram-leader:${o.name}`], query_timeout: pingTimeoutMs } as pg.QueryConfig);
      if (closed) {
        // Closed while this attempt ran: its session (and any lock it took) goes too.
        await client?.end().catch(() => undefined);
        client = undefined;
        return;
      }
      if (r.rows[0]?.ok) {
        // The lock is ours; the win is numbered before anything may act on it. If that fails or
        // hangs (it may wait for a write in progress, never for long), the catch below ends the
        // session, which releases the lock for the next attempt.
        const epoch = o.claim ? await claimWithin(o.claim(client), pingTimeoutMs * 5) : 0;
        if (closed) {
          await client?.end().catch(() => undefined);
          client = undefined;
          return;
        }
        fence = { name: o.name, epoch };
        leader = true;
        warned = false;
        elected.resolve();
        ping();
        return;
      }
      await takeOverFromHungLeader(client);
    } catch (err) {
      if (err instanceof ClaimError) o.log(`leader election: won the lock but could not number the win (${err.message}); retrying`);
      else if (!warned) o.log(`leader election: cannot reach Postgres (${(err as Error).message}); retrying`);
      warned = true;
      void (fresh ?? client)?.end().catch(() => undefined);
      client = undefined;
    }
    if (closed) return;
    timer = setTimeout(() => void attempt(), retryMs);
    timer.unref();
  };
  /** As a follower: ends the lock session of a leader that stopped renewing its lease. */
  const takeOverFromHungLeader = async (c: pg.Client) => {
    if (!o.leaderAlive || o.leaderAlive()) {
      deadSince = undefined;
      return;
    }
    deadSince ??= Date.now();
    if (Date.now() - deadSince < (o.takeoverAfterMs ?? 5000)) return;
    deadSince = undefined;
    // The lock is a session-level advisory lock on one bigint key: pg_locks splits it into
    // classid (high 32 bits) and objid (low 32 bits).
    const r = await c.query<{ pid: number; ok: boolean }>(
      `WITH k AS (SELECT hashtext($1)::bigint AS key)
       SELECT l.pid, pg_terminate_backend(l.pid) AS ok FROM pg_locks l, k
       WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.pid <> pg_backend_pid()
         AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
         AND l.classid::bigint = ((k.key >> 32) & 4294967295) AND l.objid::bigint = (k.key & 4294967295)`,
      [`truststram-leader:${o.name}`],
    ).catch((err: unknown) => {
      if (!takeoverRefused) o.log(`leader election: the leader stopped renewing its lease, but its session could not be ended (${(err as Error).message}); waiting for it to end`);
      takeoverRefused = true;
      return undefined;
    });
    for (const row of r?.rows ?? []) o.log(`leader election: the leader (session ${row.pid}) stopped renewing its lease for ${o.takeoverAfterMs ?? 5000} ms: ${row.ok ? 'ended its session to take over' : 'could not end its session'}`);
  };
  void attempt();

  return {
    elected: elected.promise,
    lost: lost.promise,
    get isLeader() {
      return leader;
    },
    get fence() {
      return fence;
    },
    async close() {
      closed = true;
      leader = false;
      fence = undefined;
      clearTimeout(timer);
      const c = client;
      client = undefined;
      await c?.end().catch(() => undefined);
    },
  };
}

class ClaimError extends Error {}

/** The claim's outcome, or a ClaimError when it fails or takes longer than `ms`. */
async function claimWithin(claim: Promise<number>, ms: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new ClaimError(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([claim, late]);
  } catch (err) {
    throw err instanceof ClaimError ? err : new ClaimError((err as Error).message);
  } finally {
    clearTimeout(timer);
  }
}
