// The process wrapper: a tiny POSIX shell script every real replica (and the gateway's HAProxy)
// runs under. It ties the child's life to its parent's (the agent's, the gateway's) with nothing
// but a pipe, so it holds even when the parent is killed with SIGKILL (no signal handler runs
// then): the kernel closes the parent's end of the wrapper's stdin, the watchdog's `read` sees end-of-file and kills the whole process group.
//
// Why sh and not a Node wrapper: ~1 MB instead of ~40 MB and ~1 ms instead of ~50 ms per
// replica, and no native addon (no prctl PDEATHSIG) is needed. See docs/adr/0006-local-driver.md.
//
// Layout of the wrapper's file descriptors, set up by the process runtime:
//   fd 0  pipe from the agent, never written: its end-of-file means "the agent is gone"
//   fd 1,2  the replica's output, read by the agent
//   fd 3  pipe to the agent: the wrapper writes the replica's pid on it once, then closes it
// The wrapper is the process-group leader (spawned detached), so pgid = wrapper pid.

/** `sh -c WRAPPER_SCRIPT truststram-replica <argv...>` runs argv as the replica. */
export const WRAPPER_SCRIPT = [
  // Keep the agent pipe on fd 4; the replica and the shell's own stdin get /dev/null.
  'exec 4<&0 </dev/null',
  // The replica itself: same process group, no access to the agent pipes.
  '"$@" 3>&- 4<&- &',
  'child=$!',
  'echo "$child" >&3',
  'exec 3>&-',
  // Watchdog: ignores group-wide TERM (the agent uses it for graceful stops), blocks until
  // the agent's end of the pipe closes, then kills every process of the group at once.
  "(trap '' TERM INT HUP; while read -r _ <&4; do :; done; kill -KILL 0) &",
  'watchdog=$!',
  'exec 4<&-',
  // Forward a graceful stop to the replica and wait for it; exit with its status.
  "trap 'kill -TERM \"$child\" 2>/dev/null' TERM INT HUP",
  'while :; do',
  '  wait "$child"; code=$?',
  '  kill -0 "$child" 2>/dev/null || break',
  'done',
  'kill -KILL "$watchdog" 2>/dev/null',
  'exit "$code"',
].join('\n');

/** `$0` of the wrapper, visible in `ps`. */
export const WRAPPER_NAME = 'truststram-replica';
