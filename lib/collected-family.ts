/**
 * Turns what a custom collector returns into the snapshot's shape: validates names, types,
 * suffixes, labels, values and timestamps, checks every metric point against its type's rules
 * (collected-points.ts), and adds the registry's constant labels.
 * Samples come out in the order OpenMetrics wants: each point's samples together (points in the
 * order they first appear), buckets and quantiles ascending, then `_count`, `_sum`, `_created`.
 * A failure throws a TypeError or RangeError naming the family and the sample; the registry
 * wraps it in a CollectionError naming the collector.
 */
import { checkPoint, describeSample, type PointSample } from './collected-points.js';
import { formatBound, parseBound } from './bounds.js';
import { labelNameClash, wireNames } from './exposition/names.js';
import { labelValueToString } from './labels.js';
import type { Labels, MetricFamily, MetricType, Sample } from './snapshot.js';
import { assertLabelName, assertMetricName, assertUnit, isWellFormed, notWellFormed, show } from './validation.js';

/** A sample as a custom collector gives it: labels as an object of values. */
export interface CollectedSample {
  /** Full sample name (`jobs_total`, `latency_bucket`). Default: `name_total` for counters, `name_info` for info, else the family name. */
  readonly name?: string;
  readonly labels?: Readonly<Record<string, string | number | boolean>>;
  readonly value: number;
  /** When the value was observed, in milliseconds since the epoch (an integer); default: the scrape's time. */
  readonly timestamp?: number;
}

/** A metric family as a custom collector gives it. */
export interface CollectedFamily {
  /** The family name; a counter's `_total` and an info's `_info` are stripped, as the metric classes do. */
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  /** OpenMetrics unit; the family name must then end with `_<unit>`. */
  readonly unit?: string;
  readonly samples: readonly CollectedSample[];
}

/**
 * The sample-name suffixes each type may use, in the order a point's samples are written; the
 * first is the default when a sample has no name.
 */
const SUFFIXES: Readonly<Record<MetricType, readonly string[]>> = {
  counter: ['_total', '_created'],
  gauge: [''],
  histogram: ['_bucket', '_count', '_sum', '_created'],
  summary: ['', '_count', '_sum', '_created'],
  info: ['_info'],
  stateset: [''],
  unknown: [''],
};

/** Strips the suffix the exposition adds to a counter's or info's family name. */
function familyName(name: string, type: MetricType): string {
  if (type === 'counter' && name.endsWith('_total')) return name.slice(0, -'_total'.length);
  if (type === 'info' && name.endsWith('_info')) return name.slice(0, -'_info'.length);
  return name;
}

/** A validated sample with what grouping needs: which point it belongs to, and which series it is. */
interface Keyed extends PointSample {
  /**
   * The point's label set (all labels but the one that tells its samples apart) as a comparable
   * string, the same for labels given in any order. Empty for a family's only sample, which
   * needs no comparing.
   */
  readonly point: string;
  /** The value of the label that tells a point's samples apart (`le`'s `1.0`), or ''. */
  readonly apart: string;
  readonly timestamp: number | undefined;
}

/**
 * The label that tells a point's samples apart, which is not part of the point's identity: a
 * bucket's `le`, a quantile sample's `quantile`, a stateset sample's state label.
 */
function pointLabel(type: MetricType, family: string, suffix: string): string | undefined {
  if (type === 'histogram') return suffix === '_bucket' ? 'le' : undefined;
  if (type === 'summary') return suffix === '' ? 'quantile' : undefined;
  if (type === 'stateset') return family;
  return undefined;
}

/**
 * Validates one collected family and adds the registry's constant labels to its samples:
 * `constantFor(labelNames)` gives those for a sample with those labels.
 */
