/**
 * One series' native (sparse, exponential) histogram state: schema, zero bucket, populated
 * positive and negative buckets, count and sum, and the bucket limit that keeps its memory
 * bounded. Follows the specification (prometheus/docs, docs/specs/native_histograms.md) and
 * client_golang's limit strategy.
 */
import { globalNow, wallSeconds } from '../instrument/clock.js';
import type { NativeHistogramPoint } from '../native-histogram.js';
import { show } from '../validation.js';
import { bucketIndex, MIN_SCHEMA, schemaFor, schemaLookup } from './native-schema.js';
import { SparseCounts } from './sparse-counts.js';

/** What a user may set; each has client_golang's meaning (`NativeHistogramBucketFactor` and so on). */
export interface NativeHistogramOptions {
  /** Largest growth factor from one bucket to the next; picks the schema. Default 1.1 (schema 3). */
  readonly bucketFactor?: number;
  /** Observations with magnitude at most this go to the zero bucket. Default 2^-128. */
  readonly zeroThreshold?: number;
  /** Most populated buckets (positive and negative together) before the limit acts; 0: no limit. Default 160. */
  readonly maxBuckets?: number;
  /**
   * Past `maxBuckets`, the histogram resets if its last reset is at least this long ago, and
   * halves its resolution otherwise. 0 (the default, as in client_golang): never reset, always halve.
   */
  readonly minResetDurationSeconds?: number;
}

/** The options resolved and checked. */
export interface NativeBucketsConfig {
  /** The schema a fresh (or reset) histogram starts at. */
  readonly schema: number;
  readonly zeroThreshold: number;
  readonly maxBuckets: number;
  readonly minResetDurationSeconds: number;
}

/** The defaults `native: true` takes. */
export const DEFAULT_NATIVE_OPTIONS = Object.freeze({
  bucketFactor: 1.1,
  zeroThreshold: 2 ** -128,
  maxBuckets: 160,
  minResetDurationSeconds: 0,
});

/**
 * Checks a histogram's `native` option (`true` for the defaults) and resolves it; throws a
 * TypeError or RangeError naming the metric, the option and the value.
 */
export function nativeBucketsConfig(metric: string, native: unknown): NativeBucketsConfig {
  if (native === true) native = {};
  if (typeof native !== 'object' || native === null || Array.isArray(native)) {
    throw new TypeError(`Histogram ${metric}: native must be true or an options object, got ${show(native)}`);
  }
  const given = native as Record<string, unknown>;
  const known = Object.keys(DEFAULT_NATIVE_OPTIONS);
  for (const key of Object.keys(given)) {
    if (!known.includes(key)) {
      throw new TypeError(`Histogram ${metric}: unknown option native.${key} (known: ${known.join(', ')})`);
    }
  }
  const option = (key: keyof typeof DEFAULT_NATIVE_OPTIONS, valid: (n: number) => boolean, rule: string): number => {
    const value = given[key] ?? DEFAULT_NATIVE_OPTIONS[key];
    if (typeof value !== 'number' || !valid(value)) {
      throw new RangeError(`Histogram ${metric}: native.${key} must be ${rule}, got ${show(value)}`);
    }
    return value;
  };
  const finite = Number.isFinite;
  const bucketFactor = option('bucketFactor', (n) => finite(n) && n > 1, 'a finite number > 1');
  return {
    schema: schemaFor(bucketFactor),
    zeroThreshold: option('zeroThreshold', (n) => finite(n) && n >= 0, 'a finite number >= 0'),
    maxBuckets: option('maxBuckets', (n) => Number.isSafeInteger(n) && n >= 0, 'an integer >= 0 (0: no limit)'),
    minResetDurationSeconds: option('minResetDurationSeconds', (n) => finite(n) && n >= 0, 'a finite number >= 0'),
  };
}

/**
 * A native histogram's state. `observe()` costs a few table reads and adds and allocates nothing
 * unless it populates a new bucket; the spans and deltas are built only by `point()`.
 *
 * Past `maxBuckets` populated buckets, as client_golang does: if `minResetDurationSeconds` > 0
 * and the last reset is at least that long ago, everything resets (keeping the observation that
 * overflowed); otherwise the resolution halves until the buckets fit or the schema is -4.
 * (client_golang's middle step, widening the zero bucket, is off by default there and not offered.)
 */
export class NativeBuckets {
  readonly #config: NativeBucketsConfig;
  readonly #onReset: (() => void) | undefined;
  #schema: number;
  #lookup: ReturnType<typeof schemaLookup>;
  #count = 0;
  #sum = 0;
  #zeroCount = 0;
  readonly #positive = new SparseCounts();
  readonly #negative = new SparseCounts();
  /** `globalNow()` at creation or the last reset, for `minResetDurationSeconds`. */
  #lastResetMs: number;
  #startSeconds: number;

  /**
   * @param config from {@link nativeBucketsConfig}.
   * @param onReset called when the histogram resets itself (the bucket limit, or {@link resetIfDue}),
   *   so that its owner resets what it keeps beside (classic buckets, start time). When the limit
   *   resets during `observe(v)`, `v` is kept here: an owner that records `v` elsewhere after
   *   calling `observe(v)` keeps it in both.
   */
  constructor(config: NativeBucketsConfig, onReset?: () => void) {
    this.#config = config;
    this.#onReset = onReset;
    this.#schema = config.schema;
    this.#lookup = schemaLookup(config.schema);
    this.#lastResetMs = globalNow();
    this.#startSeconds = wallSeconds();
  }

