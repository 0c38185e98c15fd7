/**
 * Combines one family's series from several sources (workers, the aggregating process itself,
 * and what exited workers left behind) into the family to expose, by type:
 * counters, histograms and summary counts and sums add up; summary quantiles are answered from
 * the merged sketches; gauges follow their `aggregate` option; info and enum series are taken as
 * they are when the sources agree, and shown per source (labeled `worker`) when they do not.
 */
import { formatBound } from '../bounds.js';
import { labelSetOf } from '../label-set.js';
import { HistogramFamily } from '../histogram-family.js';
import { QuantileSketch, SketchMapping, mergedQuantiles } from '../metrics/quantile-sketch.js';
import { exactTotal } from './exact-sum.js';
import type { WindowSlice } from '../metrics/quantile-window.js';
import type { Exemplar, HistogramRow, Labels, MetricFamily, Sample } from '../snapshot.js';
import { addNativePoints } from './native-merge.js';
import { NATIVE_EXEMPLAR_LIMIT } from '../metrics/exemplar.js';
import type {
  CounterState,
  FamilyDefinition,
  GaugeState,
  HistogramState,
  InfoState,
  SeriesState,
  StateSetState,
  SummaryState,
} from './report.js';

/** The label that tells sources apart where their series are shown one by one. */
export const WORKER_LABEL = 'worker';

/** One source's series of the family. */
export interface SourceSeries {
  readonly source: string;
  /** False for an exited worker, left out of `live` gauges, info and enum. */
  readonly alive: boolean;
  readonly series: ReadonlyMap<string, SeriesState>;
}

/** What exited workers and resets left of a series (see retire.ts): a sum, or a gauge's value per its mode. */
export interface Retired {
  readonly labels: Labels;
  /** A gauge's value per its mode; a summary's count. */
  value: number;
  created: number;
  /** A counter's value, exactly (exact-sum.ts): the partials of what it left. */
  valueParts: number[];
  cumulative?: number[];
  /** A histogram's or summary's sum, exactly. */
  sumParts: number[];
  native?: HistogramState['native'];
  window?: WindowSlice[];
  changedAt: number;
  /** `all` gauges: each exited worker's last value. */
  byWorker?: Map<string, number>;
}

export interface CombineContext {
  readonly definition: FamilyDefinition;
  readonly sources: readonly SourceSeries[];
  readonly retired: ReadonlyMap<string, Retired> | undefined;
  readonly created: boolean;
  /** The registry's constant labels for the family. */
  readonly constants: Labels;
  /** Each series' labels with the constants, by key, kept between scrapes by the caller. */
  readonly labelSets: Map<string, Labels>;
  /** Milliseconds since the epoch: quantile slices that expired by then are left out. */
  readonly now: number;
}

/** Every series key of the family, in first-seen order. */
function keysOf(context: CombineContext): Map<string, Labels> {
  const keys = new Map<string, Labels>();
  for (const [key, r] of context.retired ?? []) keys.set(key, r.labels);
  for (const { series } of context.sources) for (const [key, s] of series) if (!keys.has(key)) keys.set(key, s.labels);
  return keys;
}

function states<S extends SeriesState>(context: CombineContext, key: string, liveOnly = false): Array<[string, S]> {
  const found: Array<[string, S]> = [];
  for (const { source, alive, series } of context.sources) {
    if (liveOnly && !alive) continue;
    const s = series.get(key);
    if (s !== undefined) found.push([source, s as S]);
  }
  return found;
}

/**
 * A series' labels with the constant labels first, the same object at every scrape while the
 * constants stay (kept in `context.labelSets`), so that formats keep what they render of it.
 */
function seriesLabelsOf(context: CombineContext, key: string, labels: Labels): Labels {
  let set = context.labelSets.get(key);
  if (set === undefined) {
    set = labelSetOf({ ...context.constants, ...labels });
    context.labelSets.set(key, set);
  }
  return set;
}

function withConstants(context: CombineContext, labels: Labels, extra?: Labels): Labels {
  return Object.freeze({ ...context.constants, ...labels, ...extra });
}

/** The family to expose. */
export function combineFamily(context: CombineContext): MetricFamily {
  const { name, help, unit, type } = context.definition;
  switch (type) {
    case 'counter':
      return { name, help, type, unit, samples: counterSamples(context) };
    case 'gauge':
      return { name, help, type, unit, samples: gaugeSamples(context) };
    case 'histogram':
      return histogramFamily(context);
    case 'summary':
      return { name, help, type, unit, samples: summarySamples(context) };
    case 'info':
      return { name, help, type, unit, samples: infoSamples(context) };
    case 'stateset':
      return { name, help, type, unit, samples: stateSetSamples(context) };
    default:
      return { name, help, type, unit, samples: [] };
  }
}