export function normalizeCollectedFamily(
  family: CollectedFamily,
  constantFor: (labelNames: readonly string[]) => Labels,
): MetricFamily {
  if (typeof family !== 'object' || family === null)
    throw new TypeError(`expected a metric family object, got ${show(family)}`);
  const { help, type } = family;
  assertMetricName(family.name);
  if (!Object.hasOwn(SUFFIXES, type)) throw new TypeError(`family ${family.name}: unknown type ${show(type)}`);
  const name = familyName(family.name, type);
  if (typeof help !== 'string') throw new TypeError(`family ${name}: help must be a string, got ${show(help)}`);
  if (!isWellFormed(help)) throw notWellFormed(`family ${name}: help`, help);
  const unit = family.unit ?? '';
  if (unit !== '') {
    assertUnit(name, unit);
    if (!name.endsWith(`_${unit}`))
      throw new TypeError(`family ${name}: with unit ${show(unit)} the name must end with "_${unit}"`);
  }
  if (!Array.isArray(family.samples))
    throw new TypeError(`family ${name}: samples must be an array, got ${show(family.samples)}`);
  const shape: FamilyShape = { name, type, sampleNames: SUFFIXES[type].map((suffix) => name + suffix), constantFor };
  const identities = family.samples.length > 1;
  const keyed: Keyed[] = [];
  for (const sample of family.samples as readonly unknown[]) keyed.push(readSample(shape, sample, identities));
  return { name, help, type, unit, samples: orderedPoints(name, type, keyed) };
}

/** What every sample of a family is read against. */
interface FamilyShape {
  readonly name: string;
  readonly type: MetricType;
  /** The sample names the type allows, in the order of {@link SUFFIXES}. */
  readonly sampleNames: readonly string[];
  readonly constantFor: (labelNames: readonly string[]) => Labels;
}

/**
 * Validates a sample and makes its labels (the registry's constant labels first, `le` and
 * `quantile` in canonical form). With `identity`, also gives it its point's identity.
 */
function readSample(shape: FamilyShape, sample: unknown, identity: boolean): Keyed {
  const { name: family, type, sampleNames } = shape;
  if (typeof sample !== 'object' || sample === null) {
    throw new TypeError(`family ${family}: expected a sample object, got ${show(sample)}`);
  }
  const given = sample as CollectedSample;
  const name = given.name ?? sampleNames[0]!;
  const kind = sampleNames.indexOf(name);
  if (kind < 0) {
    const names = sampleNames.join(' or ');
    throw new TypeError(`family ${family}: a ${type} sample must be named ${names}, got ${show(name)}`);
  }
  const suffix = SUFFIXES[type][kind]!;
  const value = given.value;
  if (typeof value !== 'number') {
    throw new TypeError(`family ${family}: sample ${name} has value ${show(value)}, not a number`);
  }
  const timestamp = given.timestamp;
  if (timestamp !== undefined && !Number.isSafeInteger(timestamp)) {
    throw new TypeError(
      `family ${family}: sample ${name} has timestamp ${show(timestamp)}: it must be an integer of milliseconds since the epoch`,
    );
  }
  const givenLabels = given.labels ?? {};
  if (typeof givenLabels !== 'object' || givenLabels === null || Array.isArray(givenLabels)) {
    throw new TypeError(
      `family ${family}: sample ${name} has labels ${show(givenLabels)}, not an object of label values`,
    );
  }

  const own = Object.keys(givenLabels);
  const special = pointLabel(type, family, suffix);
  const labels: Record<string, string> = { ...shape.constantFor(own) };
  let bound = NaN;
  for (const label of own) {
    assertLabelName(family, label);
    let labelText = labelValueToString(family, label, givenLabels[label]);
    if (label === special && special !== family) {
      bound = readBound(family, name, special, labelText);
      labelText = formatBound(bound);
    } else if ((type === 'histogram' && label === 'le') || (type === 'summary' && label === 'quantile')) {
      const holders = type === 'histogram' ? 'buckets' : 'quantile samples';
      throw new TypeError(`family ${family}: sample ${name} may not have a label ${show(label)}; ${holders} have it`);
    }
    labels[label] = labelText;
  }
  const clash = labelNameClash(Object.keys(labels));
  if (clash !== undefined) {
    throw new TypeError(
      `family ${family}: sample ${name} has labels ${show(clash[0])} and ${show(clash[1])}, one name to a scraper that asked for ${clash[2]}`,
    );
  }
  const apart = special === undefined ? '' : labels[special];
  if (special !== undefined && apart === undefined) {
    const line = describeSample({ name, suffix, labels, value, bound });
    throw new TypeError(`family ${family}: ${line}: a ${type} sample needs a label ${show(special)}`);
  }
  const point = identity ? identityOf(labels, special) : '';
  return { name, suffix, labels: Object.freeze(labels), value, bound, point, apart: apart ?? '', timestamp };
}

