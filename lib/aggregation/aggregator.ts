/**
 * The aggregating side: keeps each worker's last reported state, what exited workers and resets
 * left behind, and the accepted definition of each family, and makes the families a scrape
 * exposes from them and from the aggregating process's own registry. Nothing here waits on a
 * worker: a scrape reads what was last reported.
 */
import type { CollectOptions, Labels, MetricFamily, Sample } from '../snapshot.js';
import type { FamilySource, RegisteredMetric } from '../registry.js';
import { wallSeconds } from '../instrument/clock.js';
import { warn } from '../warning.js';
import { WORKER_LABEL, combineFamily, type Retired, type SourceSeries } from './combine.js';
import { definitionOf, seriesStates } from './export.js';
import { dropExpired, isReset, retire } from './retire.js';
import type { FamilyDefinition, FamilyReport, Report, SeriesState } from './report.js';

/** A worker as the aggregating process knows it. */
export interface AggregatedWorker {
  /** Its id: the cluster worker's `id`, or the thread's `threadId`, as a string. */
  readonly id: string;
  /** False once it has exited (its last counts are kept). */
  readonly alive: boolean;
  /** When its last report arrived, ms since the epoch; undefined before the first. */
  readonly reportedAt: number | undefined;
}

interface SourceFamily {
  readonly definition: FamilyDefinition;
  /** False when the definition differs from the family's accepted one: its series are left out. */
  readonly accepted: boolean;
  readonly series: Map<string, SeriesState>;
}

interface Source {
  readonly id: string;
  alive: boolean;
  reportedAt: number | undefined;
  readonly families: Map<string, SourceFamily>;
  /** Collectors' families (process and runtime metrics), as last reported. */
  readonly collected: Map<string, MetricFamily>;
}

const COLLECT_OPTIONS = { created: true };

export class Aggregator implements FamilySource {
  readonly #sources = new Map<string, Source>();
  /** Ids of exited workers whose state has been folded into #retired: later reports are stale. */
  readonly #folded = new Set<string>();
  readonly #retired = new Map<string, Map<string, Retired>>();
  /** The first definition seen of each family, in first-seen order, and whose it was. */
  readonly #accepted = new Map<string, { definition: FamilyDefinition; by: string }>();
  readonly #warned = new Set<string>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  /** Each family's series label sets, kept while the constant labels stay the same. */
  readonly #labelSets = new Map<string, { constants: Labels; byKey: Map<string, Labels> }>();

  /**
   * @param self the aggregating process's own id among the sources (its series are labeled so where shown per source)
   * @param foldAfterMs how long an exited worker's late reports are still taken before its state is folded
   */
  constructor(
    private readonly self: string,
    private readonly foldAfterMs: number,
  ) {}

  /** The workers known so far, the aggregating process left out. */
  workers(): AggregatedWorker[] {
    return [...this.#sources.values()]
      .filter((s) => s.id !== this.self)
      .map(({ id, alive, reportedAt }) => ({ id, alive, reportedAt }));
  }

  /** Takes a worker's report. */
  accept(id: string, report: Report): void {
    if (this.#folded.has(id)) return;
    const source = this.source(id);
    source.reportedAt = wallSeconds() * 1000;
    for (const family of report.families) {
      if (family.collected !== undefined) source.collected.set(family.name, family.collected);
      else if (family.gone) this.retireFamily(source, family.name);
      else this.acceptFamily(source, family);
    }
  }

  /** Notes that a worker exited: its state counts on as it was, and is folded after `foldAfterMs`. */
  exited(id: string): void {
    const source = this.source(id);
    source.alive = false;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.fold(source);
    }, this.foldAfterMs);
    timer.unref();
    this.#timers.add(timer);
  }

