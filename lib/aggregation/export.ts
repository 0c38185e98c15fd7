/**
 * Turns a metric's collected family into the mergeable state of each series (report.ts), and
 * describes its definition: what a worker reports, and what the aggregating process reads of
 * its own metrics.
 */
import type { MetricFamily, Labels, Sample } from '../snapshot.js';
import type { RegisteredMetric } from '../registry.js';
import { Gauge } from '../metrics/gauge.js';
import { Histogram } from '../metrics/histogram.js';
import { Summary, windowSlicesOf } from '../metrics/summary.js';
import type { FamilyDefinition, SeriesState } from './report.js';

const definitions = new WeakMap<RegisteredMetric, FamilyDefinition>();

/** The definition of a registered metric, as workers compare it (made once per metric: a definition never changes). */
export function definitionOf(metric: RegisteredMetric): FamilyDefinition {
  let definition = definitions.get(metric);
  if (definition === undefined) definitions.set(metric, (definition = makeDefinition(metric)));
  return definition;
}

function makeDefinition(metric: RegisteredMetric): FamilyDefinition {
  const base = {
    name: metric.name,
    type: metric.type,
    help: metric.help,
    unit: metric.unit,
    labelNames: metric.labelNames,
    definition: JSON.stringify(metric.definition()),
  };
  if (metric instanceof Gauge) return { ...base, aggregate: metric.aggregate };
  if (metric instanceof Histogram) {
    const classic = metric.nativeConfig === undefined || metric.bounds.length > 0 || hasClassic(metric);
    return { ...base, buckets: metric.bounds, classic, maxBuckets: metric.nativeConfig?.maxBuckets ?? 0 };
  }
  if (metric instanceof Summary)
    return { ...base, percentiles: metric.percentiles, quantileError: metric.quantileError };
  return base;
}

/** Whether a histogram with `native` was also given classic buckets (its definition says so). */
function hasClassic(metric: Histogram<string>): boolean {
  return (metric.definition() as { buckets?: unknown }).buckets !== undefined;
}

/** The key of a series across workers: its values of the metric's label names, in order. */
export function seriesKey(labelNames: readonly string[], labels: Labels): string {
  return JSON.stringify(labelNames.map((name) => labels[name] ?? ''));
}

function pick(labelNames: readonly string[], labels: Labels): Labels {
  const picked: Record<string, string> = {};
  for (const name of labelNames) picked[name] = labels[name] ?? '';
  return picked;
}

/**
 * The state of each series of `family`, collected from `metric` with `_created` samples and
 * without constant labels. `now` (ms since the epoch) stamps gauges; the reporter keeps a gauge's
 * stamp when its value has not changed.
 */
export function seriesStates(metric: RegisteredMetric, family: MetricFamily, now: number): SeriesState[] {
  const names = metric.labelNames;
  const states: SeriesState[] = [];
  switch (family.type) {
    case 'counter':
    case 'gauge': {
      const columns = family.columns;
      if (columns === undefined) return states;
      const { labels, values, created, exemplars } = columns;
      for (let i = 0; i < labels.length; i++) {
        const key = seriesKey(names, labels[i]!);
        const picked = pick(names, labels[i]!);
        if (family.type === 'gauge') {
          states.push({ key, labels: picked, value: values[i]!, changedAt: now });
          continue;
        }
        const state = { key, labels: picked, value: values[i]!, created: created?.[i] ?? 0 };
        const exemplar = exemplars?.[i];
        states.push(exemplar === undefined ? state : { ...state, exemplar });
      }
      return states;
    }
    case 'histogram':
      for (const row of family.histogram?.rows ?? []) {
        states.push({
          key: seriesKey(names, row.labels),
          labels: pick(names, row.labels),
          cumulative: row.cumulative,
          sum: row.sum,
          created: row.created ?? 0,
          ...(row.native === undefined ? {} : { native: row.native }),
          // null, not undefined, where a bucket has none: JSON keeps the positions.
          ...(row.exemplars === undefined ? {} : { exemplars: row.exemplars.map((e) => e ?? null) }),
          ...(row.nativeExemplars === undefined ? {} : { nativeExemplars: row.nativeExemplars }),
        });
      }
      return states;
    case 'summary':
      return summaryStates(metric as Summary<string>, family.samples);
    case 'info':
      for (const s of family.samples) {
        const facts: Record<string, string> = {};
        for (const [name, value] of Object.entries(s.labels)) if (!names.includes(name)) facts[name] = value;
        states.push({ key: seriesKey(names, s.labels), labels: pick(names, s.labels), facts });
      }
      return states;
    case 'stateset':
      for (const s of family.samples) {
        if (s.value !== 1) continue;
        const state = s.labels[metric.name] ?? '';
        states.push({ key: seriesKey(names, s.labels), labels: pick(names, s.labels), state });
      }
      return states;
    default:
      return states;
  }
}

function summaryStates(metric: Summary<string>, samples: readonly Sample[]): SeriesState[] {
  const names = metric.labelNames;
  const byKey = new Map<string, { labels: Labels; count: number; sum: number; created: number }>();
  const entry = (labels: Labels) => {
    const key = seriesKey(names, labels);
    let found = byKey.get(key);
    if (found === undefined) byKey.set(key, (found = { labels: pick(names, labels), count: 0, sum: 0, created: 0 }));
    return found;
  };
  for (const s of samples) {
    if (s.name === `${metric.name}_count`) entry(s.labels).count = s.value;
    else if (s.name === `${metric.name}_sum`) entry(s.labels).sum = s.value;
    else if (s.name === `${metric.name}_created`) entry(s.labels).created = s.value;
  }
  const states: SeriesState[] = [];
  for (const [key, e] of byKey) {
    const child = names.length === 0 ? metric.labels() : metric.labels(e.labels as never);
    const window = metric.percentiles.length > 0 ? windowSlicesOf(child) : undefined;
    states.push(window === undefined ? { key, ...e } : { key, ...e, window });
  }
  return states;
}

/**
 * What tells a series' state from its previous one, cheaply: every observation changes a count,
 * every reset the start time; a gauge's time of change and a summary's window slices are left out
 * (they move without a change of value).
 */
export function fingerprint(state: SeriesState): string {
  if ('cumulative' in state) return `${state.cumulative.at(-1)}|${state.sum}|${state.created}`;
  if ('count' in state) return `${state.count}|${state.sum}|${state.created}`;
  if ('created' in state) return `${state.value}|${state.created}|${state.exemplar?.timestamp}`;
  if ('value' in state) return String(state.value);
  if ('facts' in state) return JSON.stringify(state.facts);
  return state.state;
}
