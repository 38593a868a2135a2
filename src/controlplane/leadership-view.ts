// Who runs the controllers: `GET /api/v1alpha1/controllers` on any server, and the lease by which
// a leader names itself in the shared lease table so that followers can answer too.
import { API_VERSION } from '../api/index.js';
import type { View } from '../server/index.js';
import type { LeaseTable } from '../store/leases.js';
import type { LeaderElection } from '../store/store.js';

/** Not a DNS label, so never a cluster's lease. */
export const LEADER_LEASE = 'truststram.io/controllers';
const LEADER_LEASE_MS = 5000;
const RENEW_MS = 1000;

export interface LeadershipViewDeps {
  serverUrl: () => string;
  leases: LeaseTable;
  /** undefined: this server does not campaign (its store is its own, or it is API-only). */
  leadership: () => LeaderElection | undefined;
  runsControllers: boolean;
}

/**
 * `GET /api/v1alpha1/controllers`: this server's role (`leader`, `follower`, `api-only`) and the
 * leader's URL as the shared lease names it.
 */
export function leadershipViews(d: LeadershipViewDeps): View[] {
  return [
    {
      method: 'GET',
      path: '/api/v1alpha1/controllers',
      name: 'controllers',
      handler: async () => {
        const election = d.leadership();
        const role = !d.runsControllers ? 'api-only' : !election || election.isLeader ? 'leader' : 'follower';
        const lease = d.leases.get(LEADER_LEASE);
        const leader =
          role === 'leader' ? { url: d.serverUrl(), since: lease?.holder === d.serverUrl() ? new Date(lease.acquireTime).toISOString() : undefined } : lease && d.leases.isLive(LEADER_LEASE) ? { url: lease.holder, since: new Date(lease.acquireTime).toISOString() } : null;
        return {
          body: {
            apiVersion: API_VERSION,
            kind: 'ControllerStatus',
            server: d.serverUrl(),
            role,
            election: election ? 'postgres-advisory-lock' : 'none',
            leader,
          },
        };
      },
    },
  ];
}

/**
 * While this server leads, renews the leader lease naming it (every second, for 5 s), with its
 * election epoch: it takes the lease over from its predecessor at once, and a deposed leader that
 * has not noticed yet can no longer renew it. Returns the stop.
 */
export function advertiseLeadership(leases: LeaseTable, serverUrl: string, epoch: number | undefined, log: (line: string) => void): () => Promise<void> {
  let failing = false;
  const renew = () =>
    void leases.renew(LEADER_LEASE, serverUrl, LEADER_LEASE_MS, undefined, epoch).then(
      () => (failing = false),
      (err: unknown) => {
        // Held by a newer leader (this one is deposed and will notice), or the database away.
        if (!failing && !/is held by/.test((err as Error).message)) log(`controllers: cannot advertise leadership: ${(err as Error).message}`);
        failing = true;
      },
    );
  renew();
  const timer = setInterval(renew, RENEW_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await leases.release(LEADER_LEASE, serverUrl).catch(() => undefined);
  };
}
