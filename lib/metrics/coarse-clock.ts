/**
 * A millisecond clock read from a variable, so that a summary's observe() needs no clock call.
 * One unref'd interval refreshes it; it starts with the first summary that has quantiles and
 * never keeps the process alive.
 *
 * `performance` is read from globalThis at each call (not imported once) so that test fake
 * timers that replace it are honoured; a ticker that stopped ticking (made under fake timers that
 * were later restored) is noticed at the next scrape and started again.
 */

const RESOLUTION_MS = 100;
/** A ticker silent for this long is taken for dead. */
const STALE_MS = RESOLUTION_MS * 20;

const monotonicNow = (): number => globalThis.performance.now();

/** The clock; `now` is `performance.now()` as of the last tick. */
export const coarseClock = { now: monotonicNow() };

let ticker: ReturnType<typeof setInterval> | undefined;
let lastTick = 0;

function startTicker(): void {
  if (ticker !== undefined) clearInterval(ticker);
  lastTick = monotonicNow();
  ticker = setInterval(() => {
    coarseClock.now = lastTick = monotonicNow();
  }, RESOLUTION_MS);
  ticker.unref?.();
}

/** Starts the ticker if it is not running, and brings `now` up to date. */
export function startCoarseClock(): void {
  coarseClock.now = monotonicNow();
  if (ticker === undefined) startTicker();
}

/** Brings `now` up to date (called at scrape time, where a clock call costs nothing that matters). */
export function refreshCoarseClock(): number {
  const now = monotonicNow();
  coarseClock.now = now;
  if (ticker !== undefined && now - lastTick > STALE_MS) startTicker();
  return now;
}
