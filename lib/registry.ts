/**
 * The registry: which metrics and collectors are exposed together, and the scrape-time
 * snapshot of all of them.
 */
import { ESCAPING_SCHEMES, labelNameClash, wireNames } from './exposition/names.js';
import { CHUNK_BYTES, chunksText } from './exposition/chunk-writer.js';
import {
  SLICE_BUDGET_MS,
  SlicedRender,
  nextTurn,
  wholeBodyChunkBytes,
  type ExpositionFormat,
  type RenderOptions,
  type TextExpositionFormat,
} from './exposition/render.js';
import { now } from './instrument/clock.js';
import { normalizeCollectedFamily, reservedNames, type CollectedFamily } from './collected-family.js';
import { mergeCollected, partSource } from './collected-merge.js';
import { NO_LABELS, labelValueToString } from './labels.js';
import { checkOptions } from './options.js';
import type { CollectOptions, Labels, MetricFamily, MetricType } from './snapshot.js';
import { assertLabelName, assertMaxSeries, show } from './validation.js';

export type { CollectedFamily, CollectedSample } from './collected-family.js';

/**
 * A metric as a registry holds it; every metric type (Counter, Gauge, Histogram, ...) is one.
 * Cast to the type you registered to use its series: `registry.getMetric('jobs') as Counter`.
 */
export interface RegisteredMetric {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly unit: string;
  readonly labelNames: readonly string[];
  /** Resets every series to its initial value, keeping the label sets. */
  reset(): void;
  /** @internal The whole definition, compared field by field when the name is registered again. */
  definition(): Readonly<Record<string, unknown>>;
  /** @internal Sample names the family exposes, for the collision check. */
  sampleNames(): readonly string[];
  /** @internal Label names of the family's series besides the registry's constant labels. */
  seriesLabelNames(): readonly string[];
  /** @internal Collects the family, the registry's constant labels first in every series. */
  collect(options: CollectOptions, constantLabels?: Labels): MetricFamily | Promise<MetricFamily>;
}

/** A custom collector: called at every scrape, sync or async. */
export type CollectorFunction = () => readonly CollectedFamily[] | Promise<readonly CollectedFamily[]>;
/** A custom collector object, as Python's client takes them. */
export interface CollectorObject {
  collect(): readonly CollectedFamily[] | Promise<readonly CollectedFamily[]>;
}
export type Collector = CollectorFunction | CollectorObject;

/** Options of a Registry. */
export interface RegistryOptions {
  /** Constant labels added to every series this registry exposes. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Expose `_created` samples for counters, histograms and summaries. Default false. */
  readonly created?: boolean;
  /**
   * Names the registry in the errors of a merged view ({@link Registry.merge}), e.g. `registry #2
   * (payments)`; without it, its position alone (`registry #2`).
   */
  readonly name?: string;
  /**
   * The series limit of every labeled metric made for this registry that sets no `maxSeries` of
   * its own (see {@link Registry.setMaxSeriesPerMetric}). Default: no limit.
   */
  readonly maxSeriesPerMetric?: number;
}

/** Thrown when a collector or a gauge's value function fails during a scrape; names it. */
export class CollectionError extends Error {
  constructor(
    readonly source: string,
    cause: unknown,
  ) {
    super(`Collecting ${source} failed: ${cause instanceof Error ? cause.message : show(cause)}`, { cause });
    this.name = 'CollectionError';
  }
}

/**
 * Thrown when collectors have not finished by a collection's deadline; names each of them. Their
 * calls go on, and a later collection waits for the same calls rather than starting new ones.
 */
export class CollectionTimeoutError extends Error {
  constructor(
    readonly sources: readonly string[],
    readonly timeoutMs: number,
  ) {
    super(`Collecting metrics timed out after ${timeoutMs} ms: ${sources.join(', ')} did not finish`);
    this.name = 'CollectionTimeoutError';
  }
}

