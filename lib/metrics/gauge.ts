/** Gauge: a value that goes up and down, set directly or read from a function at each scrape. */
import type { CollectOptions, Labels, MetricFamily } from '../snapshot.js';
import { ColumnFamily } from '../column-family.js';
import { NO_LABELS } from '../labels.js';
import { show } from '../validation.js';
import { wallSeconds } from '../instrument/clock.js';
import {
  trackCallsInFlight,
  trackSeriesCallsInFlight,
  type GaugeInProgressOptions,
} from '../instrument/gauge-in-progress.js';
import type { MethodDecorator } from '../instrument/method-decorator.js';
import {
  recorderFor,
  startMetricTimer,
  startSeriesTimer,
  timeCalls,
  timeSeriesCalls,
  type EndTimer,
  type TimedOptions,
} from '../instrument/timed.js';
import type { LabelValues } from '../labels.js';
import {
  GAUGE_AGGREGATIONS,
  normalizeConfig,
  type ExtraOptions,
  type GaugeAggregation,
  type GaugeConfig,
} from './config.js';

export type { GaugeAggregation, GaugeConfig } from './config.js';
import { Metric, type Definition } from './metric.js';
import { OWNER, Series } from './series.js';

// Set by Gauge's static block: its value functions, reachable from here but not from outside the module.
let keepFunction: (metric: Gauge<string>, child: GaugeChild, fn: () => number) => void;
let functionOf: (metric: Gauge<string>, child: GaugeChild) => (() => number) | undefined;

/**
 * One gauge series: its value changes only through its methods. A value function given with
 * setFunction() is kept by the metric, keyed by the child (few series have one).
 */
export class GaugeChild extends Series {
  #value = 0;
  readonly #metric: Gauge<string>;

  /** @internal */
  get [OWNER](): Gauge<string> {
    return this.#metric;
  }

  /** @internal */
  constructor(slot: number, metric: Gauge<string>) {
    super(slot);
    this.#metric = metric;
  }

  /** Adds `amount` (default 1). */
  inc(amount = 1): void {
    if (typeof amount !== 'number' || amount !== amount) this.#metric.rejectNumber('inc', amount);
    this.#value += amount;
  }

  /** Subtracts `amount` (default 1). */
  dec(amount = 1): void {
    if (typeof amount !== 'number' || amount !== amount) this.#metric.rejectNumber('dec', amount);
    this.#value -= amount;
  }

  /** Sets the value; any number, NaN and ±Infinity included. */
  set(value: number): void {
    if (typeof value !== 'number') this.#metric.rejectNumber('set', value);
    this.#value = value;
  }

  /** Sets the value to the current Unix time in seconds. */
  setToCurrentTime(): void {
    this.#value = wallSeconds();
  }

