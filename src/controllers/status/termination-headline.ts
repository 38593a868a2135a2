// The one line of a crashed replica's output that says why it stopped, for events: the last
// line that reads like an error ("Error: Cannot find module …", "ModuleNotFoundError: …",
// "panic: …"), else the last non-empty line. Stack frames and indented detail are skipped.

const ERROR_LINE = /\b(error|exception|panic|fatal|killed|denied|not found|cannot|failed)\b/i;
const MAX = 200;

/** One line from a replica's last output lines, at most 200 characters; undefined when empty. */
export function terminationHeadline(output: string | undefined): string | undefined {
  if (!output) return undefined;
  const lines = output.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '');
  // Top-level lines only: an indented line is a stack frame or the detail of a line above it.
  const top = lines.filter((l) => !/^\s/.test(l));
  const pick = [...top].reverse().find((l) => ERROR_LINE.test(l)) ?? lines.at(-1);
  if (pick === undefined) return undefined;
  const line = pick.trim();
  return line.length > MAX ? `${line.slice(0, MAX - 1)}…` : line;
}