/** Options of one {@link Registry.collect} call. */
export interface CollectCallOptions {
  /**
   * Milliseconds the custom collectors have to finish; past it the collection rejects with a
   * {@link CollectionTimeoutError}. Default: no deadline.
   */
  readonly timeoutMs?: number;
  /** Aborting it before the collectors are called makes the collection reject without calling them. */
  readonly signal?: AbortSignal;
}

/** Options of {@link Registry.stream}: how names are written, and the collection's deadline and signal. */
export interface StreamOptions extends RenderOptions, CollectCallOptions {}

/**
 * What makes a registry expose an aggregate of several workers instead of its own
 * metrics alone: it is given the registry's metrics (in registration order) and what its
 * collectors returned, and returns the families to expose.
 */
export interface FamilySource {
  families(
    metrics: readonly RegisteredMetric[],
    collected: readonly MetricFamily[],
    options: CollectOptions,
    constantFor: (labelNames: readonly string[]) => Labels,
  ): MetricFamily[];
}

/** The key of the registry's method that installs a {@link FamilySource}; not exported from the package. */
export const FAMILY_SOURCE = Symbol('prometric.familySource');

const RESERVED_CONSTANT_LABELS = ['le', 'quantile'];

const REGISTRY_OPTION_KEYS: ReadonlyArray<keyof RegistryOptions> = ['labels', 'created', 'name', 'maxSeriesPerMetric'];
const RENDER_OPTION_KEYS: ReadonlyArray<keyof RenderOptions> = ['escaping'];
const COLLECT_OPTION_KEYS: ReadonlyArray<keyof CollectCallOptions> = ['timeoutMs', 'signal'];
const STREAM_OPTION_KEYS: ReadonlyArray<keyof StreamOptions> = [...RENDER_OPTION_KEYS, ...COLLECT_OPTION_KEYS];

interface CollectorEntry {
  readonly collector: Collector;
  readonly name: string;
  /** The call in progress: concurrent collections share it, so a slow collector never runs twice at once. */
  pending: Promise<MetricFamily[]> | undefined;
}

/** Makes a merged view of registries; set in Registry's static block, so that only this module can. */
let viewOf: (parts: readonly Registry[]) => Registry;

/**
 * A merged view of `registries` ({@link Registry.merge}, or a server's `registry` array), after
 * checking them: a non-empty array of distinct registries. Errors name `fn`, `where` and the value.
 */
export function mergeRegistries(fn: string, where: string, registries: unknown): Registry {
  if (!Array.isArray(registries) || registries.length === 0) {
    throw new TypeError(`${fn}: ${where} must be a non-empty array of Registry, got ${show(registries)}`);
  }
  const parts: Registry[] = [];
  for (const [i, part] of registries.entries()) {
    if (!(part instanceof Registry)) throw new TypeError(`${fn}: ${where}[${i}] must be a Registry, got ${show(part)}`);
    const first = parts.indexOf(part);
    if (first >= 0) {
      throw new TypeError(`${fn}: ${where}[${i}] is the same registry as ${where}[${first}]: each may appear once`);
    }
    parts.push(part);
  }
  return viewOf(Object.freeze(parts));
}

/** A set of metrics and collectors exposed together. */
export class Registry {
  private readonly metricsByName = new Map<string, RegisteredMetric>();
  /** Every sample name in use, to the name of the family that uses it. */
  private readonly sampleOwners = new Map<string, string>();
  private readonly collectors: CollectorEntry[] = [];
  private constantLabels: Labels = NO_LABELS;
  private readonly collectOptions: CollectOptions;
  #familySource: FamilySource | undefined;
  /** Whether a collection of the metrics is under way; those that come meanwhile wait in {@link #waiting}. */
  #collecting = false;
  readonly #waiting: Array<() => void> = [];
  /** The size of the last body {@link metrics} made, by format: the size of the next one's buffer. */
  readonly #bodyBytes = new Map<ExpositionFormat, number>();
  /** The registries a merged view ({@link Registry.merge}) exposes; undefined for a registry of its own. */
  #parts: readonly Registry[] | undefined;
  /** The registry's name in a merged view's errors (`options.name`). */
  readonly name: string | undefined;
  #maxSeriesPerMetric: number | undefined;

