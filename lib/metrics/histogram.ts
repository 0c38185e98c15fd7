/**
 * Histogram: observations counted into cumulative buckets, with their count and sum, and with
 * `native` into a native (sparse, exponential) histogram per series as well or instead.
 */
import type { CollectOptions, HistogramRow, Labels, MetricFamily } from '../snapshot.js';
import { HistogramFamily } from '../histogram-family.js';
import { show } from '../validation.js';
import { wallSeconds } from '../instrument/clock.js';
import type { MethodDecorator } from '../instrument/method-decorator.js';
import { recorderFor, startSeriesTimer, timeSeriesCalls, type EndTimer } from '../instrument/timed.js';
import { NO_LABELS } from '../labels.js';
import { DEFAULT_BUCKETS, validateBuckets } from './buckets.js';
import { normalizeConfig, type ExtraOptions, type HistogramConfig } from './config.js';
import { NativeBuckets, nativeBucketsConfig, type NativeBucketsConfig } from './native-buckets.js';

export type { HistogramConfig } from './config.js';
import type { Definition } from './metric.js';
import { DETACHED, OWNER, Series, slotOf } from './series.js';
import { makeExemplar } from './exemplar.js';
import { ObservingMetric } from './observing-metric.js';
import { pageViews, SERIES_FLOATS, SlotPages, type SeriesNumbers } from './histogram-pages.js';
import { HistogramExemplars } from './histogram-exemplars.js';

/** Above this many bounds a binary search beats a scan. */
const SCAN_LIMIT = 16;

/** What a bucket count loses each time it wraps around its 32-bit slot (the metric keeps it). */
const COUNT_WRAP = 2 ** 32;

/** Where a series' numbers are, and moving them out of the shared page (state private to this module). */
let numbersOf: (child: HistogramChild) => SeriesNumbers;
let floatsOf: (child: HistogramChild) => Float64Array;
let countsOf: (child: HistogramChild) => Int32Array;
let countsAtOf: (child: HistogramChild) => number;
let floatsAtOf: (child: HistogramChild) => number;
let movePageOut: (child: HistogramChild) => void;
/** observe() with an exemplar: a call of its own, so that a plain observe() stays small enough to inline. */
let observeWithExemplar: (child: HistogramChild, value: number, exemplarLabels: Labels) => void;
/** Zeroes the classic numbers (not the native ones) and restarts the created time. */
let resetClassic: (child: HistogramChild) => void;
/** A series' native histogram, or undefined. */
let nativeOf: (child: HistogramChild) => NativeBuckets | undefined;
// Set by Histogram's static block: its per-series state, reachable from here but not from outside the module.
/** The exemplars of a series, made with its first; undefined for a removed series (not exposed). */
let exemplarsFor: (metric: Histogram<string>, child: HistogramChild) => HistogramExemplars | undefined;
/** Bucket `bucket` of `child` wrapped around 2^32: keeps the 2^32 it lost. */
let carry: (metric: Histogram<string>, child: HistogramChild, bucket: number) => void;
/** What a series' buckets carried past 32 bits, if any did. */
let carriedOf: (metric: Histogram<string>, child: HistogramChild) => Float64Array | undefined;
/** Forgets a series' exemplars and carried counts (its reset, or its removal). */
let forgetSeriesState: (metric: Histogram<string>, child: HistogramChild) => void;
const NO_FLOATS = new Float64Array(0);
const NO_COUNTS = new Int32Array(0);

/**
 * One histogram series. Its numbers live in a page shared with other series of the metric (a
 * typed array per series would cost ~280 B: the view, its ArrayBuffer and the off-heap store):
 * its sum and created time among the page's doubles, its bucket counts (the last is `+Inf`) among
 * its 32-bit counts, half the size of doubles; a count that outgrows 32 bits carries into the
 * metric. A native-only histogram has no finite bounds, so its one count is its total. With
 * `native` it also holds a {@link NativeBuckets}. Its exemplars and label set are kept by the
 * metric, by the series' slot.
 */