function counterSamples(context: CombineContext): Sample[] {
  const { name } = context.definition;
  const samples: Sample[] = [];
  for (const [key, seriesLabels] of keysOf(context)) {
    const retired = context.retired?.get(key);
    const values: number[] = [];
    let created = retired?.created ?? Infinity;
    let exemplar: Exemplar | undefined;
    for (const [, s] of states<CounterState>(context, key)) {
      values.push(s.value);
      created = Math.min(created, s.created);
      if (s.exemplar !== undefined && (exemplar === undefined || s.exemplar.timestamp > exemplar.timestamp)) {
        exemplar = s.exemplar;
      }
    }
    const labels = seriesLabelsOf(context, key, seriesLabels);
    const total = { name: `${name}_total`, labels, value: exactTotal(retired?.valueParts, values) };
    samples.push(exemplar === undefined ? total : { ...total, exemplar });
    if (context.created && Number.isFinite(created)) samples.push({ name: `${name}_created`, labels, value: created });
  }
  return samples;
}

function gaugeSamples(context: CombineContext): Sample[] {
  const { name } = context.definition;
  const mode = context.definition.aggregate ?? 'sum';
  const live = mode.startsWith('live');
  const how = live ? mode.slice('live'.length) : mode;
  const samples: Sample[] = [];
  for (const [key, seriesLabels] of keysOf(context)) {
    const found = states<GaugeState>(context, key, live);
    const retired = live ? undefined : context.retired?.get(key);
    if (how === 'all') {
      for (const [source, s] of found) {
        samples.push({
          name,
          labels: withConstants(context, seriesLabels, { [WORKER_LABEL]: source }),
          value: s.value,
        });
      }
      for (const [source, value] of retired?.byWorker ?? []) {
        if (found.some(([s]) => s === source)) continue;
        samples.push({ name, labels: withConstants(context, seriesLabels, { [WORKER_LABEL]: source }), value });
      }
      continue;
    }
    const values = found.map(([, s]) => s);
    if (retired !== undefined && retired.byWorker === undefined) values.push({ key, ...retired });
    if (values.length === 0) continue;
    let value: number;
    if (how === 'min') value = Math.min(...values.map((s) => s.value));
    else if (how === 'max') value = Math.max(...values.map((s) => s.value));
    else if (how === 'last') value = values.reduce((a, b) => (b.changedAt > a.changedAt ? b : a)).value;
    else value = values.reduce((total, s) => total + s.value, 0);
    samples.push({ name, labels: seriesLabelsOf(context, key, seriesLabels), value });
  }
  return samples;
}

function histogramFamily(context: CombineContext): MetricFamily {
  const { name, help, unit, buckets = [], classic = true, maxBuckets = 0 } = context.definition;
  const bounds = [...buckets, Infinity];
  const rows: HistogramRow[] = [];
  for (const [key, seriesLabels] of keysOf(context)) {
    const retired = context.retired?.get(key);
    const cumulative = retired?.cumulative === undefined ? bounds.map(() => 0) : [...retired.cumulative];
    const sums: number[] = [];
    let created = retired?.created ?? Infinity;
    const natives = retired?.native === undefined ? [] : [retired.native];
    const found = states<HistogramState>(context, key);
    for (const [, s] of found) {
      for (let i = 0; i < cumulative.length; i++) cumulative[i]! += s.cumulative[i] ?? 0;
      sums.push(s.sum);
      created = Math.min(created, s.created);
      if (s.native !== undefined) natives.push(s.native);
    }
    const row: { -readonly [K in keyof HistogramRow]: HistogramRow[K] } = {
      labels: seriesLabelsOf(context, key, seriesLabels),
      cumulative,
      sum: exactTotal(retired?.sumParts, sums),
      created: context.created && Number.isFinite(created) ? created : undefined,
    };
    if (natives.length > 0) row.native = addNativePoints(natives, maxBuckets);
    const exemplars = latestExemplars(found.map(([, s]) => s));
    if (exemplars !== undefined) row.exemplars = exemplars;
    const nativeExemplars = found
      .flatMap(([, s]) => s.nativeExemplars ?? [])
      .sort((a, b) => a.timestamp - b.timestamp)
      .slice(-NATIVE_EXEMPLAR_LIMIT); // as many as one series keeps
    if (nativeExemplars.length > 0) row.nativeExemplars = nativeExemplars;
    rows.push(row);
  }
  return new HistogramFamily(name, help, unit, { bounds, classic, rows });
}

