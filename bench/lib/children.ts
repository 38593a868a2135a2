// Child processes a bench starts must not outlive it, even when it is interrupted (Ctrl-C, kill):
// `own` registers one; on SIGINT or SIGTERM every live one gets SIGTERM (servers stop their own
// agents and gateways on it) before the bench exits.
import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
let hooked = false;

export function own<C extends ChildProcess>(child: C): C {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (!hooked) {
    hooked = true;
    for (const sig of ['SIGINT', 'SIGTERM'] as const)
      process.once(sig, () => {
        for (const c of live) c.kill('SIGTERM');
        process.exit(sig === 'SIGINT' ? 130 : 143);
      });
  }
  return child;
}