  /** Stops the pending folds (the aggregation is over). */
  stop(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  /** The families a scrape exposes: see {@link FamilySource}. */
  families(
    metrics: readonly RegisteredMetric[],
    collected: readonly MetricFamily[],
    options: CollectOptions,
    constantFor: (labelNames: readonly string[]) => Labels,
  ): MetricFamily[] {
    this.readOwnMetrics(metrics);
    const now = wallSeconds() * 1000;
    const families: MetricFamily[] = [];
    const names = new Set<string>();
    for (const [name, { definition }] of this.#accepted) {
      const sources: SourceSeries[] = [];
      for (const source of this.#sources.values()) {
        const family = source.families.get(name);
        if (family?.accepted) sources.push({ source: source.id, alive: source.alive, series: family.series });
      }
      const retired = this.#retired.get(name);
      if (retired !== undefined) dropExpired(retired.values(), now);
      const constants = constantFor([...definition.labelNames, WORKER_LABEL]);
      const labelSets = this.labelSetsOf(name, constants);
      const family = combineFamily({
        definition,
        sources,
        retired,
        created: options.created,
        constants,
        labelSets,
        now,
      });
      // Series gone for good leave their label sets behind: start over when they outnumber the live ones.
      const shown = family.histogram?.rows.length ?? family.samples.length;
      if (labelSets.size > 2 * shown + 64) labelSets.clear();
      families.push(family);
      names.add(name);
    }
    families.push(...this.collectedFamilies(collected, names, constantFor));
    return families;
  }

  private labelSetsOf(family: string, constants: Labels): Map<string, Labels> {
    let cached = this.#labelSets.get(family);
    if (cached === undefined || !sameLabels(cached.constants, constants)) {
      cached = { constants, byKey: new Map() };
      this.#labelSets.set(family, cached);
    }
    return cached.byKey;
  }

  /** Reads the aggregating process's own metrics as one more source, as a report of the whole registry would. */
  private readOwnMetrics(metrics: readonly RegisteredMetric[]): void {
    const source = this.source(this.self);
    const now = wallSeconds() * 1000;
    const present = new Set<string>();
    for (const metric of metrics) {
      const family = metric.collect(COLLECT_OPTIONS);
      if (family instanceof Promise) continue; // Only the built-in types are read; they are all synchronous.
      present.add(metric.name);
      const previous = source.families.get(metric.name);
      const states = seriesStates(metric, family, now).map((state) =>
        keepStamp(previous?.series.get(state.key), state),
      );
      const keys = new Set(states.map((s) => s.key));
      const removed = [...(previous?.series.keys() ?? [])].filter((key) => !keys.has(key));
      this.acceptFamily(source, { name: metric.name, definition: definitionOf(metric), series: states, removed });
    }
    for (const name of source.families.keys()) if (!present.has(name)) this.retireFamily(source, name);
  }

  private acceptFamily(source: Source, report: FamilyReport): void {
    let family = source.families.get(report.name);
    const definition = report.definition;
    if (definition !== undefined && family?.definition.definition !== definition.definition) {
      if (family !== undefined) this.retireFamily(source, report.name);
      family = { definition, accepted: this.judge(source.id, definition), series: new Map() };
      source.families.set(report.name, family);
    }
    if (family === undefined || !family.accepted) return;
    const { type } = family.definition;
    for (const state of report.series) {
      const previous = family.series.get(state.key);
      if (previous !== undefined && isReset(type, previous, state)) this.retireSeries(source, family, previous, false);
      family.series.set(state.key, state);
    }
    for (const key of report.removed ?? []) {
      const previous = family.series.get(key);
      if (previous === undefined) continue;
      this.retireSeries(source, family, previous, false);
      family.series.delete(key);
    }
  }

  /** Whether a source's definition of a family is the accepted one; warns once for each that is not. */
  private judge(id: string, definition: FamilyDefinition): boolean {
    const accepted = this.#accepted.get(definition.name);
    if (accepted === undefined) {
      this.#accepted.set(definition.name, { definition, by: id });
      return true;
    }
    if (accepted.definition.definition === definition.definition) return true;
    const warning = `${definition.name}\n${definition.definition}`;
    if (!this.#warned.has(warning)) {
      this.#warned.add(warning);
      warn(
        `Metric ${definition.name} is declared differently by ${this.describe(id)} than by ${this.describe(accepted.by)}` +
          ` (${difference(accepted.definition, definition)}): ${this.describe(id)}'s ${definition.name} is left out of the aggregate`,
      );
    }
    return false;
  }

  private describe(id: string): string {
    return id === this.self ? `the ${id}` : `worker ${id}`;
  }

  private retireSeries(source: Source, family: SourceFamily, state: SeriesState, exited: boolean): void {
    let retired = this.#retired.get(family.definition.name);
    if (retired === undefined) this.#retired.set(family.definition.name, (retired = new Map()));
    retire(retired, family.definition, source.id, state, exited);
  }

  /** A family gone from a source (unregistered, or redefined): its counts are kept. */
  private retireFamily(source: Source, name: string): void {
    const family = source.families.get(name);
    if (family === undefined) return;
    if (family.accepted) for (const state of family.series.values()) this.retireSeries(source, family, state, false);
    source.families.delete(name);
  }

  /** Folds an exited worker's last state into what exited workers left, and forgets the worker. */
  private fold(source: Source): void {
    for (const family of source.families.values()) {
      if (!family.accepted) continue;
      for (const state of family.series.values()) this.retireSeries(source, family, state, true);
    }
    this.#sources.delete(source.id);
    this.#folded.add(source.id);
  }

  private source(id: string): Source {
    let source = this.#sources.get(id);
    if (source === undefined) {
      source = { id, alive: true, reportedAt: undefined, families: new Map(), collected: new Map() };
      this.#sources.set(id, source);
    }
    return source;
  }

  /**
   * The aggregating process's collector families as they are, with each live worker's series of
   * the same families (process and runtime metrics are per process) labeled `worker`.
   */
  private collectedFamilies(
    own: readonly MetricFamily[],
    taken: ReadonlySet<string>,
    constantFor: (labelNames: readonly string[]) => Labels,
  ): MetricFamily[] {
    const byName = new Map<string, { family: MetricFamily; samples: Sample[] }>();
    for (const family of own) byName.set(family.name, { family, samples: [...family.samples] });
    for (const source of this.#sources.values()) {
      if (!source.alive || source.id === this.self) continue;
      for (const family of source.collected.values()) {
        if (taken.has(family.name)) continue;
        let entry = byName.get(family.name);
        if (entry === undefined) byName.set(family.name, (entry = { family, samples: [] }));
        if (entry.family.type !== family.type) continue;
        const constants = constantFor([WORKER_LABEL]);
        for (const s of family.samples) {
          entry.samples.push({ ...s, labels: { ...constants, ...s.labels, [WORKER_LABEL]: source.id } });
        }
      }
    }
    return [...byName.values()].map(({ family, samples }) => ({
      name: family.name,
      help: family.help,
      type: family.type,
      unit: family.unit,
      samples,
    }));
  }
}

function sameLabels(a: Labels, b: Labels): boolean {
  if (a === b) return true;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/** A gauge keeps the time its value was set while the value stays the same. */
function keepStamp(previous: SeriesState | undefined, state: SeriesState): SeriesState {
  if (previous === undefined || !('changedAt' in previous) || !('changedAt' in state)) return state;
  return previous.value === state.value ? { ...state, changedAt: previous.changedAt } : state;
}

/** What differs between two definitions of a family, for the warning. */
function difference(a: FamilyDefinition, b: FamilyDefinition): string {
  if (a.type !== b.type) return `a ${b.type}, not a ${a.type}`;
  if (JSON.stringify(a.labelNames) !== JSON.stringify(b.labelNames)) {
    return `labels [${b.labelNames.join(', ')}], not [${a.labelNames.join(', ')}]`;
  }
  const before = JSON.parse(a.definition) as Record<string, unknown>;
  const after = JSON.parse(b.definition) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const differing = keys.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  return differing.map((k) => `${k} ${JSON.stringify(after[k])}, not ${JSON.stringify(before[k])}`).join('; ');
}
