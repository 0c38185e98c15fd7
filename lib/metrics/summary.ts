/**
 * Summary: the count and sum of observations (as Python's client exposes them), and optionally
 * quantiles over a sliding time window.
 */
import type { CollectOptions, Labels, Sample } from '../snapshot.js';
import { formatBound } from '../bounds.js';
import { show } from '../validation.js';
import { wallSeconds } from '../instrument/clock.js';
import type { MethodDecorator } from '../instrument/method-decorator.js';
import { recorderFor, startSeriesTimer, timeSeriesCalls, type EndTimer } from '../instrument/timed.js';
import { normalizeConfig, type ExtraOptions, type SummaryConfig } from './config.js';

export type { SummaryConfig } from './config.js';
import type { Definition } from './metric.js';
import { OWNER, Series } from './series.js';
import { ObservingMetric } from './observing-metric.js';
import { SketchMapping } from './quantile-sketch.js';
import { QuantileWindow, type WindowSlice } from './quantile-window.js';

/** A series' state, for collecting (private to this module). */
let stateOf: (child: SummaryChild) => {
  count: number;
  sum: number;
  created: number;
  window: QuantileWindow | undefined;
};

/** @internal The quantile window of a series as data, for multi-worker reporting; undefined without quantiles. */
export function windowSlicesOf(child: SummaryChild): WindowSlice[] | undefined {
  return stateOf(child).window?.slices();
}

/** One summary series: its numbers change only through observe() and reset(). */
export class SummaryChild extends Series {
  #count = 0;
  #sum = 0;
  #created = wallSeconds();
  /** Present when the summary has quantiles. */
  readonly #window: QuantileWindow | undefined;
  readonly #metric: Summary<string>;

  /** @internal */
  get [OWNER](): Summary<string> {
    return this.#metric;
  }

