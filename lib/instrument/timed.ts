/**
 * Timing calls: each call's duration in seconds, from the monotonic clock, observed into a
 * histogram or summary series or set on a gauge series (as Python's `Gauge.time()`). One
 * implementation serves `@Timed`, `metric.time()`, `child.time()` and the `startTimer()`s.
 */
import type { LabelValues } from '../labels.js';
import type { Labels } from '../snapshot.js';
import { checkOptions } from '../options.js';
import { show } from '../validation.js';
import { now, secondsSince } from './clock.js';
import { callExemplar, type ExemplarSource } from './exemplar-source.js';
import { childResolver, type LabelSource } from './label-source.js';
import { createMethodDecorator, type MethodDecorator } from './method-decorator.js';
import { seriesOf, type InstrumentedMetric, type Observer, type Settable } from './series.js';

/** A series durations are recorded into. */
export type TimedSeries = Observer | Settable;

/** Options of @Timed and `metric.time()`. */
export interface TimedOptions<L extends string> {
  /** Label values: fixed, or from the call's arguments and outcome (`{ result }` or `{ error }`). */
  readonly labels?: LabelSource<L>;
  /**
   * An exemplar for each call's observation (Histogram only): `true` for the active
   * OpenTelemetry span's `trace_id` and `span_id`, or a function of the call returning labels.
   */
  readonly exemplar?: ExemplarSource;
}

/** Records a duration the way the series takes numbers: observed, or set on a gauge. */
export type Recorder = (series: TimedSeries, seconds: number) => void;

const observe: Recorder = (series, seconds) => (series as Observer).observe(seconds);
const set: Recorder = (series, seconds) => (series as Settable).set(seconds);

/** The recorder for a metric type, or a TypeError naming `where` when the type records no durations. */
export function recorderFor(where: string, metric: unknown): Recorder {
  const type = (metric as { type?: unknown } | null)?.type;
  if (type === 'histogram' || type === 'summary') return observe;
  if (type === 'gauge') return set;
  throw new TypeError(
    `${where}: needs a Histogram, Summary or Gauge, got ${type === undefined ? show(metric) : `a ${String(type)}`}`,
  );
}

/**
 * A decorator (either mode) or function wrapper recording each call's duration into the metric,
 * in the series its labels name. An async method is timed until it settles.
 */
export function timeCalls<L extends string>(
  where: string,
  metric: InstrumentedMetric<L, TimedSeries>,
  options: TimedOptions<L> = {},
): MethodDecorator {
  const record = recorderFor(where, metric);
  // A misspelt `labels` would leave a labeled metric without label values.
  checkOptions(`${where}(${metric.name})`, options as unknown, ['labels', 'exemplar']);
  if (options.exemplar !== undefined) return timeCallsWithExemplar(where, metric, options);
  return createMethodDecorator(where, (site) => {
    const resolve = childResolver<L, TimedSeries>(where, metric, options.labels, site);
    return {
      start: now,
      finish(start: number, args, outcome) {
        const seconds = secondsSince(start);
        record(resolve(args, outcome), seconds);
      },
    };
  });
}

/**
 * timeCalls() with an exemplar per call, kept apart so that calls without one do exactly what
 * they did: the exemplar's labels are taken when the call starts (the span active then) and
 * attached when it settles.
 */
function timeCallsWithExemplar<L extends string>(
  where: string,
  metric: InstrumentedMetric<L, TimedSeries>,
  options: TimedOptions<L>,
): MethodDecorator {
  const subject = `${where}(${metric.name})`;
  if (metric.type !== 'histogram') {
    throw new TypeError(
      `${subject}: "exemplar" needs a Histogram (only histograms keep exemplars), got a ${metric.type}`,
    );
  }
  const exemplar = callExemplar(subject, options.exemplar);
  return createMethodDecorator(where, (site) => {
    const resolve = childResolver<L, TimedSeries>(where, metric, options.labels, site);
    return {
      start: () => ({ start: now(), exemplar: exemplar.atStart() }),
      finish(state: { start: number; exemplar: Labels | undefined }, args, outcome) {
        const seconds = secondsSince(state.start);
        const labels = exemplar.atFinish(state.exemplar, args, outcome);
        (resolve(args, outcome) as Observer).observe(seconds, labels);
      },
    };
  });
}

/** The same for one series: `histogram.labels('x').time()`. */
export function timeSeriesCalls(where: string, record: Recorder, series: TimedSeries): MethodDecorator {
  return createMethodDecorator(where, () => ({
    start: now,
    finish(start: number) {
      record(series, secondsSince(start));
    },
  }));
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
export function startMetricTimer<L extends string>(
  where: string,
  metric: InstrumentedMetric<L, TimedSeries>,
  startLabels?: Partial<LabelValues<L>>,
): EndTimer<L> {
  const record = recorderFor(where, metric);
  if (startLabels !== undefined) checkLabelNames(where, metric, startLabels);
  const start = now();
  return endTimerOnce<L>((endLabels) => {
    const seconds = secondsSince(start);
    // Merge only when both halves are given: the common unlabeled timer allocates nothing here.
    const labels = startLabels && endLabels ? { ...startLabels, ...endLabels } : (startLabels ?? endLabels);
    record(seriesOf(metric, (labels ?? NO_VALUES) as LabelValues<L>), seconds);
    return seconds;
  });
}

const NO_VALUES = Object.freeze({});

/** Refuses, when a timer starts, label values the metric has no label for (else only its end would fail). */
function checkLabelNames(where: string, metric: InstrumentedMetric<string, unknown>, labels: unknown): void {
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) {
    throw new TypeError(`${where}(${metric.name}): labels must be an object of label values, got ${show(labels)}`);
  }
  const unknown = Object.keys(labels).filter((name) => !metric.labelNames.includes(name));
  if (unknown.length > 0) {
    throw new TypeError(
      `${where}(${metric.name}): unknown label(s) [${unknown.join(', ')}]; expected [${metric.labelNames.join(', ')}]`,
    );
  }
}

/** A timer on one series, for `child.startTimer()`. */
export function startSeriesTimer(record: Recorder, series: TimedSeries): EndTimer<never> {
  const start = now();
  return endTimerOnce<never>(() => {
    const seconds = secondsSince(start);
    record(series, seconds);
    return seconds;
  });
}
