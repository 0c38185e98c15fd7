/**
 * A millisecond clock read from a variable, so that a summary's observe() needs no clock call.
 * One unref'd interval refreshes it; it starts with the first summary that has quantiles and
 * never keeps the process alive.
 */
import { performance } from 'node:perf_hooks';

const RESOLUTION_MS = 100;

/** The clock; `now` is `performance.now()` as of the last tick. */
export const coarseClock = { now: performance.now() };

let ticker: ReturnType<typeof setInterval> | undefined;

/** Starts the ticker if it is not running, and brings `now` up to date. */
export function startCoarseClock(): void {
  coarseClock.now = performance.now();
  if (ticker === undefined) {
    ticker = setInterval(() => {
      coarseClock.now = performance.now();
    }, RESOLUTION_MS);
    ticker.unref();
  }
}

/** Brings `now` up to date (called at scrape time, where a clock call costs nothing that matters). */
export function refreshCoarseClock(): number {
  coarseClock.now = performance.now();
  return coarseClock.now;
}
