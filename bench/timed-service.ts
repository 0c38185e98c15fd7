/**
 * The @Timed cases: one small service method, as a user writes it, in three shapes.
 *
 * - bare:    the method alone;
 * - wrapper: a hand-written `performance.now()` wrapper observing into a bound histogram child;
 * - timed:   the method decorated with `@Timed(histogram, { labels })` (standard TC39 decorators,
 *            as tsc emits them for Node 20).
 *
 * Each factory defines its class only when called, so a benchmark process holds one shape only
 * (no polymorphism from the others). Compiled by bench/tsconfig.json into bench/.out.
 */
import { performance } from 'node:perf_hooks';
import { Timed, type Histogram, type HistogramChild } from 'prometric';

export type Variant = 'bare' | 'wrapper' | 'timed';
export type LatencyHistogram = Histogram<'method' | 'status'>;

export interface SyncService {
  handle(x: number): number;
}
export interface AsyncService {
  handle(x: number): Promise<number>;
}

const LABELS = { method: 'GET', status: '200' } as const;

/** A few integer operations: cheap, but not nothing, and not foldable. */
function work(x: number): number {
  return (Math.imul(x, 2654435761) >>> 20) + 1;
}

/** The wrapper a user writes by hand: time the call, observe seconds into a bound child. */
function timeSync<A extends unknown[], R>(
  child: HistogramChild,
  fn: (this: unknown, ...args: A) => R,
): (this: unknown, ...args: A) => R {
  return function (this: unknown, ...args: A): R {
    const start = performance.now();
    try {
      return fn.apply(this, args);
    } finally {
      child.observe((performance.now() - start) / 1000);
    }
  };
}

function timeAsync<A extends unknown[], R>(
  child: HistogramChild,
  fn: (this: unknown, ...args: A) => Promise<R>,
): (this: unknown, ...args: A) => Promise<R> {
  return async function (this: unknown, ...args: A): Promise<R> {
    const start = performance.now();
    try {
      return await fn.apply(this, args);
    } finally {
      child.observe((performance.now() - start) / 1000);
    }
  };
}

export function makeSyncService(variant: Variant, histogram: LatencyHistogram): SyncService {
  if (variant === 'timed') {
    class Orders {
      @Timed(histogram, { labels: LABELS })
      handle(x: number): number {
        return work(x);
      }
    }
    return new Orders();
  }
  class Orders {
    handle(x: number): number {
      return work(x);
    }
  }
  if (variant === 'wrapper') Orders.prototype.handle = timeSync(histogram.labels(LABELS), Orders.prototype.handle);
  return new Orders();
}

export function makeAsyncService(variant: Variant, histogram: LatencyHistogram): AsyncService {
  if (variant === 'timed') {
    class Orders {
      @Timed(histogram, { labels: LABELS })
      async handle(x: number): Promise<number> {
        return work(x);
      }
    }
    return new Orders();
  }
  class Orders {
    async handle(x: number): Promise<number> {
      return work(x);
    }
  }
  if (variant === 'wrapper') Orders.prototype.handle = timeAsync(histogram.labels(LABELS), Orders.prototype.handle);
  return new Orders();
}