  constructor(options: RegistryOptions = {}) {
    const given: unknown = options;
    checkOptions('Registry', given, REGISTRY_OPTION_KEYS);
    const { created, name } = given;
    if (created !== undefined && typeof created !== 'boolean') {
      throw new TypeError(`Registry: options.created must be a boolean, got ${show(created)}`);
    }
    if (name !== undefined && (typeof name !== 'string' || name === '')) {
      throw new TypeError(`Registry: options.name must be a non-empty string, got ${show(name)}`);
    }
    this.name = name;
    this.collectOptions = { created: created === true };
    if (options.labels) this.setDefaultLabels(options.labels);
    if (options.maxSeriesPerMetric !== undefined) this.setMaxSeriesPerMetric(options.maxSeriesPerMetric);
  }

  /**
   * Sets the series limit of the labeled metrics made for this registry (their `registry` option,
   * or none for the default registry) that set no `maxSeries` of their own, from their next new
   * label set on; `undefined` lifts it. Past the limit a new label set goes to the metric's one
   * `__overflow__` series, counted in `prometric_series_overflow_total{metric}`. Series already
   * made stay.
   */
  setMaxSeriesPerMetric(limit: number | undefined): void {
    this.#ownOnly('set a series limit');
    if (limit !== undefined) assertMaxSeries('Registry', 'maxSeriesPerMetric', limit);
    this.#maxSeriesPerMetric = limit;
  }

  /** The default series limit set by {@link setMaxSeriesPerMetric}, or undefined. */
  getMaxSeriesPerMetric(): number | undefined {
    return this.#maxSeriesPerMetric;
  }

  /**
   * A view of several registries, usable wherever a registry is (`metrics()`, `stream()`,
   * `collect()`, `exposeMetrics`, `metricsHandler`): it exposes the families of every registry, in
   * the order given, each with its own constant labels (and, for a registry that aggregates
   * workers, their aggregate). It holds nothing of its own, so registering a metric or collector
   * on it, or setting its constant labels, throws; register on one of its registries, and the view
   * shows it at the next collection. A name exposed by two of the registries is not merged: the
   * collection fails with a CollectionError naming both (a server answers 500).
   *
   * ```ts
   * const server = await exposeMetrics(8000, { registry: Registry.merge([appRegistry, libraryRegistry]) });
   * ```
   *
   * @throws TypeError when `registries` is not a non-empty array of distinct registries.
   */
  static merge(registries: readonly Registry[]): Registry {
    return mergeRegistries('Registry.merge', 'registries', registries);
  }

  static {
    viewOf = (parts) => {
      const view = new Registry();
      view.#parts = parts;
      return view;
    };
  }

  /** The registries a merged view ({@link Registry.merge}) exposes, in order; undefined for any other registry. */
  get mergedFrom(): readonly Registry[] | undefined {
    return this.#parts;
  }

  /** Refuses what a merged view cannot hold: it exposes its registries' metrics and nothing of its own. */
  #ownOnly(action: string): void {
    if (this.#parts === undefined) return;
    throw new TypeError(
      `Registry.merge view: cannot ${action}: a merged view holds nothing of its own; do it on one of its registries`,
    );
  }

