/**
 * What a worker sends the aggregating process: for each family whose series changed since the
 * last report, the changed series' mergeable state (counts, sums, bucket counts, quantile
 * sketches, not rendered text) and the keys of series that are gone. Plain data, so that it
 * crosses the cluster IPC channel (JSON) and a BroadcastChannel (structured clone) alike.
 */
import type { Exemplar, Labels, MetricFamily, MetricType } from '../snapshot.js';
import type { NativeHistogramPoint } from '../native-histogram.js';
import type { GaugeAggregation } from '../metrics/config.js';
import type { WindowSlice } from '../metrics/quantile-window.js';

/** A report: the changes of one worker's registry since its previous report. */
export interface Report {
  readonly families: readonly FamilyReport[];
}

/** The family as its worker declared it: compared across workers, and what combining needs. */
export interface FamilyDefinition {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly unit: string;
  readonly labelNames: readonly string[];
  /** The metric's whole definition as JSON (buckets, native options, quantiles...), compared as a string. */
  readonly definition: string;
  /** A gauge's aggregation. */
  readonly aggregate?: GaugeAggregation;
  /** A histogram's finite bucket bounds (empty for a native-only histogram). */
  readonly buckets?: readonly number[];
  /** Whether a histogram has classic buckets. */
  readonly classic?: boolean;
  /** A native histogram's bucket limit, which the combined histogram keeps to. */
  readonly maxBuckets?: number;
  /** A summary's quantiles and sketch error. */
  readonly percentiles?: readonly number[];
  readonly quantileError?: number;
}

/** One family's changes. A family a collector makes carries its samples whole, as `collected`. */
export interface FamilyReport {
  /** Sent with the family's first report and whenever it changes. */
  readonly definition?: FamilyDefinition;
  readonly name: string;
  /** Changed or new series. */
  readonly series: readonly SeriesState[];
  /** Keys of series that no longer exist. */
  readonly removed?: readonly string[];
  /** A collector's family, as collected (replaces the previous one whole); absent for a metric. */
  readonly collected?: MetricFamily;
  /** Set when the family is gone from the worker's registry. */
  readonly gone?: true;
}

/** One series' state. `key` identifies it across workers: its label values in declared order, as JSON. */
export type SeriesState = CounterState | GaugeState | HistogramState | SummaryState | InfoState | StateSetState;

interface StateBase {
  readonly key: string;
  /** The series' labels (no constant labels, no `le`/`quantile`/state label). */
  readonly labels: Labels;
}

export interface CounterState extends StateBase {
  readonly value: number;
  /** Seconds since the epoch; a change means the series was reset. */
  readonly created: number;
  readonly exemplar?: Exemplar;
}

export interface GaugeState extends StateBase {
  readonly value: number;
  /** When the worker saw the value change, ms since the epoch: for `last`. */
  readonly changedAt: number;
}

export interface HistogramState extends StateBase {
  /** Cumulative bucket counts, `+Inf` last (just the count for a native-only histogram). */
  readonly cumulative: readonly number[];
  readonly sum: number;
  readonly created: number;
  readonly native?: NativeHistogramPoint;
  /** The last exemplar of each bucket (null where none), as the series keeps them. */
  readonly exemplars?: readonly (Exemplar | null)[];
  /** A native-only histogram's recent exemplars, oldest first. */
  readonly nativeExemplars?: readonly Exemplar[];
}

export interface SummaryState extends StateBase {
  readonly count: number;
  readonly sum: number;
  readonly created: number;
  readonly window?: readonly WindowSlice[];
}

export interface InfoState extends StateBase {
  /** The info labels. */
  readonly facts: Labels;
}

export interface StateSetState extends StateBase {
  /** The current state's name. */
  readonly state: string;
}
