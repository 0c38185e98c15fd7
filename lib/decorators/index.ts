/**
 * The decorators: thin typed entry points over the instruments (lib/instrument), which the
 * metrics' own `time()`, `countExceptions()` and `trackInProgress()` share.
 */
import type { LabelValues } from '../labels.js';
import type { Counter } from '../metrics/counter.js';
import type { Gauge } from '../metrics/gauge.js';
import type { Histogram } from '../metrics/histogram.js';
import type { Summary } from '../metrics/summary.js';
import { countCallErrors, type CountExceptionsOptions } from '../instrument/count-exceptions.js';
import { trackCallsInFlight, type GaugeInProgressOptions } from '../instrument/gauge-in-progress.js';
import type { MethodDecorator } from '../instrument/method-decorator.js';
import { startMetricTimer, timeCalls, type EndTimer, type TimedOptions } from '../instrument/timed.js';

export type { CountExceptionsOptions, ErrorClass } from '../instrument/count-exceptions.js';
export type { GaugeInProgressOptions } from '../instrument/gauge-in-progress.js';
export type { MethodDecorator, Outcome } from '../instrument/method-decorator.js';
export type { LabelSource } from '../instrument/label-source.js';
export type { ExemplarSource } from '../instrument/exemplar-source.js';
export type { EndTimer, TimedOptions } from '../instrument/timed.js';
export { Instrumented, NotInstrumented, INSTRUMENTED_DEFAULT_NAMES } from './instrumented.js';
export type {
  InstrumentedClassDecorator,
  InstrumentedNames,
  InstrumentedOptions,
  NotInstrumentedDecorator,
} from './instrumented.js';

/** A metric that can record durations: observed into a Histogram or Summary, set on a Gauge. */
export type TimedMetric<L extends string> = Histogram<L> | Summary<L> | Gauge<L>;

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
export function Timed<L extends string>(metric: TimedMetric<L>, options?: TimedOptions<L>): MethodDecorator {
  return timeCalls('@Timed', metric, options);
}

/**
 * Starts a timer on a metric; calling the returned function (or disposing it, with `using`)
 * records the elapsed seconds once. Label values may be given at start, at end, or split.
 */
export function startTimer<L extends string>(metric: TimedMetric<L>, labels?: Partial<LabelValues<L>>): EndTimer<L> {
  return startMetricTimer('startTimer', metric, labels);
}

/**
 * Decorates a method (either decorator mode) or wraps a function so each thrown error or
 * rejected promise increments the counter (only errors of the `only` classes, if given). The
 * error itself passes through untouched.
 */
export function CountExceptions<L extends string>(
  counter: Counter<L>,
  options?: CountExceptionsOptions<L>,
): MethodDecorator {
  return countCallErrors(counter, options);
}

/** Decorates a method (either decorator mode) or wraps a function to count calls in flight on a gauge. */
export function GaugeInProgress<L extends string>(
  gauge: Gauge<L>,
  options?: GaugeInProgressOptions<L>,
): MethodDecorator {
  return trackCallsInFlight(gauge, options);
}
