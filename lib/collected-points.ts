/**
 * What OpenMetrics requires of one metric point of a collected family, by type: a point is the
 * samples of one label set (a histogram's buckets, count, sum and created; a counter's total and
 * created; ...). Python's OpenMetrics parser refuses a body that breaks any of these rules, and
 * OpenMetrics counts a partly invalid body as invalid in its entirety, so a collector's family
 * that breaks one fails the scrape instead (collected-family.ts names the collector).
 *
 * Negative or NaN sums and negative quantiles are not errors here: our own summaries and
 * histograms produce them too (negative or infinite observations), so the OpenMetrics writer
 * leaves those samples out for collectors and metrics alike, and the text format keeps them.
 */
import type { Labels, MetricType } from './snapshot.js';

/** A collected sample, validated and with its labels rendered, as the point checks read it. */
export interface PointSample {
  /** The full sample name, e.g. `latency_bucket`. */
  readonly name: string;
  /** The sample name's suffix after the family name: `''`, `_total`, `_bucket`, ... */
  readonly suffix: string;
  /** Its labels, with the registry's constant labels and a canonical `le`/`quantile`. */
  readonly labels: Labels;
  readonly value: number;
  /** A bucket's `le` or a quantile sample's `quantile`; NaN for other samples. */
  readonly bound: number;
}

/** A sample as error messages show it: much as its exposition line. */
export function describeSample(sample: PointSample): string {
  const pairs = Object.entries(sample.labels).map(([name, value]) => `${name}=${JSON.stringify(value)}`);
  return `${sample.name}${pairs.length === 0 ? '' : `{${pairs.join(',')}}`} ${String(sample.value)}`;
}

function fail(family: string, sample: PointSample, problem: string): never {
  throw new RangeError(`family ${family}: ${describeSample(sample)}: ${problem}`);
}

/** Checks one point: its samples, buckets sorted by `le` and quantiles by `quantile`. */
export function checkPoint(family: string, type: MetricType, samples: readonly PointSample[]): void {
  switch (type) {
    case 'counter':
      checkCounter(family, samples);
      return;
    case 'histogram':
      checkHistogram(family, samples);
      return;
    case 'summary':
      for (const sample of samples) {
        if (sample.suffix === '_count' && !isCount(sample.value)) {
          fail(family, sample, 'a count must be an integer >= 0');
        }
      }
      return;
    case 'info':
      for (const sample of samples) if (sample.value !== 1) fail(family, sample, "an info sample's value must be 1");
      return;
    case 'stateset':
      for (const sample of samples) {
        if (sample.value !== 0 && sample.value !== 1) fail(family, sample, "a stateset sample's value must be 0 or 1");
      }
      return;
    default:
      return; // gauge and unknown: any value
  }
}

function isCount(value: number): boolean {
  return Number.isInteger(value) && value >= 0;
}

function checkCounter(family: string, samples: readonly PointSample[]): void {
  const total = samples.find((s) => s.suffix === '_total');
  if (total === undefined) fail(family, samples[0]!, `a counter point needs its ${family}_total sample`);
  // +Inf is allowed: OpenMetrics forbids only NaN and negative totals.
  if (!(total.value >= 0)) fail(family, total, "a counter's total must be a number >= 0 (not NaN)");
}

function checkHistogram(family: string, samples: readonly PointSample[]): void {
  const buckets = samples.filter((s) => s.suffix === '_bucket');
  if (buckets.length === 0) fail(family, samples[0]!, 'a histogram point needs buckets, the last one le="+Inf"');
  let previous: PointSample | undefined;
  for (const bucket of buckets) {
    if (!isCount(bucket.value)) fail(family, bucket, 'a bucket count must be an integer >= 0');
    if (previous !== undefined && bucket.value < previous.value) {
      fail(family, bucket, `it is below the bucket before it (${describeSample(previous)}): buckets are cumulative`);
    }
    previous = bucket;
  }
  const last = buckets[buckets.length - 1]!;
  if (last.bound !== Infinity) fail(family, last, 'the last bucket of a histogram point must be le="+Inf"');
  const count = samples.find((s) => s.suffix === '_count');
  const sum = samples.find((s) => s.suffix === '_sum');
  if ((count === undefined) !== (sum === undefined)) {
    fail(family, (count ?? sum)!, "a histogram's _count and _sum come together (OpenMetrics), and one is missing");
  }
  if (count !== undefined && count.value !== last.value) {
    fail(family, count, `it differs from its +Inf bucket (${String(last.value)})`);
  }
}
