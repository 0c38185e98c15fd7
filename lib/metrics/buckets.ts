/** Histogram bucket bounds: defaults, validation and the helpers that generate them. */
import { show } from '../validation.js';

/** Python's client's defaults, for latencies in seconds: 5 ms to 10 s. */
export const DEFAULT_BUCKETS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
]);

/**
 * Validates bucket upper bounds and returns the finite ones (a trailing `+Inf` is dropped:
 * it is always added). Bounds must be finite numbers in strictly increasing order.
 */
export function validateBuckets(metric: string, buckets: unknown): number[] {
  if (!Array.isArray(buckets)) {
    throw new TypeError(`Histogram ${metric}: buckets must be an array of numbers, got ${show(buckets)}`);
  }
  const bounds = buckets[buckets.length - 1] === Infinity ? buckets.slice(0, -1) : [...buckets];
  for (let i = 0; i < bounds.length; i++) {
    const bound: unknown = bounds[i];
    if (typeof bound !== 'number' || !Number.isFinite(bound)) {
      throw new RangeError(`Histogram ${metric}: bucket bound ${show(bound)} at index ${i} is not a finite number`);
    }
    if (i > 0 && !(bound > bounds[i - 1])) {
      throw new RangeError(
        `Histogram ${metric}: buckets must be strictly increasing, but ${show(bound)} follows ${show(bounds[i - 1])}`,
      );
    }
  }
  return bounds as number[];
}

function assertCount(helper: string, count: unknown): asserts count is number {
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
    throw new RangeError(`${helper}: count must be an integer >= 1, got ${show(count)}`);
  }
}

/** `count` bounds starting at `start`, each `width` above the previous. */
export function linearBuckets(start: number, width: number, count: number): number[] {
  if (typeof start !== 'number' || !Number.isFinite(start))
    throw new RangeError(`linearBuckets: start must be a finite number, got ${show(start)}`);
  if (typeof width !== 'number' || !(width > 0) || !Number.isFinite(width))
    throw new RangeError(`linearBuckets: width must be a finite number > 0, got ${show(width)}`);
  assertCount('linearBuckets', count);
  return Array.from({ length: count }, (_, i) => start + i * width);
}

/** `count` bounds starting at `start`, each `factor` times the previous. */
export function exponentialBuckets(start: number, factor: number, count: number): number[] {
  if (typeof start !== 'number' || !(start > 0) || !Number.isFinite(start))
    throw new RangeError(`exponentialBuckets: start must be a finite number > 0, got ${show(start)}`);
  if (typeof factor !== 'number' || !(factor > 1) || !Number.isFinite(factor))
    throw new RangeError(`exponentialBuckets: factor must be a finite number > 1, got ${show(factor)}`);
  assertCount('exponentialBuckets', count);
  return Array.from({ length: count }, (_, i) => start * factor ** i);
}
