/**
 * The base of every metric type: name, help and labels, the children cache, and registration.
 *
 * A metric is a family; each label set is a child (one series), found through the metric's
 * SeriesIndex by its label values, which also keeps each series' label set by the child's slot.
 * A metric without labels has exactly one child, made at construction, so it is exposed with its
 * initial value before first use.
 */
import { LabelSetBuilder, type LabelValues, type NamedLabelValues, type PositionalLabelValues } from '../labels.js';
import { defaultRegistry, type Registry } from '../registry.js';
import type { CollectOptions, Labels, MetricFamily, MetricType, Sample } from '../snapshot.js';
import { SERIES_VERSION } from '../instrument/series.js';
import { labelSetOf } from '../label-set.js';
import type { NormalizedConfig } from './config.js';
import { DETACHED, slotOf, type Series } from './series.js';
import { SeriesIndex } from './series-index.js';
import { SeriesGuard } from './series-guard.js';

/** What every child (one series) is. */
export type Child = Series;

/** The definition of a metric, compared when the same name is registered twice. */
export type Definition = Readonly<Record<string, unknown>>;

const NO_CONSTANTS: Labels = Object.freeze({});

export abstract class Metric<L extends string = string, C extends Child = Child> {
  /** The family name (a counter's without `_total`). */
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  /** OpenMetrics unit, or ''. */
  readonly unit: string;
  /** The registry this metric is registered in, or null. */
  readonly registry: Registry | null;
  /** The metric's own series limit (the `maxSeries` option), or undefined to follow the registry's. */
  readonly maxSeries: number | undefined;
  abstract readonly type: MetricType;

  /** @internal Children by label values. */
  protected readonly children: SeriesIndex<C>;
  /** @internal Makes a child for a new series in a slot (bound once: no closure per labels() call). */
  private readonly createChild = (slot: number): C => this.newChild(slot);
  /** @internal The only child of a metric without labels. */
  protected unlabeled: C | undefined;
  /** @internal */
  protected readonly keys: LabelSetBuilder;
  /** @internal Each series' labels with the registry's constant labels first, for the constants in `mergedFor`. */
  #merged = new WeakMap<Labels, Labels>();
  /** @internal */
  #mergedFor: Labels | undefined;
  /** Bumped whenever series are removed, so holders of a cached child know to look it up again. */
  #generation = 0;
  /** @internal While {@link collectSome} runs: the only children to visit. */
  #subset: Iterable<C> | undefined;

  /** @internal */
  protected constructor(config: NormalizedConfig<L>) {
    this.name = config.name;
    this.help = config.help;
    this.labelNames = Object.freeze(config.labelNames);
    this.unit = config.unit;
    this.registry = config.registry === undefined ? defaultRegistry : config.registry;
    this.keys = new LabelSetBuilder(this.name, this.labelNames);
    this.children = new SeriesIndex<C>(this.keys);
    // Every labeled metric has a guard: a registry's default limit may be set after the metric is made.
    if (this.labelNames.length > 0) {
      const guard = new SeriesGuard(
        this.name,
        this.labelNames.length,
        config.maxSeries,
        this.registry,
        this.children,
        this.createChild,
      );
      this.children.admission = guard;
    }
    this.maxSeries = config.maxSeries;
  }

  /**
   * @internal
   * Ends every leaf constructor: makes the unlabeled child, then registers. Returns the metric
   * already registered under this name with the same definition, if there is one, so that the
   * constructor hands that back instead of a duplicate.
   */
  protected initialize(): this {
    if (this.labelNames.length === 0) {
      this.unlabeled = this.children.get([], this.createChild);
    }
    return this.registry ? this.registry.registerMetric(this) : this;
  }

  /** @internal Makes the child for a new series, in `slot` (where the index keeps its label set). */
  protected abstract newChild(slot: number): C;

  /**
   * @internal Appends this child's samples to `out`, for the default {@link Metric.collect}. A type
   * that overrides collect() (a histogram collects rows) does not use it.
   */
  protected collectChild(_child: C, _labels: Labels, _out: Sample[], _options: CollectOptions): void {
    throw new Error(`Metric ${this.name}: its type overrides neither collect() nor collectChild()`);
  }

  /** @internal What must match when the same name is registered again; type, help, labels and unit are added. */
  protected abstract extraDefinition(): Definition;

  /** @internal Sample names this family exposes, for the registry's collision check. */
  abstract sampleNames(): readonly string[];

  /** @internal Resets one child to its initial state. */
  protected abstract resetChild(child: C): void;

  /**
   * @internal Every label name this family's series carry besides the registry's constant
   * labels; the registry leaves out a constant label of the same name, so that no series has a
   * label twice. Types that add labels of their own (an enum's state, an info's facts) add them.
   */
  seriesLabelNames(): readonly string[] {
    return this.labelNames;
  }

  /** @internal Called on a child removed from this metric (by remove() or clear()); it may still be held and used. */
  protected releaseChild(_child: C): void {}

  /** @internal The version of the set of series (see {@link SERIES_VERSION}). */
  [SERIES_VERSION](): number {
    return this.#generation;
  }