export class HistogramChild extends Series {
  #floats: Float64Array;
  #counts: Int32Array;
  /** Where its counts start in the page's counts, and its sum in the page's doubles (its created time follows). */
  #countsAt: number;
  #floatsAt: number;
  readonly #metric: Histogram<string>;
  readonly #native: NativeBuckets | undefined;

  /** @internal */
  get [OWNER](): Histogram<string> {
    return this.#metric;
  }

  // Functions rather than private methods: a class with private methods gives every instance a
  // field more (its brand), and there is one instance per series.
  static {
    numbersOf = (child) => ({ floats: child.#floats, counts: child.#counts, index: child.#floatsAt / SERIES_FLOATS });
    floatsOf = (child) => child.#floats;
    countsOf = (child) => child.#counts;
    countsAtOf = (child) => child.#countsAt;
    floatsAtOf = (child) => child.#floatsAt;
    nativeOf = (child) => child.#native;
    movePageOut = (child) => {
      const buckets = child.#metric.upperBounds.length + 1;
      const own = pageViews(1, buckets);
      own.floats.set(child.#floats.subarray(child.#floatsAt, child.#floatsAt + SERIES_FLOATS));
      own.counts.set(child.#counts.subarray(child.#countsAt, child.#countsAt + buckets));
      child.#floats = own.floats;
      child.#counts = own.counts;
      child.#countsAt = 0;
      child.#floatsAt = 0;
    };
    observeWithExemplar = (child, value, exemplarLabels) => {
      const metric = child.#metric;
      if (typeof value !== 'number' || (value !== value && metric.refusesNaN)) metric.rejectObservation(value);
      // Made (and checked) before anything changes: a refused exemplar leaves the series as it was.
      const exemplar = makeExemplar(`Histogram ${metric.name}`, exemplarLabels, value);
      child.observe(value);
      const exemplars = exemplarsFor(metric, child);
      if (exemplars === undefined) return;
      // The native bucket is read after observe(): a resolution reduction there changes the schema.
      const native = nativeOf(child);
      if (metric.bounds.length === 0 && native !== undefined) exemplars.keepNative(native.bucketOf(value), exemplar);
      else exemplars.keep(bucketIndexOf(metric.upperBounds, value), exemplar);
    };
    resetClassic = (child) => {
      const metric = child.#metric;
      forgetSeriesState(metric, child);
      child.#counts.fill(0, child.#countsAt, child.#countsAt + metric.upperBounds.length + 1);
      child.#floats[child.#floatsAt] = 0;
      child.#floats[child.#floatsAt + 1] = wallSeconds();
    };
  }

  /** @internal */
  constructor(slot: number, metric: Histogram<string>) {
    super(slot);
    this.#metric = metric;
    const numbers: SeriesNumbers = { floats: NO_FLOATS, counts: NO_COUNTS, index: 0 };
    metric.slots.place(numbers);
    this.#floats = numbers.floats;
    this.#counts = numbers.counts;
    // Kept rather than computed from the index at each observe(): a multiply less on the hot path.
    this.#countsAt = numbers.index * (metric.upperBounds.length + 1);
    this.#floatsAt = numbers.index * SERIES_FLOATS;
    this.#floats[this.#floatsAt + 1] = wallSeconds();
    const native = metric.nativeConfig;
    // The native histogram resets itself past its bucket limit (given minResetDurationSeconds):
    // the classic numbers beside it start over with it.
    this.#native = native === undefined ? undefined : new NativeBuckets(native, () => resetClassic(this));
  }

  /**
   * Records one observation. ±Infinity lands in the outer buckets. NaN is refused, except by a
   * native-only histogram, which counts it as the native histogram specification says (in the
   * count, in no bucket, and the sum becomes NaN). With `exemplarLabels` (`{ trace_id: 'abc' }`),
   * keeps them as the exemplar of the bucket `value` went to.
   */
  observe(value: number, exemplarLabels?: Labels): void {
    if (exemplarLabels !== undefined) {
      observeWithExemplar(this, value, exemplarLabels);
      return;
    }
    const metric = this.#metric;
    if (typeof value !== 'number' || (value !== value && metric.refusesNaN)) metric.rejectObservation(value);
    const native = this.#native;
    if (native !== undefined) {
      // Native first: if its bucket limit resets the series, the classic numbers reset before taking `value`.
      native.observe(value);
      // A native-only histogram's count and sum are its native histogram's: no classic numbers to keep.
      if (metric.nativeOnly) return;
    }
    const bounds = metric.upperBounds;
    const n = bounds.length;
    let i = 0;
    // The binary search is a function of its own: observe() stays small enough for V8 to inline
    // it, and a native histogram's observe() into it, into the caller.
    if (n <= SCAN_LIMIT) while (i < n && value > bounds[i]!) i++;
    else i = searchBounds(bounds, value);
    const counts = this.#counts;
    const at = this.#countsAt + i;
    // Int32 arithmetic; the slot is read as unsigned, so it wraps to 0 after 2^32 - 1.
    if ((counts[at] = (counts[at]! + 1) | 0) === 0) carry(metric, this, i);
    this.#floats[this.#floatsAt]! += value;
  }

  /** @internal Per-bucket (not cumulative) counts, a copy; the last is the `+Inf` bucket. */
  get counts(): Float64Array {
    const native = this.#native;
    if (native !== undefined && this.#metric.nativeOnly) return Float64Array.of(native.count);
    const buckets = this.#metric.upperBounds.length + 1;
    const carried = carriedOf(this.#metric, this);
    const counts = new Float64Array(buckets);
    const from = this.#countsAt;
    for (let i = 0; i < buckets; i++) counts[i] = (this.#counts[from + i]! >>> 0) + (carried?.[i] ?? 0);
    return counts;
  }

  /** The sum of the observations so far. */
  sum(): number {
    const native = this.#native;
    if (native !== undefined && this.#metric.nativeOnly) return native.sum;
    return this.#floats[this.#floatsAt]!;
  }

  /** The number of observations so far. */
  count(): number {
    let total = 0;
    for (const count of this.counts) total += count;
    return total;
  }

  /** A decorator (either mode) or function wrapper that records each call's duration into this series. */
  time(): MethodDecorator {
    return timeSeriesCalls('time()', recorderFor('time()', this.#metric), this);
  }

  /** Starts a timer on this series; calling (or disposing) the result records the elapsed seconds. */
  startTimer(): EndTimer<never> {
    return startSeriesTimer(recorderFor('startTimer()', this.#metric), this);
  }

  /** @internal */
  reset(): void {
    nativeOf(this)?.reset();
    resetClassic(this);
  }
}

/** The bucket `value` goes to among many bounds (the last is `+Inf`), by binary search. */
function searchBounds(bounds: Float64Array, value: number): number {
  let i = 0;
  let hi = bounds.length;
  while (i < hi) {
    const mid = (i + hi) >>> 1;
    if (value > bounds[mid]!) i = mid + 1;
    else hi = mid;
  }
  return i;
}

/** The classic bucket `value` goes to (the last is `+Inf`), for the exemplar path only. */
function bucketIndexOf(bounds: Float64Array, value: number): number {
  let i = 0;
  while (i < bounds.length && value > bounds[i]!) i++;
  return i;
}

/**
 * Counts observations into buckets, for latencies and sizes aggregated across instances.
 *
 * ```ts
 * const latency = new Histogram('request_seconds', 'Latency', ['route'], { buckets: [0.1, 0.5, 1] });
 * latency.labels('/orders').observe(0.42);
 * ```
 */
export class Histogram<L extends string = never> extends ObservingMetric<L, HistogramChild> {
  readonly type = 'histogram' as const;
  /** The finite upper bounds, ascending (`+Inf` is implied). */
  readonly bounds: readonly number[];
  /**
   * @internal The bounds again, for observe(): V8 reads a frozen array of doubles through a slow
   * path (boxed elements), ~80 ns per observe() with 11 buckets against ~15 ns from a Float64Array.
   */
  readonly upperBounds: Float64Array;
  /** @internal Every bucket's upper bound, `+Inf` last, as the snapshot gives them. */
  private readonly bucketBounds: readonly number[];
  /** @internal The pages holding the series' numbers. */
  readonly slots: SlotPages;
  /** @internal The native histogram's options resolved, or undefined without `native`. */
  readonly nativeConfig: NativeBucketsConfig | undefined;
  /**
   * @internal Whether observe() refuses NaN: a histogram with classic buckets does (no bucket
   * holds NaN, and its `_count` must stay the sum of its buckets); a native-only one counts it.
   */
  readonly refusesNaN: boolean;
  /** Whether the series have classic buckets; false for a native-only histogram. */
  private readonly classic: boolean;
  /** @internal Whether only a native histogram is kept: its count and sum are the series'. */
  readonly nativeOnly: boolean;

  /**
   * Python-style: `(name, help, labelNames?, options?)`. Returns the metric already registered
   * under this name when its definition is identical; throws when it differs.
   */
  constructor(name: string, help: string, labelNames?: readonly L[], options?: ExtraOptions<HistogramConfig<L>>);
  /** With one options object: `{ name, help, labelNames, registry, unit, ... }`. */
  constructor(config: HistogramConfig<L>);
  constructor(...args: unknown[]) {
    const { common, options } = normalizeConfig<L, HistogramConfig<L>>('Histogram', args, ['le']);
    super(common);
    this.nativeConfig = options.native === undefined ? undefined : nativeBucketsConfig(this.name, options.native);
    this.classic = this.nativeConfig === undefined || options.buckets !== undefined;
    this.refusesNaN = this.classic;
    this.nativeOnly = !this.classic;
    this.bounds = Object.freeze(validateBuckets(this.name, this.classic ? (options.buckets ?? DEFAULT_BUCKETS) : []));
    this.upperBounds = Float64Array.from(this.bounds);
    this.bucketBounds = Object.freeze([...this.bounds, Infinity]);
    this.slots = new SlotPages(this.upperBounds.length + 1);
    return this.initialize();
  }

  /**
   * Records one observation in the series without labels; with `exemplarLabels`
   * (`{ trace_id: 'abc' }`), keeps them as the exemplar of the bucket `value` went to.
   */
  override observe(value: number, exemplarLabels?: Labels): void {
    this.only().observe(value, exemplarLabels);
  }

  /** @internal */
  rejectObservation(value: unknown): never {
    throw new RangeError(`Histogram ${this.name}: observe() needs a number that is not NaN, got ${show(value)}`);
  }

  /** @internal Each series' exemplars, by slot; a series never given one has no entry. */
  #exemplars: Map<number, HistogramExemplars> | undefined;

  /**
   * @internal The counts that outgrew their 32-bit slots, per bucket, by series; kept by the child
   * (weakly: a removed series still held keeps its own) and made with the first.
   */
  #carried: WeakMap<HistogramChild, Float64Array> | undefined;

  static {
    exemplarsFor = (metric, child) => {
      const slot = slotOf(child);
      if (slot === DETACHED) return undefined;
      const all = (metric.#exemplars ??= new Map());
      let exemplars = all.get(slot);
      if (exemplars === undefined) {
        exemplars = new HistogramExemplars(metric.upperBounds.length + 1);
        all.set(slot, exemplars);
      }
      return exemplars;
    };
    carry = (metric, child, bucket) => {
      const all = (metric.#carried ??= new WeakMap());
      let carried = all.get(child);
      if (carried === undefined) {
        carried = new Float64Array(metric.upperBounds.length + 1);
        all.set(child, carried);
      }
      carried[bucket]! += COUNT_WRAP;
    };
    carriedOf = (metric, child) => metric.#carried?.get(child);
    forgetSeriesState = (metric, child) => {
      metric.#exemplars?.delete(slotOf(child));
      metric.#carried?.delete(child);
    };
  }

  /** @internal */
  protected override releaseChild(child: HistogramChild): void {
    // The exemplars go (they are by slot, which the next new series takes); carried counts stay with the child.
    this.#exemplars?.delete(slotOf(child));
    // Its slots go to the next new series: a holder of this one must not write there.
    if (this.slots.release(numbersOf(child))) movePageOut(child);
  }

  /** @internal Drops every page at once rather than series by series: a held child keeps its page to itself. */
  protected override releaseAll(): void {
    this.children.clear();
    this.slots.releaseAll();
    this.#exemplars = undefined;
  }

  /** @internal */
  protected newChild(slot: number): HistogramChild {
    return new HistogramChild(slot, this as Histogram<string>);
  }

  /** @internal */
  protected resetChild(child: HistogramChild): void {
    child.reset();
  }

  /** @internal Collects the series as rows (cumulative counts, sum, created) rather than a sample per bucket. */
  override collect(options: CollectOptions, constantLabels: Labels = NO_LABELS): MetricFamily {
    const buckets = this.upperBounds.length + 1;
    const withCreated = options.created;
    const exemplarBySlot = this.#exemplars !== undefined && this.#exemplars.size > 0 ? this.#exemplars : undefined;
    const rows: HistogramRow[] = [];
    const carriedBySeries = this.#carried;
    this.forEachSeries(constantLabels, (child, labels) => {
      const counts = countsOf(child);
      const from = countsAtOf(child);
      const floats = floatsOf(child);
      const floatsAt = floatsAtOf(child);
      // A plain array: ~70 ns per series, where a Float64Array of its own costs ~700 ns.
      const cumulative: number[] = [];
      let total = 0;
      for (let i = 0; i < buckets; i++) cumulative.push((total += counts[from + i]! >>> 0));
      const carried = carriedBySeries?.get(child);
      if (carried !== undefined) {
        total = 0;
        for (let i = 0; i < buckets; i++) cumulative[i] = total += (counts[from + i]! >>> 0) + carried[i]!;
      }
      let sum = floats[floatsAt]!;
      const created = withCreated ? floats[floatsAt + 1]! : undefined;
      const native = nativeOf(child);
      if (native !== undefined && this.nativeOnly) {
        cumulative[0] = native.count;
        sum = native.sum;
      }
      const exemplars = exemplarBySlot?.get(slotOf(child));
      if (native === undefined && exemplars === undefined) {
        rows.push({ labels, cumulative, sum, created });
        return;
      }
      const row: { -readonly [K in keyof HistogramRow]: HistogramRow[K] } = { labels, cumulative, sum, created };
      if (native !== undefined) row.native = native.point();
      if (exemplars !== undefined) {
        row.exemplars = exemplars.byBucket();
        const nativeExemplars = exemplars.native();
        if (nativeExemplars !== undefined) row.nativeExemplars = nativeExemplars;
      }
      rows.push(row);
      if (native === undefined) return;
      // Past the bucket limit with minResetDurationSeconds due: reset now that this scrape has
      // the series, so no observation goes unscraped.
      native.resetIfDue();
    });
    const histogram = { bounds: this.bucketBounds, classic: this.classic, rows };
    return new HistogramFamily(this.name, this.help, this.unit, histogram);
  }

  /** @internal */
  protected extraDefinition(): Definition {
    return this.nativeConfig === undefined
      ? { buckets: this.bounds }
      : { buckets: this.classic ? this.bounds : undefined, native: this.nativeConfig };
  }

  /** @internal */
  sampleNames(): readonly string[] {
    return [this.name, `${this.name}_bucket`, `${this.name}_count`, `${this.name}_sum`, `${this.name}_created`];
  }
}
