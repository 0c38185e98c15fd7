/** Histogram: observations counted into cumulative buckets, with their count and sum. */
import type { CollectOptions, Sample } from '../snapshot.js';
import { formatBound } from '../exposition/numbers.js';
import { show } from '../validation.js';
import { Timed, startChildTimer, startTimer, timedChild, type EndTimer, type TimedOptions } from '../decorators/timed.js';
import type { MethodDecorator } from '../decorators/method-decorator.js';
import type { LabelValues } from '../labels.js';
import { DEFAULT_BUCKETS, validateBuckets } from './buckets.js';
import { normalizeConfig, type ExtraOptions, type MetricConfig } from './config.js';
import { Metric, nowSeconds, type Definition } from './metric.js';

/** Options of a Histogram. */
export interface HistogramConfig<L extends string> extends MetricConfig<L> {
  /** Upper bounds, strictly increasing; `+Inf` is added. Default: {@link DEFAULT_BUCKETS}. */
  readonly buckets?: readonly number[];
}

/** Above this many bounds a binary search beats a scan. */
const SCAN_LIMIT = 16;

/** One histogram series. */
export class HistogramChild {
  /** @internal Per-bucket (not cumulative) counts; the last slot is the `+Inf` bucket. */
  readonly counts: Float64Array;
  /** @internal */
  sum = 0;
  /** @internal */
  created = nowSeconds();

  /** @internal */
  constructor(readonly key: string, private readonly metric: Histogram<string>) {
    this.counts = new Float64Array(metric.bounds.length + 1);
  }

  /** Records one observation. NaN is refused; ±Infinity lands in the outer buckets. */
  observe(value: number): void {
    if (typeof value !== 'number' || value !== value) this.metric.rejectObservation(value);
    const bounds = this.metric.bounds;
    const n = bounds.length;
    let i = 0;
    if (n <= SCAN_LIMIT) {
      while (i < n && value > bounds[i]!) i++;
    } else {
      let hi = n;
      while (i < hi) {
        const mid = (i + hi) >>> 1;
        if (value > bounds[mid]!) i = mid + 1;
        else hi = mid;
      }
    }
    this.counts[i]!++;
    this.sum += value;
  }

  /** The number of observations so far. */
  count(): number {
    let total = 0;
    for (const c of this.counts) total += c;
    return total;
  }

  /** A decorator (either mode) or function wrapper that records each call's duration into this series. */
  time(): MethodDecorator {
    return timedChild(this.metric, this);
  }

  /** Starts a timer on this series; calling (or disposing) the result records the elapsed seconds. */
  startTimer(): EndTimer<never> {
    return startChildTimer(this.metric, this);
  }

  /** @internal */
  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.created = nowSeconds();
  }
}

/**
 * Counts observations into buckets, for latencies and sizes aggregated across instances.
 *
 * ```ts
 * const latency = new Histogram('request_seconds', 'Latency', ['route'], { buckets: [0.1, 0.5, 1] });
 * latency.labels('/orders').observe(0.42);
 * ```
 */
export class Histogram<L extends string = string> extends Metric<L, HistogramChild> {
  readonly type = 'histogram' as const;
  /** The finite upper bounds, ascending (`+Inf` is implied). */
  readonly bounds: readonly number[];
  private readonly bucketLabels: readonly string[];
  private readonly bucketName = `${this.name}_bucket`;
  private readonly countName = `${this.name}_count`;
  private readonly sumName = `${this.name}_sum`;
  private readonly createdName = `${this.name}_created`;

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
    this.bounds = Object.freeze(validateBuckets(this.name, options.buckets ?? DEFAULT_BUCKETS));
    this.bucketLabels = [...this.bounds, Infinity].map((b) => `le="${formatBound(b)}"`);
    return this.initialize();
  }

  /** Records one observation in the histogram without labels. */
  observe(value: number): void {
    this.only().observe(value);
  }

  /**
   * Python's `@metric.time()`: a decorator (either mode) or function wrapper that records each
   * call's duration in seconds.
   */
  time(options?: TimedOptions<L>): MethodDecorator {
    return Timed(this, options);
  }

  /** Starts a timer; calling (or disposing, with `using`) the result records the elapsed seconds. */
  startTimer(labels?: Partial<LabelValues<L>>): EndTimer<L> {
    return startTimer(this, labels);
  }

  /** @internal */
  rejectObservation(value: unknown): never {
    throw new RangeError(`Histogram ${this.name}: observe() needs a number that is not NaN, got ${show(value)}`);
  }

  protected newChild(key: string): HistogramChild {
    return new HistogramChild(key, this as Histogram<string>);
  }

  protected resetChild(child: HistogramChild): void {
    child.reset();
  }

  protected collectChild(child: HistogramChild, labels: string, out: Sample[], options: CollectOptions): void {
    const counts = child.counts;
    const prefix = labels === '' ? '' : `${labels},`;
    let cumulative = 0;
    for (let i = 0; i < counts.length; i++) {
      cumulative += counts[i]!;
      out.push({ name: this.bucketName, labels: prefix + this.bucketLabels[i], value: cumulative });
    }
    out.push({ name: this.countName, labels, value: cumulative });
    out.push({ name: this.sumName, labels, value: child.sum });
    if (options.created) out.push({ name: this.createdName, labels, value: child.created });
  }

  protected extraDefinition(): Definition {
    return { buckets: this.bounds };
  }

  /** @internal */
  sampleNames(): readonly string[] {
    return [this.name, this.bucketName, this.countName, this.sumName, this.createdName];
  }
}
