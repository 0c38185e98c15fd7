/**
 * The worker's side: sends what changed in its registry to the aggregating process, so that a
 * scrape there never waits on this worker.
 *
 * - Every `intervalMs`, the whole registry is compared with what was last sent, and only what
 *   changed goes out (nothing at all when nothing changed): removed series, resets, value
 *   functions and collectors' families travel this way.
 * - With `eager` (the default), the series written during a synchronous run (an inc(), an
 *   observe(), what a decorated call recorded) are sent when that run ends, in one message (a
 *   microtask); and when a decorated async call settles, what it wrote leaves at once, before the
 *   awaiting caller resumes (settled.ts). So a worker killed right after answering a request it
 *   handled in a decorated method has already reported what it counted for it.
 *
 * Metric states are read and sent in one synchronous step, so reports leave in the order the
 * states were read; collectors' families (the process and runtime metrics) follow separately.
 */
import type { Registry, RegisteredMetric } from '../registry.js';
import { NO_LABELS } from '../labels.js';
import { wallSeconds } from '../instrument/clock.js';
import { Metric } from '../metrics/metric.js';
import { OWNER } from '../metrics/series.js';
import type { MetricFamily } from '../snapshot.js';
import { definitionOf, fingerprint, seriesStates } from './export.js';
import { listenToSettled } from '../instrument/settled.js';
import { forgetLastWrite, trackWrites } from './track-writes.js';
import type { FamilyReport, Report, SeriesState } from './report.js';

const COLLECT_OPTIONS = { created: true };

/** What was last sent of one family. */
interface SentFamily {
  definition: string;
  /** Each series' fingerprint (export.ts) as last sent, to tell what changed. */
  readonly fingerprints: Map<string, string>;
}

export class Reporter {
  readonly #sent = new Map<string, SentFamily>();
  /** Series written since the last microtask. */
  readonly #touched = new Set<object>();
  #stopTracking: (() => void) | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #collecting = false;

  constructor(
    private readonly registry: Registry,
    private readonly send: (report: Report) => void,
    private readonly intervalMs: number,
    private readonly eager: boolean,
  ) {}

  /** Starts the periodic reports and, when eager, the reports of each run's writes. */
  start(): void {
    this.#timer = setInterval(() => void this.reportAll(), this.intervalMs);
    this.#timer.unref();
    if (this.eager) {
      this.#stopTracking = trackWrites((series) => this.touched(series));
      // A decorated async call's writes leave before its caller resumes, not a microtask later.
      listenToSettled(() => this.reportTouched());
    }
    // The first report says which families exist, before any change.
    void this.reportAll();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#stopTracking?.();
    this.#stopTracking = undefined;
    if (this.eager) listenToSettled(undefined);
  }

  /** Sends every change of the registry's metrics now, synchronously; collectors follow asynchronously. */
  async reportAll(): Promise<void> {
    this.reportMetrics();
    if (this.#collecting) return;
    this.#collecting = true;
    try {
      await this.reportCollected();
    } finally {
      this.#collecting = false;
    }
  }

  /** Sends the changes of every registered metric, synchronously. */
  reportMetrics(): void {
    const now = wallSeconds() * 1000;
    const families: FamilyReport[] = [];
    const present = new Set<string>();
    for (const metric of this.registry.getMetrics()) {
      present.add(metric.name);
      const family = metric.collect(COLLECT_OPTIONS, NO_LABELS);
      // Only our own types are sync; an async one is left to the collectors' report's order.
      if (family instanceof Promise) continue;
      const changes = this.changes(metric, family, now, true);
      if (changes !== undefined) families.push(changes);
    }
    for (const [name, sent] of this.#sent) {
      if (present.has(name) || sent.definition === COLLECTED) continue;
      this.#sent.delete(name);
      families.push({ name, series: [], gone: true });
    }
    if (families.length > 0) this.send({ families });
  }

  private async reportCollected(): Promise<void> {
    let collected: MetricFamily[];
    try {
      collected = await this.registry.collectFromCollectors();
    } catch {
      return; // A failing collector fails the scrape where it runs, not this worker.
    }
    const families: FamilyReport[] = [];
    for (const family of collected) {
      const fingerprint = JSON.stringify(family, finite);
      const sent = this.#sent.get(family.name);
      if (sent?.fingerprints.get('') === fingerprint) continue;
      this.#sent.set(family.name, {
        definition: COLLECTED,
        fingerprints: new Map([['', fingerprint]]),
      });
      families.push({ name: family.name, series: [], collected: plainFamily(family) });
    }
    if (families.length > 0) this.send({ families });
  }

  /** Notes a written series; the first one since the last report schedules one. */
  private touched(series: object): void {
    if (this.#touched.size === 0) queueMicrotask(() => this.reportTouched());
    this.#touched.add(series);
  }

  private reportTouched(): void {
    if (this.#touched.size === 0) return;
    const byMetric = new Map<Metric, object[]>();
    for (const series of this.#touched) {
      const metric = (series as { [OWNER]?: unknown })[OWNER];
      if (!(metric instanceof Metric) || this.registry.getMetric(metric.name) !== metric) continue;
      const children = byMetric.get(metric);
      if (children === undefined) byMetric.set(metric, [series]);
      else children.push(series);
    }
    this.#touched.clear();
    forgetLastWrite();
    const now = wallSeconds() * 1000;
    const families: FamilyReport[] = [];
    for (const [metric, children] of byMetric) {
      const family = metric.collectSome(children as never[], COLLECT_OPTIONS);
      if (family instanceof Promise) continue;
      const changes = this.changes(metric, family, now, false);
      if (changes !== undefined) families.push(changes);
    }
    if (families.length > 0) this.send({ families });
  }

  /**
   * The family's series that changed since they were last sent (and, when `whole`, the keys of
   * series gone since), or undefined when nothing changed; records them as sent.
   */
  private changes(metric: RegisteredMetric, family: MetricFamily, now: number, whole: boolean) {
    const definition = definitionOf(metric);
    const json = definition.definition;
    let sent = this.#sent.get(metric.name);
    const newDefinition = sent === undefined || sent.definition !== json;
    if (sent === undefined || newDefinition) {
      sent = { definition: json, fingerprints: new Map() };
      this.#sent.set(metric.name, sent);
    }
    const series: SeriesState[] = [];
    const seen = whole ? new Set<string>() : undefined;
    for (const state of seriesStates(metric, family, now)) {
      seen?.add(state.key);
      const print = fingerprint(state);
      if (sent.fingerprints.get(state.key) === print) continue;
      sent.fingerprints.set(state.key, print);
      series.push(state);
    }
    const removed: string[] = [];
    if (seen !== undefined) {
      for (const key of sent.fingerprints.keys()) {
        if (seen.has(key)) continue;
        sent.fingerprints.delete(key);
        removed.push(key);
      }
    }
    if (!newDefinition && series.length === 0 && removed.length === 0) return undefined;
    const report: FamilyReport = { name: metric.name, series };
    return {
      ...report,
      ...(newDefinition ? { definition } : {}),
      ...(removed.length > 0 ? { removed } : {}),
    };
  }
}

/** The `definition` of a collector's family in {@link SentFamily}. */
const COLLECTED = '(collected)';

/** JSON replacer keeping non-finite numbers apart from null. */
function finite(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}

/** A collector's family as plain data (its samples expanded), to send as it is. */
function plainFamily(family: MetricFamily): MetricFamily {
  return {
    name: family.name,
    help: family.help,
    type: family.type,
    unit: family.unit,
    samples: family.samples.map((s) => ({ ...s, labels: { ...s.labels } })),
  };
}
