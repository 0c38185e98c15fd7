/**
 * What the instruments (timers, error counters, in-flight gauges) need of a metric and of its
 * series, as interfaces: the instruments sit below the metric types, which implement these, so
 * that a metric's `time()` and the `@Timed` decorator are one implementation without an import
 * cycle. Client_golang draws the same line with its `Observer`.
 */
import type { LabelValues, NamedLabelValues } from '../labels.js';
import type { Labels } from '../snapshot.js';
import { show } from '../validation.js';

/**
 * The version of a metric's set of series, bumped when series are removed, so that an
 * instrument holding a series knows to look it up again. A symbol: not part of the public API.
 */
export const SERIES_VERSION = Symbol('prometric.seriesVersion');

/** A metric, as an instrument sees it: its identity, label names, and its series. */
export interface InstrumentedMetric<L extends string, S> {
  readonly type: string;
  readonly name: string;
  readonly labelNames: readonly L[];
  /** The series of a label set; with no labels given, the series of a metric without labels. */
  labels(...values: NamedLabelValues<L>): S;
  [SERIES_VERSION](): number;
}

/** The series of a label set given by name (`{}` for a metric without labels). */
export function seriesOf<L extends string, S>(metric: InstrumentedMetric<L, S>, values: LabelValues<L>): S {
  // Both forms reach the same lookup: one object of values is what labels() takes by name.
  return (metric.labels as (values: LabelValues<L>) => S).call(metric, values);
}

/** Throws a TypeError naming the decorator when `metric` is not of the type it needs. */
export function expectMetricType(decorator: string, metric: unknown, type: string, needs: string): void {
  const given = (metric as { type?: unknown } | null)?.type;
  if (given !== type) throw new TypeError(`${decorator}: needs ${needs}, got ${show(given ?? metric)}`);
}

/** A series that records a number: a histogram's or summary's observe() (a histogram's takes an exemplar). */
export interface Observer {
  observe(value: number, exemplarLabels?: Labels): void;
}

/** A series whose value is set: a gauge's set(). */
export interface Settable {
  set(value: number): void;
}

/** A series that counts up: a counter's inc(), with an exemplar if given. */
export interface Incrementable {
  inc(amount?: number, exemplarLabels?: Labels): void;
}

/** A series that goes up and down: a gauge's inc() and dec(). */
export interface UpDown {
  inc(amount?: number): void;
  dec(amount?: number): void;
}