  /**
   * A merged view's collection: every registry collected at once (each keeps its own order of
   * collections), then their families joined. A collector failing fails the whole; collectors
   * late in several registries are named together in one CollectionTimeoutError.
   */
  async #collectParts(parts: readonly Registry[], options: CollectCallOptions): Promise<MetricFamily[]> {
    const results = await Promise.allSettled(parts.map((part) => part.collect(options)));
    const failed = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
    const error = failed.find((reason) => !(reason instanceof CollectionTimeoutError));
    if (error !== undefined) throw error;
    if (failed.length > 0) {
      const late = (failed as CollectionTimeoutError[]).flatMap((timeout) => timeout.sources);
      throw new CollectionTimeoutError(late, options.timeoutMs ?? 0);
    }
    try {
      return mergeCollected(
        results.map((result, i) => ({
          source: partSource(i, parts[i]!.name),
          families: (result as PromiseFulfilledResult<MetricFamily[]>).value,
        })),
      );
    } catch (error) {
      throw new CollectionError('the merged registries', error);
    }
  }

  /**
   * @internal Registers a metric from its constructor. Returns the metric already registered
   * under the name when it is of the same class and its definition is identical; throws when
   * either differs (a subclass is another class: handing back the base-class metric would break
   * the subclass's methods).
   */
  registerMetric<M extends RegisteredMetric>(metric: M): M {
    this.#ownOnly(`register metric ${metric.name}`);
    const existing = this.metricsByName.get(metric.name);
    if (existing !== undefined) {
      if (existing === metric) return metric;
      const differences = describeDifferences(existing.definition(), metric.definition());
      if (existing.constructor !== metric.constructor) {
        const [held, given] = [className(existing), className(metric)];
        const also = differences.length === 0 ? '' : ` (${differences.join('; ')})`;
        const taken = `Metric ${metric.name} is already registered as a ${held}: a ${given} cannot take its name`;
        throw new Error(`${taken}${also}`);
      }
      if (differences.length === 0) return existing as M;
      throw new Error(
        `Metric ${metric.name} is already registered with a different definition: ${differences.join('; ')}`,
      );
    }
    const clash = labelNameClash(metric.labelNames);
    if (clash !== undefined) {
      const [a, b, scheme] = clash;
      throw new TypeError(
        `Metric ${metric.name}: label names ${show(a)} and ${show(b)} are one name to a scraper that asked for ${scheme}`,
      );
    }
    this.claimSampleNames(metric.name, [...wireNames(metric.sampleNames())]);
    this.metricsByName.set(metric.name, metric);
    return metric;
  }

  /** Registers a metric made with `registry: null` (or made for another registry too). */
  register<M extends RegisteredMetric>(metric: M): M {
    const existing = this.metricsByName.get(metric.name);
    if (existing !== undefined && existing !== metric && existing.constructor === metric.constructor) {
      throw new Error(`Metric ${metric.name} is already registered in this registry (as another object)`);
    }
    return this.registerMetric(metric);
  }

  /** Removes a metric, given as the object or its name. Returns whether it was registered. */
  unregister(metric: RegisteredMetric | string): boolean {
    const name = typeof metric === 'string' ? metric : metric.name;
    const found = this.metricsByName.get(name);
    if (found === undefined || (typeof metric !== 'string' && found !== metric)) return false;
    this.metricsByName.delete(name);
    for (const sample of wireNames(found.sampleNames())) this.sampleOwners.delete(sample);
    return true;
  }

  /**
   * Adds a custom collector, called at every scrape; it may be async. `name` is used in error
   * messages (defaults to the function's or class's name).
   */
  registerCollector(collector: Collector, name?: string): void {
    const callable =
      typeof collector === 'function' ||
      (typeof collector === 'object' && collector !== null && typeof collector.collect === 'function');
    if (!callable)
      throw new TypeError(`registerCollector: expected a function or an object with collect(), got ${show(collector)}`);
    this.#ownOnly(`register collector ${name ?? collectorName(collector)}`);
    if (this.collectors.some((c) => c.collector === collector)) {
      throw new Error(`registerCollector: collector ${name ?? collectorName(collector)} is already registered`);
    }
    this.collectors.push({ collector, name: name ?? collectorName(collector), pending: undefined });
  }

  /** Removes a custom collector. Returns whether it was registered. */
  unregisterCollector(collector: Collector): boolean {
    const i = this.collectors.findIndex((c) => c.collector === collector);
    if (i < 0) return false;
    this.collectors.splice(i, 1);
    return true;
  }

  /** The metric registered under a family name (or one of its sample names, e.g. `foo_total`). */
  getMetric(name: string): RegisteredMetric | undefined {
    if (this.#parts !== undefined) {
      for (const part of this.#parts) {
        const found = part.getMetric(name);
        if (found !== undefined) return found;
      }
      return undefined;
    }
    const owner = this.sampleOwners.get(name);
    return this.metricsByName.get(name) ?? (owner === undefined ? undefined : this.metricsByName.get(owner));
  }

  /** All registered metrics, in registration order (of a merged view: of each registry in turn). */
  getMetrics(): Array<RegisteredMetric> {
    if (this.#parts !== undefined) return this.#parts.flatMap((part) => part.getMetrics());
    return [...this.metricsByName.values()];
  }

  /** Removes every metric and collector. */
  clear(): void {
    this.#ownOnly('clear it');
    this.metricsByName.clear();
    this.sampleOwners.clear();
    this.collectors.length = 0;
  }

  /** Resets every registered metric's series to their initial values. */
  resetMetrics(): void {
    for (const part of this.#parts ?? []) part.resetMetrics();
    for (const metric of this.metricsByName.values()) metric.reset();
  }

  /** Sets the constant labels added to every series (replacing earlier ones). */
  setDefaultLabels(labels: Readonly<Record<string, string>>): void {
    this.#ownOnly('set constant labels');
    if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) {
      throw new TypeError(`Registry: constant labels must be an object, got ${show(labels)}`);
    }
    const copy: Record<string, string> = {};
    for (const [name, value] of Object.entries(labels)) {
      assertLabelName('(registry constant labels)', name);
      if (RESERVED_CONSTANT_LABELS.includes(name)) {
        throw new TypeError(`Registry: constant label ${show(name)} is reserved for histograms and summaries`);
      }
      copy[name] = labelValueToString('(registry constant labels)', name, value);
    }
    this.constantLabels = Object.freeze(copy);
  }

  /** The constant labels added to every series. */
  getDefaultLabels(): Readonly<Record<string, string>> {
    return this.constantLabels;
  }

  /**
   * Collects a snapshot of every metric and collector. A collector whose previous call has not
   * settled yet is not called again: this collection waits for that call. Each metric's family is
   * collected in one synchronous step; a large registry gives the event loop a turn between
   * families about every millisecond, and collections run one after another in call order, so a
   * collection never shows a counter lower than one that was asked for before it.
   *
   * @throws CollectionError naming the metric or collector that failed; CollectionTimeoutError
   *   naming those that had not finished by `options.timeoutMs`.
   */
  async collect(options: CollectCallOptions = {}): Promise<MetricFamily[]> {
    const { timeoutMs, signal } = validateCollectOptions(options);
    if (this.#parts !== undefined) return this.#collectParts(this.#parts, { timeoutMs, signal });
    const source = this.#familySource;
    if (source !== undefined) {
      const collected = await this.collectFromCollectors({ timeoutMs, signal });
      try {
        return source.families(this.getMetrics(), collected, this.collectOptions, (names) => this.constantFor(names));
      } catch (error) {
        throw new CollectionError('the aggregated metrics', error);
      }
    }
    const families = await this.collectMetricFamilies(signal, timeoutMs);
    families.push(...(await this.collectFromCollectors({ timeoutMs, signal })));
    return families;
  }

  /**
   * The metrics' families, in registration order. Each family is collected in one synchronous
   * step (a series is read once, and a histogram's count agrees with its buckets); between
   * families, once a slice's time budget is spent, the event loop gets a turn, so that a large
   * registry does not hold it for the whole collection. Collections take their turns one at a
   * time, in call order: a later collection never reads a series before an earlier one has, so
   * no counter a scrape shows is lower than in a scrape that started before it.
   */
  private async collectMetricFamilies(signal?: AbortSignal, timeoutMs?: number): Promise<MetricFamily[]> {
    signal?.throwIfAborted();
    if (this.#collecting) await this.#turnToCollect(signal);
    this.#collecting = true;
    try {
      const families: MetricFamily[] = [];
      let deadline = now() + SLICE_BUDGET_MS;
      for (const metric of [...this.metricsByName.values()]) {
        signal?.throwIfAborted();
        let family: MetricFamily | Promise<MetricFamily>;
        try {
          family = metric.collect(this.collectOptions, this.constantFor(metric.seriesLabelNames()));
        } catch (error) {
          throw new CollectionError(`metric ${metric.name}`, error);
        }
        families.push(family instanceof Promise ? await settledWithin(family, metric.name, timeoutMs) : family);
        if (now() >= deadline) {
          await nextTurn();
          deadline = now() + SLICE_BUDGET_MS;
        }
      }
      return families;
    } finally {
      // The next collection starts from here; the flag stays set for it.
      const next = this.#waiting.shift();
      if (next === undefined) this.#collecting = false;
      else next();
    }
  }

  /**
   * Waits until the collection before this one is done; a caller that gives up (`signal`) leaves
   * the queue at once, and the collection after it does not wait for it.
   */
  #turnToCollect(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const leave = (): void => {
        const at = this.#waiting.indexOf(turn);
        if (at >= 0) this.#waiting.splice(at, 1);
        reject(signal?.reason);
      };
      const turn = (): void => {
        signal?.removeEventListener('abort', leave);
        resolve();
      };
      this.#waiting.push(turn);
      signal?.addEventListener('abort', leave, { once: true });
    });
  }

  /**
   * @internal Makes this registry expose what `source` makes of its metrics and collectors (an
   * aggregate of several workers), or, with undefined, its own metrics again.
   */
  [FAMILY_SOURCE](source: FamilySource | undefined): void {
    this.#ownOnly('expose an aggregate of workers');
    if (source !== undefined && this.#familySource !== undefined && this.#familySource !== source) {
      throw new Error('This registry already exposes an aggregate of workers: stop that aggregation first');
    }
    this.#familySource = source;
  }

  /** @internal The custom collectors' families, their names checked against the metrics' and each other's. */
  async collectFromCollectors({ timeoutMs, signal }: CollectCallOptions = {}): Promise<MetricFamily[]> {
    const families: MetricFamily[] = [];
    if (this.collectors.length === 0) return families;
    signal?.throwIfAborted();
    const entries = [...this.collectors];
    const results = await withDeadline(
      entries.map((entry) => this.runCollector(entry)),
      entries,
      timeoutMs,
    );
    const seen = new Set(this.sampleOwners.keys());
    for (const [i, collected] of results.entries()) {
      for (const family of collected) {
        const names = reservedNames(family);
        for (const name of names) {
          if (seen.has(name)) {
            throw new CollectionError(
              `collector ${entries[i]!.name}`,
              new Error(`name ${name} is already used by another metric`),
            );
          }
        }
        for (const name of names) seen.add(name);
        families.push(family);
      }
    }
    return families;
  }

  /** The exposition body in a text format: Prometheus text 0.0.4 (the default) or OpenMetrics. */
  metrics(format?: TextExpositionFormat, options?: RenderOptions): Promise<string>;
  /**
   * The exposition body in the protobuf format, as bytes: delimited `io.prometheus.client.MetricFamily`
   * messages, to serve as `CONTENT_TYPES.protobuf`.
   */
  metrics(format: 'protobuf', options?: RenderOptions): Promise<Buffer>;
  /** The exposition body in the given format: text for the text formats, bytes for protobuf. */
  metrics(format: ExpositionFormat, options?: RenderOptions): Promise<string | Buffer>;
  async metrics(format: ExpositionFormat = 'text', options: RenderOptions = {}): Promise<string | Buffer> {
    const valid = validRenderOptions('Registry.metrics', format, options, RENDER_OPTION_KEYS);
    const chunks: Buffer[] = [];
    let nonAscii = false;
    // The body is joined anyway: rendered into chunks about the size of the last body, it
    // usually takes one allocation and no join.
    const chunkBytes = wholeBodyChunkBytes(this.#bodyBytes.get(format) ?? 0);
    for await (const chunk of this.renderStream(format, valid, chunkBytes)) {
      chunks.push(chunk.bytes);
      nonAscii ||= chunk.nonAscii;
    }
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    this.#bodyBytes.set(format, body.length);
    if (format === 'protobuf') return body;
    return chunksText([body], nonAscii);
  }

  /**
   * The exposition body in `format` (default `text`), as chunks of bytes to send as they come,
   * for bodies too large to build whole:
   * `for await (const chunk of registry.stream('openmetrics')) if (!res.write(chunk)) await drained(res)`,
   * where `drained` waits for `drain` or `close`. The registry is collected first (each family in
   * one step, as {@link Registry.collect} does), then rendered in slices of about a millisecond, each
   * followed by an event-loop turn, so that a scrape of a large registry never holds the loop for
   * long. The chunks joined are the body {@link Registry.metrics} gives, byte for byte (UTF-8 for the
   * text formats). Stopping the iteration (`break`) or aborting `options.signal` stops the render;
   * iterating the result again renders the registry again.
   *
   * @throws TypeError or RangeError, at the call, when an argument is invalid.
   * @throws CollectionError or CollectionTimeoutError from the first chunk's promise, as
   *   {@link Registry.collect} throws them; an AbortError once `options.signal` is aborted.
   */
  stream(format: ExpositionFormat = 'text', options: StreamOptions = {}): AsyncIterable<Uint8Array> {
    const valid = validRenderOptions('Registry.stream', format, options, STREAM_OPTION_KEYS) as StreamOptions;
    validateCollectOptions({ timeoutMs: valid.timeoutMs, signal: valid.signal }, 'Registry.stream');
    // Each iteration is a scrape of its own: iterating the result again renders the registry again.
    const render = (): AsyncGenerator<{ bytes: Buffer; nonAscii: boolean }> => this.renderStream(format, valid);
    return {
      async *[Symbol.asyncIterator]() {
        for await (const chunk of render()) yield chunk.bytes;
      },
    };
  }

  /** Collects, then renders in slices with an event-loop turn between them (see {@link stream}). */
  private async *renderStream(
    format: ExpositionFormat,
    options: StreamOptions,
    chunkBytes = CHUNK_BYTES,
  ): AsyncGenerator<{ bytes: Buffer; nonAscii: boolean }, void, undefined> {
    const { escaping, timeoutMs, signal } = options;
    const families = await this.collect({ timeoutMs, signal });
    signal?.throwIfAborted();
    const render = new SlicedRender(families, format, { escaping }, { chunkBytes });
    try {
      for (;;) {
        const chunks = render.slice();
        for (const bytes of chunks) {
          signal?.throwIfAborted();
          yield { bytes, nonAscii: render.nonAscii };
        }
        if (render.done) return;
        await nextTurn();
        signal?.throwIfAborted();
      }
    } finally {
      render.stop();
    }
  }

  private claimSampleNames(family: string, names: readonly string[]): void {
    for (const name of names) {
      const owner = this.sampleOwners.get(name);
      if (owner !== undefined) {
        throw new Error(`Metric ${family}: the name ${name} is already used by metric ${owner}`);
      }
    }
    for (const name of names) this.sampleOwners.set(name, family);
  }

  /** The constant label text for a family; a label the family defines itself wins. */
  private constantFor(labelNames: readonly string[]): Labels {
    const constants = this.constantLabels;
    if (!labelNames.some((n) => Object.hasOwn(constants, n))) return constants;
    return Object.freeze(Object.fromEntries(Object.entries(constants).filter(([name]) => !labelNames.includes(name))));
  }

  /** The collector's families: from its call in progress, or from a new call. */
  private runCollector(entry: CollectorEntry): Promise<MetricFamily[]> {
    if (entry.pending !== undefined) return entry.pending;
    const call = this.callCollector(entry).finally(() => {
      if (entry.pending === call) entry.pending = undefined;
    });
    entry.pending = call;
    return call;
  }

  private async callCollector(entry: CollectorEntry): Promise<MetricFamily[]> {
    try {
      const { collector } = entry;
      const collected = await (typeof collector === 'function' ? collector() : collector.collect());
      if (!Array.isArray(collected))
        throw new TypeError(`expected an array of metric families, got ${show(collected)}`);
      return collected.map((family) => normalizeCollectedFamily(family, (names) => this.constantFor(names)));
    } catch (error) {
      throw new CollectionError(`collector ${entry.name}`, error);
    }
  }
}

