/**
 * A log-bucketed quantile sketch (the idea of DDSketch): each observation is counted in the
 * bucket `ceil(log_gamma |v|)`, and a quantile is answered with its bucket's midpoint.
 *
 * Error bound: for observations with 1e-9 <= |v| <= 1e15 every quantile estimate lies within
 * `relativeError` (default 1%) of the true observation at that rank. Values nearer to zero count
 * as 0 (absolute error below 1e-9); larger ones share the top bucket, and estimates are clamped
 * to the observed min and max. So a sketch holds at most ~2 * ln(1e24) / ln(gamma) buckets
 * (about 5,600 at 1%) whatever it is fed: bounded memory, usually a few hundred entries.
 */

const MIN_MAGNITUDE = 1e-9;
const MAX_MAGNITUDE = 1e15;

/** Shared, precomputed parameters of sketches with the same relative error. */
export class SketchMapping {
  readonly gamma: number;
  private readonly invLogGamma: number;
  private readonly maxIndex: number;

  constructor(readonly relativeError: number) {
    this.gamma = (1 + relativeError) / (1 - relativeError);
    this.invLogGamma = 1 / Math.log(this.gamma);
    this.maxIndex = Math.ceil(Math.log(MAX_MAGNITUDE) * this.invLogGamma);
  }

  /** The bucket of a magnitude >= MIN_MAGNITUDE. */
  index(magnitude: number): number {
    const i = Math.ceil(Math.log(magnitude) * this.invLogGamma);
    return Math.min(i, this.maxIndex);
  }

  /** The value that represents a bucket: within relativeError of anything in it. */
  value(index: number): number {
    return (2 * this.gamma ** index) / (this.gamma + 1);
  }
}

/**
 * A sketch as plain data, to send to another process or thread: buckets as flat
 * `[index, count, index, count, ...]` arrays.
 */
export interface SketchData {
  readonly positive: readonly number[];
  readonly negative: readonly number[];
  readonly zero: number;
  readonly positiveInfinity: number;
  readonly negativeInfinity: number;
  readonly count: number;
  readonly min: number;
  readonly max: number;
}

/** Counts of one time slice of observations. */
export class QuantileSketch {
  /** Bucket index to count, for positive and (by magnitude) negative values. */
  readonly positive = new Map<number, number>();
  readonly negative = new Map<number, number>();
  zero = 0;
  /** Observations of +Inf and -Inf, kept apart: a bucket would answer a finite value for them. */
  positiveInfinity = 0;
  negativeInfinity = 0;
  count = 0;
  min = Infinity;
  max = -Infinity;

  constructor(private readonly mapping: SketchMapping) {}

  add(value: number): void {
    this.count++;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (value === Infinity) {
      this.positiveInfinity++;
    } else if (value === -Infinity) {
      this.negativeInfinity++;
    } else if (value >= MIN_MAGNITUDE) {
      const i = this.mapping.index(value);
      this.positive.set(i, (this.positive.get(i) ?? 0) + 1);
    } else if (value <= -MIN_MAGNITUDE) {
      const i = this.mapping.index(-value);
      this.negative.set(i, (this.negative.get(i) ?? 0) + 1);
    } else {
      this.zero++;
    }
  }

  /** This sketch as plain data. */
  toData(): SketchData {
    return {
      positive: flatten(this.positive),
      negative: flatten(this.negative),
      zero: this.zero,
      positiveInfinity: this.positiveInfinity,
      negativeInfinity: this.negativeInfinity,
      count: this.count,
      // JSON has no Infinity: an empty sketch's min and max travel as null otherwise.
      min: this.count === 0 ? 0 : this.min,
      max: this.count === 0 ? 0 : this.max,
    };
  }

  /** A sketch holding `data` (made by {@link toData} with the same mapping). */
  static fromData(mapping: SketchMapping, data: SketchData): QuantileSketch {
    const sketch = new QuantileSketch(mapping);
    unflatten(data.positive, sketch.positive);
    unflatten(data.negative, sketch.negative);
    sketch.zero = data.zero;
    sketch.positiveInfinity = data.positiveInfinity;
    sketch.negativeInfinity = data.negativeInfinity;
    sketch.count = data.count;
    if (data.count > 0) {
      sketch.min = data.min;
      sketch.max = data.max;
    }
    return sketch;
  }

  clear(): void {
    this.positive.clear();
    this.negative.clear();
    this.zero = 0;
    this.positiveInfinity = 0;
    this.negativeInfinity = 0;
    this.count = 0;
    this.min = Infinity;
    this.max = -Infinity;
  }
}

function flatten(buckets: ReadonlyMap<number, number>): number[] {
  const flat: number[] = [];
  for (const [index, count] of buckets) flat.push(index, count);
  return flat;
}

function unflatten(flat: readonly number[], into: Map<number, number>): void {
  for (let i = 0; i + 1 < flat.length; i += 2) into.set(flat[i]!, (into.get(flat[i]!) ?? 0) + flat[i + 1]!);
}

/** Answers quantiles (each in [0, 1]) over several sketches together; NaN when they are empty. */
export function mergedQuantiles(
  mapping: SketchMapping,
  sketches: readonly QuantileSketch[],
  quantiles: readonly number[],
): number[] {
  let count = 0;
  let zero = 0;
  let positiveInfinity = 0;
  let negativeInfinity = 0;
  let min = Infinity;
  let max = -Infinity;
  const positive = new Map<number, number>();
  const negative = new Map<number, number>();
  for (const s of sketches) {
    count += s.count;
    zero += s.zero;
    positiveInfinity += s.positiveInfinity;
    negativeInfinity += s.negativeInfinity;
    if (s.min < min) min = s.min;
    if (s.max > max) max = s.max;
    for (const [i, c] of s.positive) positive.set(i, (positive.get(i) ?? 0) + c);
    for (const [i, c] of s.negative) negative.set(i, (negative.get(i) ?? 0) + c);
  }
  if (count === 0) return quantiles.map(() => NaN);

  // Buckets in ascending order of value: negatives by falling magnitude, zero, positives.
  const order: Array<[value: number, count: number]> = [];
  if (negativeInfinity > 0) order.push([-Infinity, negativeInfinity]);
  for (const i of [...negative.keys()].sort((a, b) => b - a)) order.push([-mapping.value(i), negative.get(i)!]);
  if (zero > 0) order.push([0, zero]);
  for (const i of [...positive.keys()].sort((a, b) => a - b)) order.push([mapping.value(i), positive.get(i)!]);
  if (positiveInfinity > 0) order.push([Infinity, positiveInfinity]);

  return quantiles.map((q) => {
    if (q === 0) return min;
    if (q === 1) return max;
    const rank = q * (count - 1);
    let seen = 0;
    for (const [value, c] of order) {
      seen += c;
      if (seen > rank) return Math.min(max, Math.max(min, value));
    }
    return max;
  });
}
