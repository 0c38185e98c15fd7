/**
 * The library's clocks, in one place:
 * - `now()` / `secondsSince()`: monotonic, for durations (never Date.now(), never negative), and
 *   `globalNow()`, the same clock as test fake timers replace it;
 * - `wallSeconds()`: seconds since the epoch, for `_created` and `setToCurrentTime()`;
 * - `coarseClock`: a millisecond clock read from a variable, so that a summary's observe() needs
 *   no clock call. One unref'd interval refreshes it; it starts with the first summary that has
 *   quantiles and never keeps the process alive.
 *
 * `performance` is read from globalThis at each call (not imported once) so that test fake timers
 * that replace it are honoured; a coarse ticker that stopped ticking (made under fake timers that
 * were later restored) is noticed at the next scrape and started again.
 */

import { performance as nodePerformance } from 'node:perf_hooks';

/**
 * Milliseconds from an arbitrary origin, monotonic: what durations are measured with. The method
 * is looked up at each call (a replaced `performance.now` is honoured), on Node's performance
 * object rather than through `globalThis.performance`, whose getter would cost more than a call.
 */
export function now(): number {
  return nodePerformance.now();
}

/**
 * The same clock read through `globalThis.performance` at each call, so that test fake timers
 * that replace the global object are honoured: for what is not on a hot path.
 */
export function globalNow(): number {
  return globalThis.performance.now();
}

/** Seconds elapsed since `start` (a value of `now()`). */
export function secondsSince(start: number): number {
  const elapsed = (now() - start) / 1000;
  return Math.max(elapsed, 0);
}

/** Seconds since the epoch, by the wall clock. */
export function wallSeconds(): number {
  return Date.now() / 1000;
}

const COARSE_RESOLUTION_MS = 100;
/** A ticker silent for this long is taken for dead. */
const STALE_MS = COARSE_RESOLUTION_MS * 20;

/** The coarse clock; `now` is `performance.now()` as of the last tick. */
export const coarseClock = { now: globalNow() };

let ticker: ReturnType<typeof setInterval> | undefined;
let lastTick = 0;

function startTicker(): void {
  if (ticker !== undefined) clearInterval(ticker);
  lastTick = globalNow();
  ticker = setInterval(() => {
    coarseClock.now = lastTick = globalNow();
  }, COARSE_RESOLUTION_MS);
  ticker.unref?.();
}

/** Starts the coarse ticker if it is not running, and brings `coarseClock.now` up to date. */
export function startCoarseClock(): void {
  coarseClock.now = globalNow();
  if (ticker === undefined) startTicker();
}

/** Brings `coarseClock.now` up to date (called at scrape time, where a clock call costs nothing that matters). */
export function refreshCoarseClock(): number {
  const current = globalNow();
  coarseClock.now = current;
  if (ticker !== undefined && current - lastTick > STALE_MS) startTicker();
  return current;
}