function validRenderOptions(method: string, format: unknown, options: unknown, keys: readonly string[]): RenderOptions {
  if (format !== 'text' && format !== 'openmetrics' && format !== 'protobuf') {
    throw new TypeError(`${method}: format must be "text", "openmetrics" or "protobuf", got ${show(format)}`);
  }
  checkOptions(method, options, keys);
  const { escaping } = options as RenderOptions;
  if (escaping !== undefined && !ESCAPING_SCHEMES.includes(escaping)) {
    throw new TypeError(
      `${method}: options.escaping must be one of ${ESCAPING_SCHEMES.join(', ')}, got ${show(escaping)}`,
    );
  }
  return options as RenderOptions;
}

function validateCollectOptions(options: unknown, method = 'Registry.collect'): CollectCallOptions {
  checkOptions(method, options, COLLECT_OPTION_KEYS);
  const { timeoutMs, signal } = options;
  if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || !(timeoutMs > 0 && timeoutMs <= MAX_TIMEOUT_MS))) {
    throw new RangeError(
      `${method}: options.timeoutMs must be a number of milliseconds from 1 to ${MAX_TIMEOUT_MS}, ` +
        `got ${show(timeoutMs)}`,
    );
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`${method}: options.signal must be an AbortSignal, got ${show(signal)}`);
  }
  return options as CollectCallOptions;
}

