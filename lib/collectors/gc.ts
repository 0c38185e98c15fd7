/**
 * nodejs_gc_duration_seconds{kind}: a histogram of garbage collection pauses, fed by a
 * PerformanceObserver on 'gc' entries. It is a real Histogram registered in the registry (it
 * accumulates between scrapes), and its four series exist from the start so that `rate()` of
 * a kind that has not happened yet is 0 rather than absent.
 */
import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';
import { Histogram, type HistogramChild } from '../metrics/histogram.js';
import type { Families } from './families.js';

const KINDS: ReadonlyArray<readonly [number, string]> = [
  [constants.NODE_PERFORMANCE_GC_MAJOR, 'major'],
  [constants.NODE_PERFORMANCE_GC_MINOR, 'minor'],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental'],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, 'weakcb'],
];

export class GcDurations {
  /** Not yet registered: the caller registers it (and can fail) before anything is started. */
  readonly histogram: Histogram<string>;
  private readonly byKind = new Map<number, HistogramChild>();
  private observer: PerformanceObserver | undefined;

  constructor(families: Families, buckets: readonly number[]) {
    this.histogram = new Histogram<string>({
      name: families.name('nodejs_gc_duration_seconds'),
      help: 'Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
      labelNames: ['kind', ...Object.keys(families.labels)],
      buckets,
      registry: null,
    });
    for (const [kind, name] of KINDS) this.byKind.set(kind, this.histogram.labels(families.with({ kind: name })));
  }

  /**
   * Starts observing. `afterBatch` runs after each batch of entries: the owner checks there
   * whether it is still registered (a cleared registry does not tell its collectors).
   */
  start(afterBatch: () => void): void {
    // PerformanceObserver holds no libuv handle: it never keeps the process alive.
    this.observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const detail = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail;
        this.byKind.get(detail?.kind ?? -1)?.observe(entry.duration / 1000);
      }
      afterBatch();
    });
    this.observer.observe({ entryTypes: ['gc'] });
  }

  stop(): void {
    this.observer?.disconnect();
    this.observer = undefined;
  }
}
