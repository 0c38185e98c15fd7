/**
 * `prometric_series_overflow_total{metric}`: how many calls of each metric a series limit sent to
 * its overflow series. A registry gets it with its first overflow.
 *
 * It is a registered metric of its own rather than a Counter: counter.ts imports the metric base,
 * which owns the limit, so the base cannot make a Counter without an import cycle.
 */
import { ColumnFamily } from '../column-family.js';
import { wallSeconds } from '../instrument/clock.js';
import { labelSetOf } from '../label-set.js';
import type { RegisteredMetric, Registry } from '../registry.js';
import type { CollectOptions, Labels, MetricFamily } from '../snapshot.js';

/** The family name (exposed as `prometric_series_overflow_total`). */
export const SERIES_OVERFLOW_METRIC = 'prometric_series_overflow';

const HELP = 'Calls that found a metric at its series limit (maxSeries) and went to its __overflow__ series';
const NO_CONSTANTS: Labels = Object.freeze({});

interface Tally {
  value: number;
  created: number;
}

/** The overflow counter of one registry: a series per metric that overflowed. */
class SeriesOverflowCounter implements RegisteredMetric {
  readonly name = SERIES_OVERFLOW_METRIC;
  readonly help = HELP;
  readonly type = 'counter' as const;
  readonly unit = '';
  readonly labelNames: readonly string[] = Object.freeze(['metric']);
  readonly #tallies = new Map<string, Tally>();
  /** Each series' label set, kept between scrapes (formats keep what they render of it), for `#labelsFor`. */
  #labels = new Map<string, Labels>();
  #labelsFor: Labels | undefined;

  count(metricName: string): void {
    const tally = this.#tallies.get(metricName);
    if (tally === undefined) this.#tallies.set(metricName, { value: 1, created: wallSeconds() });
    else tally.value++;
  }

  reset(): void {
    const now = wallSeconds();
    for (const tally of this.#tallies.values()) {
      tally.value = 0;
      tally.created = now;
    }
  }

  definition(): Readonly<Record<string, unknown>> {
    return { type: this.type, help: this.help, labelNames: this.labelNames, unit: this.unit };
  }

  sampleNames(): readonly string[] {
    return [this.name, `${this.name}_total`, `${this.name}_created`];
  }

  seriesLabelNames(): readonly string[] {
    return this.labelNames;
  }

  collect(options: CollectOptions, constantLabels: Labels = NO_CONSTANTS): MetricFamily {
    if (this.#labelsFor !== constantLabels) {
      this.#labels = new Map();
      this.#labelsFor = constantLabels;
    }
    const labels: Labels[] = [];
    const values: number[] = [];
    const created: number[] = [];
    for (const [metric, tally] of this.#tallies) {
      let set = this.#labels.get(metric);
      if (set === undefined) this.#labels.set(metric, (set = labelSetOf({ ...constantLabels, metric })));
      labels.push(set);
      values.push(tally.value);
      created.push(tally.created);
    }
    const columns = options.created ? { labels, values, created } : { labels, values };
    return new ColumnFamily(this.name, this.help, 'counter', this.unit, columns);
  }
}

/**
 * Counts one overflowed call of `metricName` in `registry`, registering the counter there first if
 * it is not (yet, or any more after `registry.clear()`). Returns false when another metric holds
 * the name, so nothing could be counted.
 */
export function countSeriesOverflow(registry: Registry, metricName: string): boolean {
  let counter = registry.getMetric(SERIES_OVERFLOW_METRIC);
  if (counter === undefined) {
    try {
      counter = registry.registerMetric(new SeriesOverflowCounter());
    } catch {
      // A sample name of another family clashes: the overflow still goes to the overflow series.
      return false;
    }
  }
  if (!(counter instanceof SeriesOverflowCounter)) return false;
  counter.count(metricName);
  return true;
}