/** The largest delay Node's timers accept. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * All the calls' results, or a CollectionTimeoutError naming the collectors still running at the
 * deadline. A call that fails first fails the whole, as Promise.all does.
 */
function withDeadline<T>(
  calls: Array<Promise<T>>,
  entries: readonly CollectorEntry[],
  timeoutMs: number | undefined,
): Promise<T[]> {
  const all = Promise.all(calls);
  if (timeoutMs === undefined) return all;
  const settled = calls.map(() => false);
  calls.forEach((call, i) =>
    call.then(
      () => (settled[i] = true),
      () => (settled[i] = true),
    ),
  );
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const late = entries.filter((_, i) => !settled[i]).map((entry) => `collector ${entry.name}`);
      reject(new CollectionTimeoutError(late, timeoutMs));
    }, timeoutMs);
    timer.unref();
  });
  return Promise.race([all, deadline]).finally(() => clearTimeout(timer));
}

/**
 * A metric's asynchronous family (a subclass's `collect()` may return a promise), or a
 * CollectionTimeoutError naming the metric when it is not ready by `timeoutMs`: a collection never
 * holds the registry's collection turn for longer than its deadline.
 */
function settledWithin(
  family: Promise<MetricFamily>,
  name: string,
  timeoutMs: number | undefined,
): Promise<MetricFamily> {
  if (timeoutMs === undefined) return family;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CollectionTimeoutError([`metric ${name}`], timeoutMs)), timeoutMs);
    timer.unref();
  });
  return Promise.race([family, deadline]).finally(() => clearTimeout(timer));
}

/** A metric's class name for messages: `Counter`, or a subclass's own name. */
function className(metric: object): string {
  return metric.constructor.name || '(anonymous class)';
}

function collectorName(collector: Collector): string {
  if (typeof collector === 'function') return collector.name || '(anonymous collector)';
  return collector.constructor?.name && collector.constructor !== Object
    ? collector.constructor.name
    : '(anonymous collector)';
}

function describeDifferences(
  before: Readonly<Record<string, unknown>>,
  after: Readonly<Record<string, unknown>>,
): string[] {
  const differences: string[] = [];
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = JSON.stringify(before[key]);
    const b = JSON.stringify(after[key]);
    if (a !== b) differences.push(`${key} was ${a} and is now ${b}`);
  }
  return differences;
}

/** The registry metrics join unless told otherwise. */
export const defaultRegistry = new Registry();
