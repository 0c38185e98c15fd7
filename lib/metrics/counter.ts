/** Counter: a value that only goes up (and resets to 0 when the process restarts). */
import type { CollectOptions, Exemplar, Labels, MetricFamily } from '../snapshot.js';
import { ColumnFamily } from '../column-family.js';
import { NO_LABELS } from '../labels.js';
import { show } from '../validation.js';
import { wallSeconds } from '../instrument/clock.js';
import {
  countCallErrors,
  countSeriesErrors,
  type CountExceptionsOptions,
  type ErrorClass,
} from '../instrument/count-exceptions.js';
import type { MethodDecorator } from '../instrument/method-decorator.js';
import { normalizeConfig, type ExtraOptions, type CounterConfig } from './config.js';

export type { CounterConfig } from './config.js';
import { Metric, type Definition } from './metric.js';
import { DETACHED, OWNER, Series, slotOf } from './series.js';
import { SlotNumbers } from './slot-numbers.js';
import { makeExemplar } from './exemplar.js';

/** inc() with an exemplar: a call of its own, so that a plain inc() stays small enough to inline. */
let incWithExemplar: (child: CounterChild, amount: number, exemplarLabels: Labels) => void;
// Set by Counter's static block: its per-series state, reachable from here but not from outside the module.
let keepExemplar: (metric: Counter<string>, child: CounterChild, exemplar: Exemplar) => void;
let restart: (metric: Counter<string>, child: CounterChild) => void;

/**
 * One counter series: its value changes only through inc() and reset(). The child holds its value
 * (a small integer stays unboxed in the object) and its metric; the metric keeps the rest by the
 * series' slot: its created time, its exemplar and its label set.
 */
export class CounterChild extends Series {
  #value = 0;
  readonly #metric: Counter<string>;

  /** @internal */
  get [OWNER](): Counter<string> {
    return this.#metric;
  }

  // Functions rather than private methods: a class with private methods gives every instance a
  // field more (its brand), and there is one instance per series.
  static {
    incWithExemplar = (child, amount, exemplarLabels) => {
      const metric = child.#metric;
      if (typeof amount !== 'number' || !(amount >= 0 && amount < Infinity)) metric.rejectIncrement(amount);
      // Made (and checked) before anything changes: a refused exemplar leaves the series as it was.
      const exemplar = makeExemplar(`Counter ${metric.name}`, exemplarLabels, amount);
      child.#value += amount;
      keepExemplar(metric, child, exemplar);
    };
  }

  /** @internal */
  constructor(slot: number, metric: Counter<string>) {
    super(slot);
    this.#metric = metric;
  }

  /**
   * Adds `amount` (default 1); it must be finite and >= 0. With `exemplarLabels`
   * (`{ trace_id: 'abc' }`), keeps them as the series' exemplar, its value the increment.
   */
  inc(amount = 1, exemplarLabels?: Labels): void {
    if (exemplarLabels !== undefined) {
      incWithExemplar(this, amount, exemplarLabels);
      return;
    }
    if (typeof amount !== 'number' || !(amount >= 0 && amount < Infinity)) this.#metric.rejectIncrement(amount);
    this.#value += amount;
  }

  /** The current value. */
  get(): number {
    return this.#value;
  }