  /** Reads the value from `fn` at each scrape from now on (pass a function returning a number). */
  setFunction(fn: () => number): void {
    if (typeof fn !== 'function') {
      throw new TypeError(`Gauge ${this.#metric.name}: setFunction needs a function, got ${show(fn)}`);
    }
    keepFunction(this.#metric, this, fn);
  }

  /** A decorator (either mode) or function wrapper that sets this series to each call's duration in seconds. */
  time(): MethodDecorator {
    return timeSeriesCalls('time()', recorderFor('time()', this.#metric), this);
  }

  /** Starts a timer on this series; calling (or disposing) the result records the elapsed seconds. */
  startTimer(): EndTimer<never> {
    return startSeriesTimer(recorderFor('startTimer()', this.#metric), this);
  }

  /** A decorator (either mode) or function wrapper that counts calls in flight in this series. */
  trackInProgress(): MethodDecorator {
    return trackSeriesCallsInFlight(this);
  }

  /** The current value (calls the function set with `setFunction`, if any). */
  get(): number {
    const fn = functionOf(this.#metric, this);
    return fn === undefined ? this.#value : this.#metric.readFunction(fn);
  }
}

/**
 * A value that can go up and down.
 *
 * ```ts
 * const queue = new Gauge('queue_length', 'Jobs waiting');
 * queue.set(3); queue.inc(); queue.dec(2);
 * ```
 */
export class Gauge<L extends string = never> extends Metric<L, GaugeChild> {
  readonly type = 'gauge' as const;
  /** How the gauge combines across workers under multi-worker aggregation (see {@link GaugeAggregation}). */
  readonly aggregate: GaugeAggregation;

  /**
   * Python-style: `(name, help, labelNames?, options?)`. Returns the metric already registered
   * under this name when its definition is identical; throws when it differs.
   */
  constructor(name: string, help: string, labelNames?: readonly L[], options?: ExtraOptions<GaugeConfig<L>>);
  /** With one options object: `{ name, help, labelNames, registry, unit, ... }`. */
  constructor(config: GaugeConfig<L>);
  constructor(...args: unknown[]) {
    const { common, options } = normalizeConfig<L, GaugeConfig<L>>('Gauge', args);
    super(common);
    const aggregate = options.aggregate ?? 'sum';
    if (!GAUGE_AGGREGATIONS.includes(aggregate)) {
      throw new TypeError(
        `Gauge ${this.name}: aggregate must be one of ${GAUGE_AGGREGATIONS.join(', ')}, got ${show(aggregate)}`,
      );
    }
    this.aggregate = aggregate;
    return this.initialize();
  }

  /** Adds `amount` (default 1) to the gauge without labels. */
  inc(amount = 1): void {
    this.only().inc(amount);
  }

  /** Subtracts `amount` (default 1) from the gauge without labels. */
  dec(amount = 1): void {
    this.only().dec(amount);
  }

  /** Sets the gauge without labels. */
  set(value: number): void {
    this.only().set(value);
  }

  /** Sets the gauge without labels to the current Unix time in seconds. */
  setToCurrentTime(): void {
    this.only().setToCurrentTime();
  }

  /** Reads the gauge without labels from `fn` at each scrape. */
  setFunction(fn: () => number): void {
    this.only().setFunction(fn);
  }

  /** The value of the gauge without labels. */
  get(): number {
    return this.only().get();
  }

  /**
   * Python's `@metric.time()`: a decorator (either mode) or function wrapper that sets the gauge
   * to each call's duration in seconds.
   */
  time(options?: TimedOptions<L>): MethodDecorator {
    return timeCalls('@Timed', this, options);
  }

  /** Starts a timer; calling (or disposing, with `using`) the result records the elapsed seconds. */
  startTimer(labels?: Partial<LabelValues<L>>): EndTimer<L> {
    return startMetricTimer('startTimer', this, labels);
  }

  /** Python's `@gauge.track_inprogress()`: counts calls in flight (up when called, down when settled). */
  trackInProgress(options?: GaugeInProgressOptions<L>): MethodDecorator {
    return trackCallsInFlight(this, options);
  }

  /** @internal */
  rejectNumber(method: string, value: unknown): never {
    throw new TypeError(
      `Gauge ${this.name}: ${method}() needs a number${method === 'set' ? '' : ' (not NaN)'}, got ${show(value)}`,
    );
  }

  /** @internal Calls a value function, turning a bad result into an error that names the gauge. */
  readFunction(fn: () => number): number {
    const value = fn();
    if (typeof value !== 'number') {
      throw new TypeError(
        `Gauge ${this.name}: the function given to setFunction returned ${show(value)}, not a number`,
      );
    }
    return value;
  }

  /** @internal Value functions given with setFunction(), by series; made with the first. */
  #functions: WeakMap<GaugeChild, () => number> | undefined;

  static {
    keepFunction = (metric, child, fn) => {
      (metric.#functions ??= new WeakMap()).set(child, fn);
    };
    functionOf = (metric, child) => metric.#functions?.get(child);
  }

  /** @internal */
  protected newChild(slot: number): GaugeChild {
    return new GaugeChild(slot, this as Gauge<string>);
  }

  /** @internal */
  protected resetChild(child: GaugeChild): void {
    child.set(0);
  }

  /** @internal Collects the series as columns (labels, values), not a sample object each. */
  override collect(_options: CollectOptions, constantLabels: Labels = NO_LABELS): MetricFamily {
    const labels: Labels[] = [];
    const values: number[] = [];
    this.forEachSeries(constantLabels, (child, series) => {
      // Read first: a value function that throws fails the collection before anything is kept.
      values.push(child.get());
      labels.push(series);
    });
    return new ColumnFamily(this.name, this.help, 'gauge', this.unit, { labels, values });
  }

  /** @internal */
  protected extraDefinition(): Definition {
    return { aggregate: this.aggregate };
  }

  /** @internal */
  sampleNames(): readonly string[] {
    return [this.name];
  }
}
