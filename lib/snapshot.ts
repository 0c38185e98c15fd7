/**
 * The snapshot: what a scrape collects, and the only thing the exposition formats read.
 * A metric never knows a format and a format never reaches into a metric.
 */

/** Metric family types, named as OpenMetrics names them. */
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'info' | 'stateset' | 'unknown';

/** One sample: its full name (`foo_total`, `foo_bucket`), label text and value. */
export interface Sample {
  readonly name: string;
  /** Rendered label pairs without braces, e.g. `a="x",le="0.5"`; values already escaped. */
  readonly labels: string;
  readonly value: number;
}

/** One metric family at scrape time. */
export interface MetricFamily {
  /** The family name: without `_total` for counters and without `_info` for info metrics. */
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  /** OpenMetrics unit, or the empty string. */
  readonly unit: string;
  readonly samples: readonly Sample[];
}

/** Options that change what a collection contains. */
export interface CollectOptions {
  /** Include `_created` samples for counters, histograms and summaries. */
  readonly created: boolean;
}