  /** A decorator (either mode) or function wrapper that counts errors thrown into this series. */
  countExceptions(...only: ErrorClass[]): MethodDecorator {
    return countSeriesErrors(this, only.length > 0 ? only : undefined, this.#metric.name);
  }

  /** Sets the series back to 0, as when a logical process restarts inside this one. */
  reset(): void {
    this.#value = 0;
    restart(this.#metric, this);
  }
}

/**
 * A monotonically increasing counter, exposed as `<name>_total`.
 *
 * ```ts
 * const requests = new Counter('http_requests', 'Requests served', ['method', 'status']);
 * requests.labels({ method: 'GET', status: '200' }).inc();
 * ```
 */
export class Counter<L extends string = never> extends Metric<L, CounterChild> {
  readonly type = 'counter' as const;

  /**
   * Python-style: `(name, help, labelNames?, options?)`. Returns the metric already registered
   * under this name when its definition is identical; throws when it differs.
   */
  constructor(name: string, help: string, labelNames?: readonly L[], options?: ExtraOptions<CounterConfig<L>>);
  /** With one options object: `{ name, help, labelNames, registry, unit, ... }`. */
  constructor(config: CounterConfig<L>);
  constructor(...args: unknown[]) {
    // As Python's client: a `_total` given in the name belongs to the sample, not the family.
    super(normalizeConfig<L, CounterConfig<L>>('Counter', args, [], '_total').common);
    return this.initialize();
  }

  /** Adds `amount` (default 1) to the counter without labels, with an exemplar when `exemplarLabels` are given. */
  inc(amount = 1, exemplarLabels?: Labels): void {
    this.only().inc(amount, exemplarLabels);
  }

  /** The value of the counter without labels. */
  get(): number {
    return this.only().get();
  }

  /**
   * Python's `@counter.count_exceptions()`: counts errors the method throws or its promise
   * rejects with; `countExceptions(TimeoutError)` counts only those, `countExceptions({ only, labels })` also sets labels.
   */
  countExceptions(...args: ErrorClass[] | [CountExceptionsOptions<L>]): MethodDecorator {
    const first = args[0];
    if (typeof first === 'object' && first !== null) return countCallErrors(this, first as CountExceptionsOptions<L>);
    return countCallErrors(this, args.length > 0 ? { only: args as ErrorClass[] } : {});
  }

  /** @internal Throws the RangeError for a bad increment (kept out of the inlined hot path). */
  rejectIncrement(amount: unknown): never {
    throw new RangeError(`Counter ${this.name}: increment must be a finite number >= 0, got ${show(amount)}`);
  }

  /** @internal Each series' created time (seconds since the epoch), by slot. */
  readonly #created = new SlotNumbers();
  /** @internal Each series' last exemplar, by slot; made with the first exemplar. */
  #exemplars: Map<number, Exemplar> | undefined;

  /** @internal */
  protected newChild(slot: number): CounterChild {
    this.#created.set(slot, wallSeconds());
    return new CounterChild(slot, this as Counter<string>);
  }

  static {
    // Keeps a series' exemplar (a removed series' goes nowhere: it is not exposed).
    keepExemplar = (metric, child, exemplar) => {
      const slot = slotOf(child);
      if (slot !== DETACHED) (metric.#exemplars ??= new Map()).set(slot, exemplar);
    };
    // A series reset: created now, no exemplar.
    restart = (metric, child) => {
      const slot = slotOf(child);
      if (slot === DETACHED) return;
      metric.#created.set(slot, wallSeconds());
      metric.#exemplars?.delete(slot);
    };
  }

  /** @internal */
  protected resetChild(child: CounterChild): void {
    child.reset();
  }

  /** @internal Its slot goes to the next new series: the exemplar must not go with it. */
  protected override releaseChild(child: CounterChild): void {
    this.#exemplars?.delete(slotOf(child));
  }

  /** @internal */
  protected override releaseAll(): void {
    this.children.clear();
    this.#exemplars = undefined;
    this.#created.clear();
  }

  /** @internal Collects the series as columns (labels, values, created), not a sample object each. */
  override collect(options: CollectOptions, constantLabels: Labels = NO_LABELS): MetricFamily {
    const labels: Labels[] = [];
    const values: number[] = [];
    const created: number[] | undefined = options.created ? [] : undefined;
    const kept = this.#created;
    const exemplarBySlot = this.#exemplars !== undefined && this.#exemplars.size > 0 ? this.#exemplars : undefined;
    // Slots in series order, only when some series has an exemplar (kept small: V8 inlines it into the walk).
    const slots: number[] | undefined = exemplarBySlot === undefined ? undefined : [];
    this.forEachSeries(constantLabels, (child, series) => {
      labels.push(series);
      values.push(child.get());
      if (created !== undefined || slots !== undefined) {
        const slot = slotOf(child);
        created?.push(kept.get(slot));
        slots?.push(slot);
      }
    });
    const found = slots?.map((slot) => exemplarBySlot!.get(slot));
    const exemplars = found?.some((exemplar) => exemplar !== undefined) ? found : undefined;
    const columns = { labels, values, ...(created && { created }), ...(exemplars && { exemplars }) };
    return new ColumnFamily(this.name, this.help, 'counter', this.unit, columns);
  }

  /** @internal */
  protected extraDefinition(): Definition {
    return {};
  }

  /** @internal */
  sampleNames(): readonly string[] {
    return [this.name, `${this.name}_total`, `${this.name}_created`];
  }
}
