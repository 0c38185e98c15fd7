/**
 * Process metrics from Linux's procfs, as client_python and client_golang read them.
 *
 * Sync reads are fine here: /proc files are generated from kernel data structures on read and
 * never block (libuv reads /proc/self/stat the same way for `process.memoryUsage()`).
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { ProcessSource, ProcessMemory } from './process-fallback.js';

/**
 * Clock ticks per second in /proc/self/stat (`sysconf(_SC_CLK_TCK)`, which Node cannot query).
 * The kernel fixes this USER_HZ at 100 in its ABI on every architecture Node runs on.
 */
const USER_HZ = 100;

/** A `kB` line of /proc/self/status (`VmRSS:     1612 kB`) in bytes, or NaN when absent. */
function statusBytes(status: string, key: string): number {
  const i = status.indexOf(`\n${key}:`);
  return i < 0 ? NaN : Number.parseInt(status.slice(i + key.length + 2, status.indexOf('\n', i + 1)), 10) * 1024;
}

/** Parses /proc/self/status into the memory figures prom-client exposes. */
export function parseStatus(status: string): ProcessMemory {
  return {
    rss: statusBytes(status, 'VmRSS'),
    virtual: statusBytes(status, 'VmSize'),
    heap: statusBytes(status, 'VmData'),
  };
}

/** The soft `Max open files` limit of /proc/self/limits; `unlimited` is +Inf. */
export function parseMaxFds(limits: string): number | undefined {
  const line = limits.split('\n').find((l) => l.startsWith('Max open files'));
  if (line === undefined) return undefined;
  const soft = line.slice('Max open files'.length).trim().split(/\s+/)[0];
  return soft === 'unlimited' ? Infinity : Number(soft);
}

/**
 * The process start time in seconds since the epoch: field 22 of /proc/self/stat (ticks since
 * boot) plus `btime` of /proc/stat (boot time).
 */
export function parseStartTime(stat: string, procStat: string): number {
  // The command name (field 2) is in parentheses and may itself hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const startTicks = Number(fields[22 - 3]);
  const btime = /^btime (\d+)$/m.exec(procStat);
  if (btime === null || !Number.isFinite(startTicks))
    throw new Error('no start time in /proc/self/stat and /proc/stat');
  return Number(btime[1]) + startTicks / USER_HZ;
}

/**
 * Reads the process from procfs. Throws when procfs is not there, so that the caller falls back
 * to what `process` offers.
 */
export function procfsSource(): ProcessSource {
  const startTime = parseStartTime(readFileSync('/proc/self/stat', 'latin1'), readFileSync('/proc/stat', 'latin1'));
  // Node has no setrlimit: only native code changes the limit after Node's own startup, so one read serves.
  const maxFds = parseMaxFds(readFileSync('/proc/self/limits', 'latin1'));
  const source: ProcessSource = {
    startTime,
    maxFds,
    memory: () => parseStatus(readFileSync('/proc/self/status', 'latin1')),
    // Less the descriptor readdir itself had open while listing.
    openFds: () => readdirSync('/proc/self/fd').length - 1,
  };
  source.memory();
  source.openFds!();
  return source;
}
