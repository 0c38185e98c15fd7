/**
 * The snapshot: what a scrape collects, and the only thing the exposition formats read. It is
 * data, not text: names, label names and values, numbers. A metric never knows a format and a
 * format never reaches into a metric.
 */
import type { NativeHistogramPoint } from './native-histogram.js';

/** Metric family types, named as OpenMetrics names them. */
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'info' | 'stateset' | 'unknown';

/**
 * A series' labels: label values by label name, in exposition order (a registry's constant labels
 * first). Label sets that the library makes are frozen and shared between scrapes.
 */
export type Labels = Readonly<Record<string, string>>;

/** One sample: its full name (`foo_total`, `foo_bucket`), labels and value. */
export interface Sample {
  readonly name: string;
  /** Every label of the sample, `le` and `quantile` included (in canonical form, see bounds.ts). */
  readonly labels: Labels;
  readonly value: number;
  /** Milliseconds since the epoch, for samples a collector gives a timestamp; otherwise absent. */
  readonly timestamp?: number;
  /**
   * The last exemplar of the series, when one was given (a counter's `_total`: `inc(1, { trace_id })`).
   * Only OpenMetrics and protobuf show it; the text format 0.0.4 has no exemplars.
   */
  readonly exemplar?: Exemplar;
}

/**
 * An exemplar: labels (a trace id, say) of one observation or increment, its value (a counter's:
 * the increment) and when it was taken, in seconds since the epoch by the wall clock.
 * Its labels' names and values are together at most 128 code points (metrics/exemplar.ts checks).
 */
export interface Exemplar {
  readonly labels: Labels;
  readonly value: number;
  readonly timestamp: number;
}

/** One metric family at scrape time. */
export interface MetricFamily {
  /** The family name: without `_total` for counters and without `_info` for info metrics. */
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  /** OpenMetrics unit, or the empty string. */
  readonly unit: string;
  /** Every sample. For a family with {@link MetricFamily.histogram}, its rows expanded (made when first read). */
  readonly samples: readonly Sample[];
  /**
   * A histogram's series in row form, which the formatters render from instead of `samples` (both
   * describe the same series). Absent for other types and for families given by collectors.
   */
  readonly histogram?: HistogramRows;
  /**
   * A counter's or gauge's series in column form, which the formatters render from instead of
   * `samples` (both describe the same series). Absent for other types and for families given by
   * collectors.
   */
  readonly columns?: SeriesColumns;
}

/**
 * The series of a counter or gauge family in column form: one array entry per series rather than
 * a {@link Sample} object each (100,000 series would otherwise make 100,000 objects per scrape).
 * A counter's values are its `_total` samples; a gauge's are its samples.
 */
export interface SeriesColumns {
  /** Each series' labels (the registry's constant labels first). */
  readonly labels: readonly Labels[];
  /** Each series' value, in the order of {@link labels}. */
  readonly values: ArrayLike<number>;
  /** A counter's `_created` per series (seconds since the epoch); absent when not collected. */
  readonly created?: ArrayLike<number>;
  /** A counter's exemplar per series (undefined where none); absent when no series has one. */
  readonly exemplars?: readonly (Exemplar | undefined)[];
}

/**
 * One histogram series in row form: its labels once and its cumulative counts, instead of a
 * {@link Sample} per bucket (10,000 series would otherwise make 140,000 samples per scrape).
 */
export interface HistogramRow {
  /** The series' labels, without `le`. */
  readonly labels: Labels;
  /** Each bucket's cumulative count, in the order of {@link HistogramRows.bounds}; the last (`+Inf`) is the count. */
  readonly cumulative: readonly number[];
  readonly sum: number;
  /** The `_created` value in seconds since the epoch, or undefined when `_created` is not collected. */
  readonly created: number | undefined;
  /** The series' native histogram, for a histogram with `native`; only the protobuf format shows it. */
  readonly native?: NativeHistogramPoint;
  /**
   * The last exemplar of each bucket, by bucket index as in {@link HistogramRows.bounds} (the last
   * is `+Inf`), undefined where a bucket has none; absent when the series has no exemplar. A
   * native-only histogram's one entry (its `+Inf` bucket) is the most recent of {@link nativeExemplars}.
   */
  readonly exemplars?: readonly (Exemplar | undefined)[];
  /**
   * A native-only histogram's exemplars, oldest first: the most recent per native bucket, a few
   * at most (metrics/exemplar.ts NATIVE_EXEMPLAR_LIMIT); absent when it has none.
   */
  readonly nativeExemplars?: readonly Exemplar[];
}

/**
 * The series of a histogram family in row form.
 *
 * A native-only histogram (no classic buckets) has `classic: false`, `bounds` of just
 * `[Infinity]` and each row's `cumulative` of just its count, so that every reader of the count
 * finds it where it always is; the formatters then write no `_bucket` lines and no classic buckets.
 */
export interface HistogramRows {
  /** Each bucket's upper bound, ascending; the last is `Infinity`. */
  readonly bounds: readonly number[];
  /** False for a native-only histogram, whose buckets are not to be shown (absent: true). */
  readonly classic?: boolean;
  readonly rows: readonly HistogramRow[];
}

/** Options that change what a collection contains. */
export interface CollectOptions {
  /** Include `_created` samples for counters, histograms and summaries. */
  readonly created: boolean;
}