  /**
   * The child for a label set, given by name (`labels({ method: 'GET' })`); the same object each
   * time. A metric without labels takes no arguments and gives its only child. At the metric's
   * series limit (`maxSeries`, or its registry's `maxSeriesPerMetric`), a label set without a series
   * gives the overflow series instead, whose label values are all `__overflow__`.
   */
  labels(...values: NamedLabelValues<L>): C;
  /** The child for label values in declared order (`labels('GET', '200')`); the same object each time. */
  labels(...values: PositionalLabelValues<L>): C;
  labels(...args: unknown[]): C {
    return this.children.get(args, this.createChild);
  }

  /**
   * Removes the series of one label set (given either way `labels()` takes it). Returns whether it existed.
   * A removed child you still hold keeps working on its own, is no longer exposed, and never touches the
   * series that later takes its label set.
   */
  remove(values: LabelValues<L>): boolean;
  remove(...values: PositionalLabelValues<L>): boolean;
  remove(...args: unknown[]): boolean {
    if (this.labelNames.length === 0) {
      throw new TypeError(`Metric ${this.name} has no labels: there is no series to remove`);
    }
    const removed = this.children.find(args);
    if (removed === undefined) return false;
    this.releaseChild(removed);
    this.children.delete(args);
    // The last series gone: what the metric keeps per slot goes too, as after clear().
    if (this.children.size === 0) this.releaseAll();
    this.#generation++;
    return true;
  }

  /**
   * Removes every labeled series, giving back their memory (children you still hold work on as after
   * {@link Metric.remove}); a metric without labels is reset to its initial value instead.
   */
  clear(): void {
    if (this.unlabeled) this.resetChild(this.unlabeled);
    else this.releaseAll();
    this.#generation++;
  }

  /** @internal Removes every labeled series for clear(); a type may let go of their storage in one step instead. */
  protected releaseAll(): void {
    this.children.forEachChild((child) => this.releaseChild(child));
    this.children.clear();
  }

  /** Resets every series to its initial value, keeping the label sets. */
  reset(): void {
    this.children.forEachChild((child) => this.resetChild(child));
  }

  /** The label sets that have a series now, as objects of label values by name. */
  labelSets(): Array<Record<L, string>> {
    const names = this.labelNames;
    const sets: Array<Record<L, string>> = [];
    this.children.forEachValues((_child, values) => {
      const set = {} as Record<L, string>;
      for (let i = 0; i < names.length; i++) set[names[i]!] = values[i]!;
      sets.push(set);
    });
    return sets;
  }

  /** @internal The label set of one of this metric's series. */
  seriesLabels(series: Series): Labels {
    return this.children.labelsOf(series as C);
  }

  /** @internal The unlabeled child, or a clear error when the metric has labels. */
  only(): C {
    const child = this.unlabeled;
    if (child === undefined) {
      throw new TypeError(`Metric ${this.name} has labels [${this.labelNames.join(', ')}]: call labels(...) first`);
    }
    return child;
  }

  /**
   * @internal Collects this family. `constantLabels` are the registry's constant labels (already
   * without names this metric defines itself), which come first in every series' labels.
   */
  collect(options: CollectOptions, constantLabels: Labels = NO_CONSTANTS): MetricFamily | Promise<MetricFamily> {
    const samples: Sample[] = [];
    this.forEachSeries(constantLabels, (child, labels) => this.collectChild(child, labels, samples, options));
    return { name: this.name, help: this.help, type: this.type, unit: this.unit, samples };
  }

  /**
   * @internal Collects only the given children (without constant labels), for reporting the few
   * series a call changed without collecting the whole family. Children no longer held are skipped.
   */
  collectSome(children: Iterable<C>, options: CollectOptions): MetricFamily | Promise<MetricFamily> {
    const held: C[] = [];
    // A removed child is detached from its slot; every other child of this metric is held.
    for (const child of children) if (slotOf(child) !== DETACHED) held.push(child);
    this.#subset = held;
    try {
      return this.collect(options);
    } finally {
      this.#subset = undefined;
    }
  }

  /** @internal Calls `visit` with every child and its full labels, the constant labels first. */
  protected forEachSeries(constantLabels: Labels, visit: (child: C, labels: Labels) => void): void {
    if (this.#subset !== undefined) {
      for (const child of this.#subset) visit(child, this.children.labelsOf(child));
      return;
    }
    let hasConstants = false;
    for (const _ in constantLabels) {
      hasConstants = true;
      break;
    }
    if (!hasConstants) {
      this.children.forEach(visit);
      return;
    }
    // The merged label sets are kept between scrapes, so that formats can keep what they render of them.
    if (this.#mergedFor !== constantLabels) {
      this.#merged = new WeakMap();
      this.#mergedFor = constantLabels;
    }
    const merged = this.#merged;
    this.children.forEach((child, own) => {
      let labels = merged.get(own);
      if (labels === undefined) {
        labels = labelSetOf({ ...constantLabels, ...own });
        merged.set(own, labels);
      }
      visit(child, labels);
    });
  }

  /** @internal The whole definition, compared field by field on re-registration. */
  definition(): Definition {
    return {
      type: this.type,
      help: this.help,
      labelNames: this.labelNames,
      unit: this.unit,
      ...(this.maxSeries === undefined ? {} : { maxSeries: this.maxSeries }),
      ...this.extraDefinition(),
    };
  }
}
