/**
 * Turns what a custom collector returns into the snapshot's shape: validates names, types,
 * suffixes and values, and renders labels once, as the metric classes do for their series.
 */
import { escapeLabelValue, labelValueToString } from './labels.js';
import type { MetricFamily, MetricType, Sample } from './snapshot.js';
import { assertLabelName, assertMetricName, assertUnit, show } from './validation.js';

/** A sample as a custom collector gives it: labels as an object of values. */
export interface CollectedSample {
  /** Full sample name (`jobs_total`, `latency_bucket`). Default: `name_total` for counters, `name_info` for info, else the family name. */
  readonly name?: string;
  readonly labels?: Readonly<Record<string, string | number | boolean>>;
  readonly value: number;
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

/** The sample-name suffixes each type may use; the first is the default when a sample has no name. */
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

/**
 * Validates one collected family and renders its samples' labels. `constantFor(labelNames)`
 * gives the registry's constant label text for a sample with those labels.
 */
export function normalizeCollectedFamily(family: CollectedFamily, constantFor: (labelNames: readonly string[]) => string): MetricFamily {
  if (typeof family !== 'object' || family === null) throw new TypeError(`expected a metric family object, got ${show(family)}`);
  const { help, type } = family;
  assertMetricName(family.name);
  if (!Object.hasOwn(SUFFIXES, type)) throw new TypeError(`family ${family.name}: unknown type ${show(type)}`);
  const name = familyName(family.name, type);
  if (typeof help !== 'string') throw new TypeError(`family ${name}: help must be a string, got ${show(help)}`);
  const unit = family.unit ?? '';
  if (unit !== '') {
    assertUnit(name, unit);
    if (!name.endsWith(`_${unit}`)) throw new TypeError(`family ${name}: with unit ${show(unit)} the name must end with "_${unit}"`);
  }
  if (!Array.isArray(family.samples)) throw new TypeError(`family ${name}: samples must be an array, got ${show(family.samples)}`);
  const allowed = SUFFIXES[type].map((suffix) => name + suffix);
  const samples: Sample[] = family.samples.map((sample) => {
    const sampleName = sample.name ?? allowed[0]!;
    if (!allowed.includes(sampleName)) {
      throw new TypeError(`family ${name}: a ${type} sample must be named ${allowed.join(' or ')}, got ${show(sampleName)}`);
    }
    if (typeof sample.value !== 'number') throw new TypeError(`family ${name}: sample ${sampleName} has value ${show(sample.value)}, not a number`);
    const labels = sample.labels ?? {};
    const names = Object.keys(labels);
    let text = constantFor(names);
    for (const label of names) {
      assertLabelName(name, label);
      const value = labelValueToString(name, label, labels[label]);
      text += `${text === '' ? '' : ','}${label}="${escapeLabelValue(value)}"`;
    }
    return { name: sampleName, labels: text, value: sample.value };
  });
  return { name, help, type, unit, samples };
}

/** Every name a family occupies: its own and each sample name its type may use. */
export function reservedNames(family: MetricFamily): Set<string> {
  return new Set([family.name, ...SUFFIXES[family.type].map((suffix) => family.name + suffix)]);
}