  /**
   * Records one observation. As the specification says: NaN counts in `count` and in no bucket
   * (and makes the sum NaN); +Inf and -Inf count in the positive and negative overflow buckets
   * (the index after the largest double's) and make the sum ±Inf or NaN by float arithmetic.
   */
  observe(value: number): void {
    this.#count++;
    this.#sum += value;
    const threshold = this.#config.zeroThreshold;
    if (value > threshold) {
      if (this.#positive.add(bucketIndex(value, this.#schema, this.#lookup), 1)) this.#bucketAdded(value);
    } else if (value < -threshold) {
      if (this.#negative.add(bucketIndex(-value, this.#schema, this.#lookup), 1)) this.#bucketAdded(value);
    } else if (value === value) {
      this.#zeroCount++;
    }
  }

  /**
   * Which bucket `value` goes to at the current schema (`+3`, `-3`, `zero`, `nan`): exemplars
   * are kept one per native bucket. Not on the observe() path.
   */
  bucketOf(value: number): string {
    const threshold = this.#config.zeroThreshold;
    if (value > threshold) return `+${bucketIndex(value, this.#schema, this.#lookup)}`;
    if (value < -threshold) return `-${bucketIndex(-value, this.#schema, this.#lookup)}`;
    return value === value ? 'zero' : 'nan';
  }

  /** The current schema: the configured one, or lower after the bucket limit halved the resolution. */
  get schema(): number {
    return this.#schema;
  }

  get zeroThreshold(): number {
    return this.#config.zeroThreshold;
  }

  /** Observations in the zero bucket. */
  get zeroCount(): number {
    return this.#zeroCount;
  }

  /** Every observation since the last reset, NaN included. */
  get count(): number {
    return this.#count;
  }

  get sum(): number {
    return this.#sum;
  }

  /** Populated buckets, positive and negative (the zero bucket not counted), as `maxBuckets` counts them. */
  get bucketCount(): number {
    return this.#positive.size + this.#negative.size;
  }

  /** Seconds since the epoch at creation or the last reset: the series' start (`_created`) time. */
  get startSeconds(): number {
    return this.#startSeconds;
  }

  /**
   * Halves the resolution: schema s becomes s - 1 and bucket i becomes bucket ceil(i / 2), which
   * holds exactly the magnitudes of buckets 2j - 1 and 2j at schema s (its bounds are the even
   * powers of the old base). Count, sum and the zero bucket do not change.
   * @throws RangeError at schema -4, the lowest.
   */
  reduceResolution(): void {
    if (this.#schema <= MIN_SCHEMA) {
      throw new RangeError(`reduceResolution: the schema is already ${MIN_SCHEMA}, the lowest resolution`);
    }
    this.#schema--;
    this.#lookup = schemaLookup(this.#schema);
    halve(this.#positive);
    halve(this.#negative);
  }

  /** Empties the histogram and returns it to its configured schema; does not call `onReset`. */
  reset(): void {
    this.#count = 0;
    this.#sum = 0;
    this.#zeroCount = 0;
    this.#positive.clear();
    this.#negative.clear();
    this.#schema = this.#config.schema;
    this.#lookup = schemaLookup(this.#schema);
    this.#lastResetMs = globalNow();
    this.#startSeconds = wallSeconds();
  }

  /**
   * Resets (and calls `onReset`) when the bucket limit lowered the resolution and
   * `minResetDurationSeconds` (> 0) have passed since the last reset, which returns the histogram
   * to its configured resolution. client_golang does this on a timer; here the owner calls it,
   * best after a scrape has collected the series, so that no observation goes unscraped.
   * @returns whether it reset.
   */
  resetIfDue(): boolean {
    if (this.#schema === this.#config.schema || !this.#resetAllowed()) return false;
    this.reset();
    this.#onReset?.();
    return true;
  }

  /** The series in wire form: schema, zero bucket, count, sum, and spans and deltas of each sign. */
  point(): NativeHistogramPoint {
    const positive = this.#positive.spansAndDeltas();
    const negative = this.#negative.spansAndDeltas();
    return {
      schema: this.#schema,
      zeroThreshold: this.#config.zeroThreshold,
      zeroCount: this.#zeroCount,
      count: this.#count,
      sum: this.#sum,
      positiveSpans: positive.spans.length > 0 ? positive.spans : [{ offset: 0, length: 0 }],
      positiveDeltas: positive.deltas,
      negativeSpans: negative.spans,
      negativeDeltas: negative.deltas,
    };
  }

  #resetAllowed(): boolean {
    const minReset = this.#config.minResetDurationSeconds;
    return minReset > 0 && globalNow() - this.#lastResetMs >= minReset * 1000;
  }

  /** A new bucket was populated by `value`: apply the limit if it is now exceeded. */
  #bucketAdded(value: number): void {
    const max = this.#config.maxBuckets;
    if (max === 0 || this.bucketCount <= max) return;
    if (this.#resetAllowed()) {
      this.reset();
      this.#onReset?.();
      this.observe(value);
      return;
    }
    while (this.bucketCount > max && this.#schema > MIN_SCHEMA) this.reduceResolution();
  }
}

/** Re-indexes one sign's buckets at the next lower schema, merging the pairs that meet. */
function halve(counts: SparseCounts): void {
  const pairs: number[] = [];
  counts.forEach((index, count) => pairs.push(index, count));
  counts.clear();
  for (let k = 0; k < pairs.length; k += 2) counts.add(((pairs[k]! - 1) >> 1) + 1, pairs[k + 1]!);
}
