/**
 * @Timed: observes each call's duration in seconds into a Histogram or Summary, or sets a Gauge
 * to it (as Python's `Gauge.time()`). Also `startTimer()`, for timing a block by hand.
 */
import type { LabelValues } from '../labels.js';
import type { GaugeChild } from '../metrics/gauge.js';
import type { HistogramChild } from '../metrics/histogram.js';
import type { Metric } from '../metrics/metric.js';
import type { SummaryChild } from '../metrics/summary.js';
import { checkOptions } from '../options.js';
import { show } from '../validation.js';
import { now, secondsSince } from './clock.js';
import { childResolver, type LabelSource } from './label-source.js';
import { createMethodDecorator, type MethodDecorator } from './method-decorator.js';

/** A metric that can record durations. */
export type TimedMetric<L extends string> = Metric<L, HistogramChild> | Metric<L, SummaryChild> | Metric<L, GaugeChild>;
type TimedChild = HistogramChild | SummaryChild | GaugeChild;

/** Options of @Timed and `metric.time()`. */
export interface TimedOptions<L extends string> {
  /** Label values: fixed, or from the call's arguments and outcome (`{ result }` or `{ error }`). */
  readonly labels?: LabelSource<L>;
}

function recordDuration(metric: { type: string }, child: TimedChild, seconds: number): void {
  if (metric.type === 'gauge') (child as GaugeChild).set(seconds);
  else (child as HistogramChild | SummaryChild).observe(seconds);
}

function assertTimedMetric(where: string, metric: unknown): asserts metric is TimedMetric<string> {
  const type = (metric as { type?: unknown } | null)?.type;
  if (type !== 'histogram' && type !== 'summary' && type !== 'gauge') {
    throw new TypeError(`${where}: needs a Histogram, Summary or Gauge, got ${type === undefined ? show(metric) : `a ${String(type)}`}`);
  }
}

/**
 * Decorates a method (either decorator mode) or wraps a function so each call's duration, in
 * seconds from a monotonic clock, is recorded. An async method is timed until it settles.
 *
 * ```ts
 * class Orders {
 *   @Timed(REQUEST_TIME) async place(order: Order) { ... }
 * }
 * ```
 */
export function Timed<L extends string>(metric: TimedMetric<L>, options: TimedOptions<L> = {}): MethodDecorator {
  assertTimedMetric('@Timed', metric);
  // A misspelt `labels` would leave a labeled metric without label values.
  checkOptions(`@Timed(${metric.name})`, options as unknown, ['labels']);
  return createMethodDecorator('@Timed', (site) => {
    const resolve = childResolver<L, TimedChild>('@Timed', metric as Metric<L, TimedChild>, options.labels, site);
    return {
      start: now,
      finish(start: number, args, outcome) {
        const seconds = secondsSince(start);
        recordDuration(metric, resolve(args, outcome), seconds);
      },
    };
  });
}

/** Ends a timer: records and returns the elapsed seconds. Also Disposable, for `using`. */
export interface EndTimer<L extends string = string> {
  (labels?: Partial<LabelValues<L>>): number;
  [Symbol.dispose](): void;
}

/** An end function that records once (later calls return the first duration), also Disposable. */
function endTimerOnce<L extends string>(record: (labels?: Partial<LabelValues<L>>) => number): EndTimer<L> {
  let recorded: number | undefined;
  const end = ((labels?: Partial<LabelValues<L>>): number => (recorded ??= record(labels))) as EndTimer<L>;
  end[Symbol.dispose] = () => {
    end();
  };
  return end;
}

/**
 * Starts a timer on a metric; calling the returned function (or disposing it) records the
 * elapsed seconds once. Label values may be given at start, at end, or split between the two.
 */
export function startTimer<L extends string>(metric: TimedMetric<L>, startLabels?: Partial<LabelValues<L>>): EndTimer<L> {
  assertTimedMetric('startTimer', metric);
  const start = now();
  return endTimerOnce<L>((endLabels) => {
    const seconds = secondsSince(start);
    // Merge only when both halves are given: the common unlabeled timer allocates nothing here.
    const labels = startLabels && endLabels ? { ...startLabels, ...endLabels } : (startLabels ?? endLabels);
    const timed = metric as Metric<L, TimedChild>;
    const child = labels === undefined && metric.labelNames.length === 0 ? timed.only() : timed.labels((labels ?? {}) as LabelValues<L>);
    recordDuration(metric, child, seconds);
    return seconds;
  });
}

/** A timer on one child (series), for `child.startTimer()`. */
export function startChildTimer(metric: { type: string }, child: TimedChild): EndTimer<never> {
  const start = now();
  return endTimerOnce<never>(() => {
    const seconds = secondsSince(start);
    recordDuration(metric, child, seconds);
    return seconds;
  });
}

/** @Timed for one child: `histogram.labels('x').time()`. */
export function timedChild(metric: { type: string; name: string }, child: TimedChild): MethodDecorator {
  return createMethodDecorator('time()', () => ({
    start: now,
    finish(start: number) {
      recordDuration(metric, child, secondsSince(start));
    },
  }));
}