  static {
    stateOf = (child) => ({ count: child.#count, sum: child.#sum, created: child.#created, window: child.#window });
  }

  /** @internal */
  constructor(slot: number, metric: Summary<string>) {
    super(slot);
    this.#metric = metric;
    this.#window = metric.newWindow();
  }

  /** Records one observation. NaN is refused. */
  observe(value: number): void {
    if (typeof value !== 'number' || value !== value) this.#metric.rejectObservation(value);
    this.#count++;
    this.#sum += value;
    if (this.#window !== undefined) this.#window.add(value);
  }

  /** The number of observations so far. */
  count(): number {
    return this.#count;
  }

  /** The sum of the observations so far. */
  sum(): number {
    return this.#sum;
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
    this.#count = 0;
    this.#sum = 0;
    this.#created = wallSeconds();
    this.#window?.clear();
  }
}

function checkNumber(metric: string, option: string, value: unknown, ok: (n: number) => boolean, rule: string): void {
  if (typeof value !== 'number' || !ok(value)) {
    throw new RangeError(`Summary ${metric}: ${option} must be ${rule}, got ${show(value)}`);
  }
}

/**
 * Tracks the count and sum of observations, and optionally quantiles over a sliding window.
 * Observations may be any number but NaN. OpenMetrics forbids negative quantile values and a
 * negative or NaN sum, so its output leaves those samples out (see exposition/openmetrics.ts);
 * the text format 0.0.4 shows them.
 *
 * ```ts
 * const REQUEST_TIME = new Summary('request_processing_seconds', 'Time spent processing request');
 * REQUEST_TIME.observe(0.12);
 * ```
 */
export class Summary<L extends string = never> extends ObservingMetric<L, SummaryChild> {
  readonly type = 'summary' as const;
  readonly percentiles: readonly number[];
  readonly maxAgeSeconds: number;
  readonly ageBuckets: number;
  readonly quantileError: number;
  /** @internal */
  private readonly mapping: SketchMapping | undefined;
  /** @internal Each percentile as its `quantile` label value. */
  private readonly quantileLabels: readonly string[];
  /** @internal */
  private readonly countName = `${this.name}_count`;
  /** @internal */
  private readonly sumName = `${this.name}_sum`;
  /** @internal */
  private readonly createdName = `${this.name}_created`;

  /**
   * Python-style: `(name, help, labelNames?, options?)`. Returns the metric already registered
   * under this name when its definition is identical; throws when it differs.
   */
  constructor(name: string, help: string, labelNames?: readonly L[], options?: ExtraOptions<SummaryConfig<L>>);
  /** With one options object: `{ name, help, labelNames, registry, unit, ... }`. */
  constructor(config: SummaryConfig<L>);
  constructor(...args: unknown[]) {
    const { common, options } = normalizeConfig<L, SummaryConfig<L>>('Summary', args, ['quantile']);
    super(common);
    const percentiles = options.percentiles ?? [];
    if (!Array.isArray(percentiles))
      throw new TypeError(`Summary ${this.name}: percentiles must be an array, got ${show(percentiles)}`);
    percentiles.forEach((q, i) => {
      checkNumber(this.name, `percentiles[${i}]`, q, (n) => n >= 0 && n <= 1, 'a number in [0, 1]');
      if (percentiles.indexOf(q) !== i)
        throw new RangeError(`Summary ${this.name}: percentile ${show(q)} is given twice`);
    });
    const maxAge = options.maxAgeSeconds ?? 600;
    checkNumber(this.name, 'maxAgeSeconds', maxAge, (n) => n > 0 && Number.isFinite(n), 'a finite number > 0');
    const ageBuckets = options.ageBuckets ?? 5;
    checkNumber(
      this.name,
      'ageBuckets',
      ageBuckets,
      (n) => Number.isInteger(n) && n >= 1 && n <= 1000,
      'an integer in [1, 1000]',
    );
    const quantileError = options.quantileError ?? 0.01;
    checkNumber(this.name, 'quantileError', quantileError, (n) => n > 0 && n < 0.5, 'a number in (0, 0.5)');
    this.percentiles = Object.freeze([...percentiles].sort((a, b) => a - b));
    this.maxAgeSeconds = maxAge;
    this.ageBuckets = ageBuckets;
    this.quantileError = quantileError;
    this.mapping = this.percentiles.length > 0 ? new SketchMapping(quantileError) : undefined;
    this.quantileLabels = this.percentiles.map(formatBound);
    return this.initialize();
  }

  /** @internal */
  newWindow(): QuantileWindow | undefined {
    return this.mapping && new QuantileWindow(this.mapping, this.maxAgeSeconds, this.ageBuckets);
  }

  /** @internal */
  rejectObservation(value: unknown): never {
    throw new RangeError(`Summary ${this.name}: observe() needs a number that is not NaN, got ${show(value)}`);
  }

  /** @internal */
  protected newChild(slot: number): SummaryChild {
    return new SummaryChild(slot, this as Summary<string>);
  }

  /** @internal */
  protected resetChild(child: SummaryChild): void {
    child.reset();
  }

  /** @internal */
  protected override collectChild(child: SummaryChild, labels: Labels, out: Sample[], options: CollectOptions): void {
    const { count, sum, created, window } = stateOf(child);
    if (window !== undefined) {
      const values = window.quantiles(this.percentiles);
      for (let i = 0; i < values.length; i++) {
        out.push({ name: this.name, labels: { ...labels, quantile: this.quantileLabels[i]! }, value: values[i]! });
      }
    }
    out.push({ name: this.countName, labels, value: count });
    out.push({ name: this.sumName, labels, value: sum });
    if (options.created) out.push({ name: this.createdName, labels, value: created });
  }

  /** @internal */
  protected extraDefinition(): Definition {
    return {
      percentiles: this.percentiles,
      maxAgeSeconds: this.maxAgeSeconds,
      ageBuckets: this.ageBuckets,
      quantileError: this.quantileError,
    };
  }

  /** @internal */
  sampleNames(): readonly string[] {
    return [this.name, this.countName, this.sumName, this.createdName];
  }
}