/** Each bucket's most recent exemplar among the workers', or undefined when none has any. */
function latestExemplars(found: readonly HistogramState[]): (Exemplar | undefined)[] | undefined {
  let latest: (Exemplar | undefined)[] | undefined;
  for (const s of found) {
    if (s.exemplars === undefined) continue;
    latest ??= s.exemplars.map(() => undefined);
    s.exemplars.forEach((e, i) => {
      if (e !== null && (latest![i] === undefined || e.timestamp > latest![i]!.timestamp)) latest![i] = e;
    });
  }
  return latest;
}

function summarySamples(context: CombineContext): Sample[] {
  const { name, percentiles = [], quantileError = 0.01 } = context.definition;
  const mapping = percentiles.length > 0 ? new SketchMapping(quantileError) : undefined;
  const samples: Sample[] = [];
  for (const [key, seriesLabels] of keysOf(context)) {
    const retired = context.retired?.get(key);
    let count = retired?.value ?? 0;
    const sums: number[] = [];
    let created = retired?.created ?? Infinity;
    const slices = [...(retired?.window ?? [])];
    for (const [, s] of states<SummaryState>(context, key)) {
      count += s.count;
      sums.push(s.sum);
      created = Math.min(created, s.created);
      slices.push(...(s.window ?? []));
    }
    const labels = seriesLabelsOf(context, key, seriesLabels);
    if (mapping !== undefined) {
      const sketches = slices
        .filter((slice) => slice.expiresAt > context.now)
        .map((slice) => QuantileSketch.fromData(mapping, slice.sketch));
      const values = mergedQuantiles(mapping, sketches, percentiles);
      percentiles.forEach((q, i) => {
        samples.push({
          name,
          labels: withConstants(context, seriesLabels, { quantile: formatBound(q) }),
          value: values[i]!,
        });
      });
    }
    samples.push({ name: `${name}_count`, labels, value: count });
    samples.push({ name: `${name}_sum`, labels, value: exactTotal(retired?.sumParts, sums) });
    if (context.created && Number.isFinite(created)) samples.push({ name: `${name}_created`, labels, value: created });
  }
  return samples;
}

function infoSamples(context: CombineContext): Sample[] {
  const sampleName = `${context.definition.name}_info`;
  const samples: Sample[] = [];
  for (const [key, seriesLabels] of keysOf(context)) {
    // A series whose facts were never set tells nothing: it neither agrees nor disagrees.
    const found = states<InfoState>(context, key, true).filter(([, s]) => Object.keys(s.facts).length > 0);
    const agreed = agreement(found.map(([, s]) => JSON.stringify(s.facts)));
    if (agreed !== undefined && found.length > 0) {
      samples.push({ name: sampleName, labels: withConstants(context, seriesLabels, found[0]![1].facts), value: 1 });
      continue;
    }
    for (const [source, s] of found) {
      const labels = withConstants(context, seriesLabels, { ...s.facts, [WORKER_LABEL]: source });
      samples.push({ name: sampleName, labels, value: 1 });
    }
  }
  return samples;
}

function stateSetSamples(context: CombineContext): Sample[] {
  const { name } = context.definition;
  const states_ = (JSON.parse(context.definition.definition) as { states?: string[] }).states ?? [];
  const samples: Sample[] = [];
  const push = (seriesLabels: Labels, current: string, extra?: Labels): void => {
    for (const state of states_) {
      const labels = withConstants(context, seriesLabels, { ...extra, [name]: state });
      samples.push({ name, labels, value: state === current ? 1 : 0 });
    }
  };
  for (const [key, seriesLabels] of keysOf(context)) {
    const found = states<StateSetState>(context, key, true);
    const agreed = agreement(found.map(([, s]) => s.state));
    if (agreed !== undefined) push(seriesLabels, agreed);
    else for (const [source, s] of found) push(seriesLabels, s.state, { [WORKER_LABEL]: source });
  }
  return samples;
}

/** The one value all of `values` are, or undefined when they differ or there are none. */
function agreement(values: readonly string[]): string | undefined {
  const [first] = values;
  return first !== undefined && values.every((v) => v === first) ? first : undefined;
}
