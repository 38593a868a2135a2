// A client of HAProxy's runtime API (the admin stats socket): commands change servers and maps
// of the running process without a reload; `show stat` reads back what HAProxy's own health
// checks and passive observation decided.
import { connect } from 'node:net';

/** Longest command line sent at once (HAProxy reads one line into a 16 kB buffer). */
const MAX_LINE = 8000;

/**
 * Sends commands (joined with `;`, in batches under HAProxy's line limit) and resolves with the
 * concatenated answers. Answers that report a failure are collected in `errors`.
 */
export async function runtimeCommand(socketPath: string, commands: readonly string[], timeoutMs = 2000): Promise<{ output: string; errors: string[] }> {
  let output = '';
  for (const batch of batches(commands)) output += await send(socketPath, `${batch.join(';')}\n`, timeoutMs);
  const errors = output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^(No such|Unknown|Require|Invalid|unknown|invalid|'set server'|Cannot|Failed)/.test(l));
  return { output, errors };
}

function batches(commands: readonly string[]): string[][] {
  const out: string[][] = [];
  let cur: string[] = [];
  let len = 0;
  for (const c of commands) {
    if (cur.length > 0 && len + c.length + 1 > MAX_LINE) {
      out.push(cur);
      cur = [];
      len = 0;
    }
    cur.push(c);
    len += c.length + 1;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

function send(socketPath: string, line: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(socketPath);
    let buf = '';
    const timer = setTimeout(() => sock.destroy(new Error(`haproxy runtime API did not answer within ${timeoutMs} ms`)), timeoutMs);
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.end(line));
    sock.on('data', (d: string) => (buf += d));
    sock.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(buf);
    });
  });
}

/** One server row of `show stat`. */
export interface ServerStat {
  backend: string;
  server: string;
  /** `UP`, `DOWN`, `MAINT`, `UP 1/2`, `no check`... */
  status: string;
  /** Transitions to DOWN so far (checks or passive observation). */
  downs: number;
  /** Sessions in flight now. */
  current: number;
}

/** Parses `show stat` CSV (header line `# pxname,svname,...`), servers only. */
export function parseShowStat(csv: string): ServerStat[] {
  const lines = csv.split('\n');
  const header = lines[0]?.replace(/^# /, '').split(',') ?? [];
  const col = (name: string) => header.indexOf(name);
  const [px, sv, status, chkdown, scur] = [col('pxname'), col('svname'), col('status'), col('chkdown'), col('scur')];
  if (px < 0 || sv < 0 || status < 0) return [];
  const out: ServerStat[] = [];
  for (const line of lines.slice(1)) {
    if (!line) continue;
    const f = line.split(',');
    const server = f[sv]!;
    if (server === 'FRONTEND' || server === 'BACKEND') continue;
    out.push({ backend: f[px]!, server, status: f[status]!, downs: Number(f[chkdown] ?? 0) || 0, current: Number(f[scur] ?? 0) || 0 });
  }
  return out;
}
