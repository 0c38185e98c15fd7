/** The monotonic clock durations are measured with: never Date.now(), never negative. */
import { performance } from 'node:perf_hooks';

/** Milliseconds from an arbitrary origin, monotonic. */
export const now: () => number = performance.now.bind(performance);

/** Seconds elapsed since `start` (a value of `now()`). */
export function secondsSince(start: number): number {
  const elapsed = (now() - start) / 1000;
  return elapsed > 0 ? elapsed : 0;
}
