/**
 * A native histogram's point in the form the protobuf `Histogram` message carries it (the
 * specification's "spans and deltas"): what a series hands to a formatter, knowing no format.
 */

/** A run of consecutive buckets: `offset` is the first index for the first span, else the gap since the previous span. */
export interface BucketSpan {
  readonly offset: number;
  readonly length: number;
}

/** One native histogram series at one moment, integer counts. */
export interface NativeHistogramPoint {
  /** -4..8: bucket i holds magnitudes in (base^(i-1), base^i], base = 2^(2^-schema). */
  readonly schema: number;
  /** Observations with magnitude at most this count in the zero bucket. */
  readonly zeroThreshold: number;
  readonly zeroCount: number;
  /** Every observation, NaN included (a NaN is in no bucket). */
  readonly count: number;
  readonly sum: number;
  /**
   * Never empty: a histogram without positive buckets has the no-op span `{ offset: 0, length: 0 }`,
   * which the specification requires so that a reader tells it from a classic histogram.
   */
  readonly positiveSpans: readonly BucketSpan[];
  /** Each positive bucket's count as a delta from the previous one's (the first from zero). */
  readonly positiveDeltas: readonly number[];
  readonly negativeSpans: readonly BucketSpan[];
  readonly negativeDeltas: readonly number[];
}
