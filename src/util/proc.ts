// Reading processes from Linux /proc: which processes belong to a process group, whether they
// are still alive (a zombie is not), and their CPU time and resident memory. Other systems
// have no /proc: liveness falls back to kill(pid, 0) and usage is simply not reported.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcInfo {
  pid: number;
  ppid: number;
  pgrp: number;
  /** One-letter state: R, S, D, Z (zombie), T ... */
  state: string;
  /** utime + stime in clock ticks. */
  cpuTicks: number;
}

export const hasProc = (() => {
  try {
    readFileSync('/proc/self/stat', 'utf8');
    return true;
  } catch {
    return false;
  }
})();

let clockTicks: number | undefined;
/** Clock ticks per second (USER_HZ), asked once from getconf; 100 on every common Linux. */
export function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** Parses one /proc/<pid>/stat line; the command name may contain spaces and parentheses. */
export function parseStat(line: string): ProcInfo | undefined {
  const close = line.lastIndexOf(')');
  if (close < 0) return undefined;
  const pid = Number(line.slice(0, line.indexOf(' ')));
  // After ") ": state(3) ppid(4) pgrp(5) session(6) tty(7) tpgid(8) flags(9) minflt(10)
  // cminflt(11) majflt(12) cmajflt(13) utime(14) stime(15) ...
  const f = line.slice(close + 2).split(' ');
  if (f.length < 13) return undefined;
  return { pid, state: f[0]!, ppid: Number(f[1]), pgrp: Number(f[2]), cpuTicks: Number(f[11]) + Number(f[12]) };
}

export function readStat(pid: number): ProcInfo | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * When the process started, in clock ticks after boot (field 22 of /proc/<pid>/stat): with the
 * pid, it names one process even after the pid is reused. Undefined when it is gone or without /proc.
 */
export function readStartTicks(pid: number): number | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const v = Number(line.slice(line.lastIndexOf(')') + 2).split(' ')[19]);
    return Number.isFinite(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Every process, or undefined without /proc. */
export function listProcesses(): ProcInfo[] | undefined {
  if (!hasProc) return undefined;
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    const s = readStat(Number(name));
    if (s) out.push(s);
  }
  return out;
}

/** Resident memory of a process in bytes, from VmRSS in /proc/<pid>/status. */
export function readRssBytes(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** True while the process exists and is not a zombie (an unreaped corpse runs nothing). */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (!hasProc) return true;
  const s = readStat(pid);
  return s !== undefined && s.state !== 'Z' && s.state !== 'X';
}

/** True while any live (non-zombie) process is in the group. */
export function isGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  const all = listProcesses();
  if (!all) return true;
  return all.some((p) => p.pgrp === pgid && p.state !== 'Z' && p.state !== 'X');
}

/** Sends a signal to a whole process group, ignoring "no such group". */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** A usage sample of a process group: cumulative CPU seconds and current resident memory. */
export interface GroupSample {
  cpuSeconds: number;
  memoryBytes: number;
  pids: number[];
}

/** Samples the given process groups with one scan of /proc; undefined without /proc. */
export function sampleGroups(pgids: Iterable<number>): Map<number, GroupSample> | undefined {
  const wanted = new Set(pgids);
  const all = wanted.size > 0 ? listProcesses() : [];
  if (!all) return undefined;
  const hz = clockTicksPerSecond();
  const out = new Map<number, GroupSample>();
  for (const p of all) {
    if (!wanted.has(p.pgrp) || p.state === 'Z') continue;
    const g = out.get(p.pgrp) ?? { cpuSeconds: 0, memoryBytes: 0, pids: [] };
    g.cpuSeconds += p.cpuTicks / hz;
    g.memoryBytes += readRssBytes(p.pid) ?? 0;
    g.pids.push(p.pid);
    out.set(p.pgrp, g);
  }
  return out;
}