/** A label set without `except`, as one string: equal label sets give equal strings, in any order given. */
function identityOf(labels: Labels, except: string | undefined): string {
  const pairs: Array<[string, string]> = [];
  for (const name in labels) if (name !== except) pairs.push([name, labels[name]!]);
  if (pairs.length > 1) pairs.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return JSON.stringify(pairs);
}

/** A bucket's `le` or a quantile sample's `quantile`, read as a number and checked. */
function readBound(family: string, sample: string, label: string, text: string): number {
  const bound = parseBound(text);
  if (label === 'le' && Number.isNaN(bound)) {
    throw new RangeError(`family ${family}: sample ${sample}: label "le" must be a number or +Inf, got ${show(text)}`);
  }
  if (label === 'quantile' && !(bound >= 0 && bound <= 1)) {
    const problem = `label "quantile" must be a number in [0, 1], got ${show(text)}`;
    throw new RangeError(`family ${family}: sample ${sample}: ${problem}`);
  }
  return bound;
}

/** Groups samples into points, refuses a series given twice, checks each point, and orders them. */
function orderedPoints(family: string, type: MetricType, samples: readonly Keyed[]): Sample[] {
  if (samples.length === 1) {
    checkPoint(family, type, samples);
    return [toSample(samples[0]!)];
  }
  const rank = SUFFIXES[type];
  if (rank.length === 1 && type !== 'stateset') return singleSamplePoints(family, type, samples);
  const series = new Set<string>();
  const points = new Map<string, Keyed[]>();
  for (const sample of samples) {
    const key = JSON.stringify([sample.name, sample.point, sample.apart]);
    if (series.has(key)) throw new TypeError(`family ${family}: ${describeSample(sample)}: this series is given twice`);
    series.add(key);
    const point = points.get(sample.point);
    if (point === undefined) points.set(sample.point, [sample]);
    else point.push(sample);
  }
  const out: Sample[] = [];
  for (const point of points.values()) {
    // A stable sort: stateset samples (all one suffix, no bound) keep the collector's order.
    if (point.length > 1) point.sort((a, b) => rank.indexOf(a.suffix) - rank.indexOf(b.suffix) || byBound(a, b));
    checkPoint(family, type, point);
    for (const sample of point) out.push(toSample(sample));
  }
  return out;
}

/**
 * Where every point is one sample (gauge, info, unknown), nothing is regrouped: the samples keep
 * their order, and a label set given twice is a series given twice.
 */
function singleSamplePoints(family: string, type: MetricType, samples: readonly Keyed[]): Sample[] {
  const seen = new Set<string>();
  const out: Sample[] = [];
  for (const sample of samples) {
    if (seen.has(sample.point)) {
      throw new TypeError(`family ${family}: ${describeSample(sample)}: this series is given twice`);
    }
    seen.add(sample.point);
    out.push(toSample(sample));
  }
  // The checks of these types look at each sample alone: all of them at once is the same.
  checkPoint(family, type, samples);
  return out;
}

/** The snapshot's sample: a timestamp only where the collector gave one. */
function toSample({ name, labels, value, timestamp }: Keyed): Sample {
  return timestamp === undefined ? { name, labels, value } : { name, labels, value, timestamp };
}

/** Ascending `le` or `quantile`; samples without one (NaN) tie with everything. */
function byBound(a: PointSample, b: PointSample): number {
  return a.bound < b.bound ? -1 : a.bound > b.bound ? 1 : 0;
}

/** Every name a family occupies: its own and each sample name its type may use, as every scraper may see them. */
export function reservedNames(family: MetricFamily): Set<string> {
  return wireNames([family.name, ...SUFFIXES[family.type].map((suffix) => family.name + suffix)]);
}
