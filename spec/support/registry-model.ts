/**
 * The model of random registries the property specs share: fast-check generators of registries
 * (names, help, label values with quotes, backslashes, newlines and non-ASCII; values including
 * NaN, ±Inf, -0, 5e-324 and 1.7e308), building the registry a model describes, and the samples
 * and families a reader of each format must get back from it.
 *
 * The generated metrics are lint-clean (promtool lints: counters end in `_total`, no type or
 * abbreviated unit in names, snake_case, no `le`/`quantile` outside histograms/summaries).
 * Observations take every value but NaN (negative, ±Infinity, -0) and histogram bounds may be
 * negative: the model predicts which samples OpenMetrics leaves out (negative or NaN sums, a
 * histogram's _sum and _count beside a negative bound, negative quantiles) and the other formats
 * keep.
 *
 * With {@link CaseOptions}, a model can also hold names outside the legacy character set (metric,
 * label, info and constant label names) and families given by a collector, with sample timestamps.
 * Expected names are then written as a reader that asked for `underscores` or `allow-utf-8` gets
 * them; the escaping is spelled out here, independently of lib/.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { Counter, Enum, Gauge, Histogram, Info, Registry, Summary, type CollectedFamily } from '../../lib/index.js';
import type { ParsedFamily, ParseResult } from './exposition-tools.js';

// ---------------------------------------------------------------------------------------------
// The model

export type Kind = 'counter' | 'gauge' | 'histogram' | 'summary' | 'info' | 'enum';
export type GaugeOp = readonly ['set' | 'inc' | 'dec', number];

export interface SeriesModel {
  readonly values: readonly string[];
  /** counter: increments; histogram/summary: observations. */
  readonly numbers: readonly number[];
  readonly gaugeOps: readonly GaugeOp[];
  readonly facts: Readonly<Record<string, string>> | undefined;
  readonly state: number;
}

export interface MetricModel {
  readonly kind: Kind;
  /** Base name without the unit (the unit is appended by the metric). */
  readonly name: string;
  readonly help: string;
  readonly unit: string;
  readonly labelNames: readonly string[];
  readonly buckets: readonly number[];
  readonly percentiles: readonly number[];
  readonly states: readonly string[];
  readonly series: readonly SeriesModel[];
}

/** The types a collector's family takes in the model: one sample per series. */
export type CollectedKind = 'counter' | 'gauge' | 'unknown';

export interface CollectedSeriesModel {
  readonly values: readonly string[];
  readonly value: number;
  /** Milliseconds since the epoch, when the collector gives the sample a timestamp. */
  readonly timestamp: number | undefined;
}

/** A family a collector returns at every scrape. */
export interface CollectedFamilyModel {
  readonly type: CollectedKind;
  /** The family name (a counter's samples are `name_total`). */
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly series: readonly CollectedSeriesModel[];
}

export interface CaseModel {
  readonly constantLabels: Readonly<Record<string, string>>;
  readonly metrics: readonly MetricModel[];
  /** When set, the registry exposes `_created`, and the clock (Date) reads this many ms. */
  readonly createdAt?: number;
  /** Families of one collector, registered after the metrics. */
  readonly collected?: readonly CollectedFamilyModel[];
}

/** What a generated case may hold beyond legacy-named metrics. */
export interface CaseOptions {
  /** Metric, label, info and constant label names outside the legacy character set. */
  readonly utf8Names?: boolean;
  /** A collector's families, with timestamps on some samples. */
  readonly collectors?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Names as readers get them

/** How the names of an expected body are written. */
export type NameScheme = 'underscores' | 'allow-utf-8';

/** Every code point outside `legacy` becomes `_`, as the `underscores` escaping scheme has it. */
function underscored(name: string, legacy: RegExp): string {
  return Array.from(name, (c) => (legacy.test(c) ? c : '_')).join('');
}

/** A metric name under `scheme` (the generated names never start with a digit). */
export function metricNameAs(name: string, scheme: NameScheme): string {
  return scheme === 'allow-utf-8' ? name : underscored(name, /^[a-zA-Z0-9_:]$/);
}

/** A label name under `scheme`: as for metric names, but `:` is not legacy in label names. */
export function labelNameAs(name: string, scheme: NameScheme): string {
  return scheme === 'allow-utf-8' ? name : underscored(name, /^[a-zA-Z0-9_]$/);
}

function labelsAs(labels: Readonly<Record<string, string>>, scheme: NameScheme): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).map(([k, v]) => [labelNameAs(k, scheme), v]));
}

/** Whether a name is in the legacy metric-name set (what text 0.0.4 can write unchanged). */
export function isLegacyName(name: string): boolean {
  return /^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name);
}

// ---------------------------------------------------------------------------------------------
// Generators

const UNIT_WORDS = [
  'amperes',
  'bytes',
  'celsius',
  'grams',
  'joules',
  'kelvin',
  'meters',
  'metres',
  'seconds',
  'volts',
  'minutes',
  'hours',
  'days',
  'weeks',
  'kelvins',
  'fahrenheit',
  'rankine',
  'inches',
  'yards',
  'miles',
  'bits',
  'calories',
  'pounds',
  'ounces',
];
const RESERVED_WORDS = [
  'counter',
  'gauge',
  'histogram',
  'summary',
  'untyped',
  'total',
  'count',
  'sum',
  'bucket',
  'info',
  'created',
];

/** A name segment promtool's linter has nothing to say about. */
const segment = fc
  .oneof(fc.stringMatching(/^[a-z][a-z0-9]{3,7}$/), fc.stringMatching(/^[A-Z][A-Z0-9]{3,7}$/))
  .filter((s) => {
    const lower = s.toLowerCase();
    return !RESERVED_WORDS.includes(lower) && !UNIT_WORDS.some((u) => lower.endsWith(u));
  });

const legacyLabelName = fc
  .stringMatching(/^[a-z_][a-z0-9_]{0,6}$/)
  .filter((n) => !n.startsWith('__') && n !== 'le' && n !== 'quantile');

/** Characters outside the legacy name set that names may hold, the quoting ones included. */
const NAME_CHARS = ['.', '-', ' ', '/', ':', 'é', '€', '中', '😀', '"', '\\', '\n', '{', '}', ','];
const nameChar = fc.constantFrom(...NAME_CHARS);
/**
 * What joins the words of a metric name: mostly `_`, so that some models have legacy names only.
 * Not `:`, which is legacy in metric names but which promtool's linter keeps for recording rules.
 */
const nameSeparator = (utf8: boolean): fc.Arbitrary<string> =>
  utf8
    ? fc.oneof({ weight: 6, arbitrary: fc.constant('_') }, { weight: 1, arbitrary: nameChar.filter((c) => c !== ':') })
    : fc.constant('_');

/**
 * A UTF-8 label name: `U`, then characters outside the legacy set around lowercase letters. It
 * escapes to `U_…`, which no legacy label name generated here can be (they are lowercase).
 */
const utf8LabelName = fc
  .tuple(nameChar, fc.stringMatching(/^[a-z]{1,3}$/), fc.option(nameChar, { nil: '' }))
  .map(([a, letters, b]) => `U${a}${letters}${b}`);

function labelNameArb(utf8: boolean): fc.Arbitrary<string> {
  if (!utf8) return legacyLabelName;
  return fc.oneof({ weight: 5, arbitrary: legacyLabelName }, { weight: 1, arbitrary: utf8LabelName });
}

/** Label names that stay distinct, and clear of `taken`, once escaped with underscores. */
function labelNamesArb(
  utf8: boolean,
  taken: readonly string[],
  options: { minLength?: number; maxLength: number },
): fc.Arbitrary<string[]> {
  const takenEscaped = new Set(taken.map((n) => labelNameAs(n, 'underscores')));
  const clash = (n: string): boolean => !taken.includes(n) && takenEscaped.has(labelNameAs(n, 'underscores'));
  const selector = (n: string): string => labelNameAs(n, 'underscores');
  return fc.uniqueArray(
    labelNameArb(utf8).filter((n) => !clash(n)),
    { ...options, selector },
  );
}

/** Characters that break naive escaping, and arbitrary ones. */
const TRICKY_CHARS = [
  '"',
  '\\',
  '\n',
  '\\n',
  ',',
  '|',
  '=',
  '{',
  '}',
  ' ',
  ' # ',
  '\t',
  '\r',
  'é',
  '€',
  '中',
  '😀',
  '\u0000',
  '\u2028',
  'x',
];
export const char = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...TRICKY_CHARS) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);
export const labelValue = fc.string({ unit: char, maxLength: 8 });
/** Help text: anything inside; it starts and ends with a letter so that no parser trims it. */
export const help = fc.string({ unit: char, maxLength: 16 }).map((s) => `h${s}.`);

const SPECIAL = [NaN, Infinity, -Infinity, -0, 0, 5e-324, -5e-324, 1.7e308, -1.7e308, 0.1, 1e21, 123456789012345680000];
export const anyNumber = fc.oneof(fc.constantFrom(...SPECIAL), fc.double());
const finiteNonNegative = fc.oneof(
  fc.constantFrom(0, -0, 5e-324, 1.7e308, 1, 0.1),
  fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }),
);
/**
 * Any observation a histogram or summary takes (all but NaN): negative ones, -0 and ±Infinity
 * make sums negative or NaN and quantiles negative, which OpenMetrics forbids.
 */
const observation = fc.oneof(
  fc.constantFrom(0, -0, 5e-324, -5e-324, 1.7e308, -1.7e308, Infinity, -Infinity, 1, -1, 0.1),
  fc.double({ noNaN: true }),
);
/**
 * Observations inside the summary's stated quantile range, of either sign (and 0, 5e-324 which
 * count as 0), and ±Infinity.
 */
const magnitude = fc.double({ min: -9, max: 15, noNaN: true }).map((e) => 10 ** e);
const quantileObservation = fc.oneof(
  { weight: 8, arbitrary: fc.oneof(fc.constantFrom(0, 5e-324, 1e-9, 1e15), magnitude) },
  { weight: 3, arbitrary: magnitude.map((m) => -m) },
  { weight: 1, arbitrary: fc.constantFrom(Infinity, -Infinity, -0) },
);

const gaugeOp: fc.Arbitrary<GaugeOp> = fc.oneof(
  fc.tuple(fc.constant('set' as const), anyNumber),
  fc.tuple(
    fc.constantFrom('inc' as const, 'dec' as const),
    anyNumber.filter((n) => !Number.isNaN(n)),
  ),
);

/** A sample timestamp: integer milliseconds, from the epoch to well past today. */
const timestampMs = fc.oneof(fc.constantFrom(0, 1, 999, 1_700_000_000_123), fc.integer({ min: 0, max: 2 ** 42 }));

function seriesArb(
  kind: Kind,
  labelCount: number,
  infoNames: fc.Arbitrary<string[]>,
  states: number,
  withQuantiles: boolean,
): fc.Arbitrary<SeriesModel> {
  const numbers =
    kind === 'counter'
      ? fc.array(finiteNonNegative, { maxLength: 4 })
      : kind === 'histogram'
        ? fc.array(observation, { maxLength: 6 })
        : kind === 'summary'
          ? fc.array(withQuantiles ? quantileObservation : observation, { maxLength: 12 })
          : fc.constant([] as number[]);
  return fc.record({
    values: fc.array(labelValue, { minLength: labelCount, maxLength: labelCount }),
    numbers,
    gaugeOps: kind === 'gauge' ? fc.array(gaugeOp, { maxLength: 3 }) : fc.constant([] as GaugeOp[]),
    facts:
      kind === 'info'
        ? fc.option(
            infoNames.chain((names) =>
              fc
                .tuple(...names.map((n) => fc.tuple(fc.constant(n), labelValue)))
                .map((pairs) => Object.fromEntries(pairs)),
            ),
            { nil: undefined },
          )
        : fc.constant(undefined),
    state: fc.nat({ max: Math.max(0, states - 1) }),
  });
}

/**
 * One metric. Its name starts with `m<index>` (so names stay distinct, escaped or not); with
 * `utf8`, the words may be joined by characters outside the legacy set (not in an enum's name,
 * which is also its state label's name).
 */
function metricArb(index: number, utf8: boolean, constantNames: readonly string[]): fc.Arbitrary<MetricModel> {
  return fc
    .record({
      kind: fc.constantFrom<Kind>('counter', 'gauge', 'histogram', 'summary', 'info', 'enum'),
      underscore: fc.boolean(),
      words: fc.array(segment, { minLength: 1, maxLength: 2 }),
      separators: fc.array(nameSeparator(utf8), { minLength: 2, maxLength: 2 }),
      help,
      unit: fc.constantFrom('', '', 'seconds', 'bytes', 'celsius', 'ratio'),
      labelNames: labelNamesArb(utf8, constantNames, { maxLength: 3 }),
      buckets: fc.uniqueArray(
        fc
          .oneof(
            {
              weight: 4,
              arbitrary: fc.oneof(
                fc.constantFrom(0, 5e-324, 1, 2.5, 1e21, 1.7e308),
                fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }),
              ),
            },
            // Negative bounds: OpenMetrics then allows no _sum.
            {
              weight: 1,
              arbitrary: fc.oneof(
                fc.constantFrom(-1, -5e-324, -1.7e308),
                fc.double({ max: 0, noNaN: true, noDefaultInfinity: true }),
              ),
            },
          )
          .map((b) => (b === 0 ? 0 : b)),
        { minLength: 1, maxLength: 5 },
      ),
      percentiles: fc.oneof(
        fc.constant([] as number[]),
        fc.uniqueArray(fc.constantFrom(0, 0.01, 0.5, 0.9, 0.99, 1), { minLength: 1 }),
      ),
      states: fc.uniqueArray(labelValue, { minLength: 1, maxLength: 4 }),
      infoNames: labelNamesArb(utf8, constantNames, { minLength: 1, maxLength: 3 }),
      seriesCount: fc.nat({ max: 4 }),
    })
    .chain((m) => {
      const [first, between] = m.kind === 'enum' ? ['_', '_'] : m.separators;
      const name = `${m.underscore ? '_' : ''}m${index}${first}${m.words.join(between)}`;
      const unit = m.kind === 'info' || m.kind === 'enum' ? '' : m.unit;
      // An enum's state label is named like the metric; an info's facts may not repeat its labels.
      const labelNames = m.labelNames.filter((n) => n !== name);
      const escapedLabels = new Set(labelNames.map((n) => labelNameAs(n, 'underscores')));
      const infoNames = fc.constant(m.infoNames.filter((n) => !escapedLabels.has(labelNameAs(n, 'underscores'))));
      const withQuantiles = m.kind === 'summary' && m.percentiles.length > 0;
      const one = seriesArb(m.kind, labelNames.length, infoNames, m.states.length, withQuantiles);
      const series =
        labelNames.length === 0
          ? fc.tuple(one).map((s) => [...s])
          : fc.uniqueArray(one, { maxLength: m.seriesCount, selector: (s) => JSON.stringify(s.values) });
      return series.map(
        (s): MetricModel => ({
          kind: m.kind,
          name,
          help: m.help,
          unit,
          labelNames,
          buckets: [...m.buckets].sort((a, b) => a - b),
          percentiles: [...m.percentiles].sort((a, b) => a - b),
          states: m.states,
          series: s,
        }),
      );
    });
}

/** A collector's family: named `c<index>…`, so it never meets a metric's names. */
function collectedArb(
  index: number,
  utf8: boolean,
  constantNames: readonly string[],
): fc.Arbitrary<CollectedFamilyModel> {
  return fc
    .record({
      type: fc.constantFrom<CollectedKind>('counter', 'gauge', 'unknown'),
      separator: nameSeparator(utf8),
      word: segment,
      help,
      labelNames: labelNamesArb(utf8, constantNames, { maxLength: 2 }),
    })
    .chain((f) => {
      const value = f.type === 'counter' ? finiteNonNegative : anyNumber;
      const one = fc.record({
        values: fc.array(labelValue, { minLength: f.labelNames.length, maxLength: f.labelNames.length }),
        value,
        timestamp: fc.option(timestampMs, { nil: undefined }),
      });
      const series =
        f.labelNames.length === 0
          ? fc.tuple(one).map((s) => [...s])
          : fc.uniqueArray(one, { maxLength: 3, selector: (s) => JSON.stringify(s.values) });
      const family = { type: f.type, name: `c${index}${f.separator}${f.word}`, help: f.help, labelNames: f.labelNames };
      return series.map((s): CollectedFamilyModel => ({ ...family, series: s }));
    });
}

/** Random registries; by default legacy names and metrics only, as {@link CaseOptions} says. */
export function caseArb(options: CaseOptions = {}): fc.Arbitrary<CaseModel> {
  const utf8 = options.utf8Names === true;
  return fc
    .record({
      constantNames: labelNamesArb(utf8, [], { maxLength: 2 }),
      count: fc.integer({ min: 1, max: 5 }),
      collectedCount: options.collectors ? fc.integer({ min: 0, max: 3 }) : fc.constant(0),
      createdAt: fc.option(fc.integer({ min: 0, max: 2 ** 42 }), { nil: undefined }),
    })
    .chain(({ constantNames, count, collectedCount, createdAt }) =>
      fc
        .tuple(
          fc.tuple(...constantNames.map(() => labelValue)),
          fc.tuple(...Array.from({ length: count }, (_, i) => metricArb(i, utf8, constantNames))),
          fc.tuple(...Array.from({ length: collectedCount }, (_, i) => collectedArb(i, utf8, constantNames))),
        )
        .map(([values, metrics, collected]): CaseModel => {
          const constantLabels = Object.fromEntries(constantNames.map((n, i) => [n, values[i]!]));
          return { constantLabels, metrics, createdAt, ...(options.collectors ? { collected } : {}) };
        }),
    );
}

// ---------------------------------------------------------------------------------------------
// Building the registry from the model

/** The registry a model describes (`_created` as of the real clock: fake Date to control it). */
export function build(model: CaseModel): Registry {
  const registry = new Registry({ labels: model.constantLabels, created: model.createdAt !== undefined });
  for (const m of model.metrics) {
    const unit = m.unit ? { unit: m.unit } : {};
    const common = { name: m.name, help: m.help, labelNames: m.labelNames, registry, ...unit };
    switch (m.kind) {
      case 'counter': {
        const c = new Counter(common);
        for (const s of m.series) {
          const child = c.labels(...s.values);
          for (const n of s.numbers) child.inc(n);
        }
        break;
      }
      case 'gauge': {
        const g = new Gauge(common);
        for (const s of m.series) {
          const child = g.labels(...s.values);
          for (const [op, n] of s.gaugeOps) child[op](n);
        }
        break;
      }
      case 'histogram': {
        const h = new Histogram({ ...common, buckets: m.buckets });
        for (const s of m.series) {
          const child = h.labels(...s.values);
          for (const n of s.numbers) child.observe(n);
        }
        break;
      }
      case 'summary': {
        const sm = new Summary({ ...common, percentiles: m.percentiles });
        for (const s of m.series) {
          const child = sm.labels(...s.values);
          for (const n of s.numbers) child.observe(n);
        }
        break;
      }
      case 'info': {
        const i = new Info(common);
        for (const s of m.series) {
          const child = i.labels(...s.values);
          if (s.facts) child.info(s.facts);
        }
        break;
      }
      case 'enum': {
        const e = new Enum({ ...common, states: m.states });
        for (const s of m.series) e.labels(...s.values).state(m.states[s.state]!);
        break;
      }
    }
  }
  if (model.collected !== undefined && model.collected.length > 0) {
    const families: CollectedFamily[] = model.collected.map((f) => ({
      name: f.name,
      help: f.help,
      type: f.type,
      samples: f.series.map((s) => ({
        labels: Object.fromEntries(f.labelNames.map((n, i) => [n, s.values[i]!])),
        value: s.value,
        ...(s.timestamp === undefined ? {} : { timestamp: s.timestamp }),
      })),
    }));
    registry.registerCollector(() => families, 'modelCollector');
  }
  return registry;
}

// ---------------------------------------------------------------------------------------------
// What readers must get back

/** The formats whose readings the model predicts. */
export type ModelFormat = 'text' | 'openmetrics' | 'protobuf';

export interface Expected {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
  /** The sample's timestamp in milliseconds, when it has one. */
  readonly timestampMs?: number;
  /** For quantile samples: the exact quantile of the observations, checked against the stated bound. */
  readonly exactQuantile?: number;
  /** The body may or may not have this sample (a quantile whose estimate's sign the model cannot tell). */
  readonly optional?: boolean;
}

/**
 * Whether OpenMetrics shows a quantile sample: negative estimates are left out. An exact
 * quantile >= 0 (or NaN, no observations) gives an estimate >= 0; one at or below -1e-9 lands in a
 * negative bucket; between them the estimate is 0 or the (negative) maximum, either way.
 */
function quantileShown(exact: number): 'yes' | 'no' | 'either' {
  if (Number.isNaN(exact) || exact >= 0) return 'yes';
  return exact <= -1e-9 ? 'no' : 'either';
}

/** A metric's family name: its base name and unit. */
export function fullName(m: MetricModel): string {
  return m.unit === '' || m.name.endsWith(`_${m.unit}`) ? m.name : `${m.name}_${m.unit}`;
}

const HAS_CREATED: readonly Kind[] = ['counter', 'histogram', 'summary'];

/** The constant labels a family keeps: those it does not define itself. */
function constantsFor(model: CaseModel, own: ReadonlySet<string>): Record<string, string> {
  return Object.fromEntries(Object.entries(model.constantLabels).filter(([k]) => !own.has(k)));
}

/**
 * The samples a reader must get, names written under `names`. OpenMetrics forbids negative and NaN
 * sums, a histogram's _sum beside a negative bucket bound, a histogram's _count without its _sum,
 * and negative quantiles: those samples are not in its body (the text formats and protobuf keep
 * them all).
 */
export function expectedSamples(model: CaseModel, format: ModelFormat, names: NameScheme = 'underscores'): Expected[] {
  const om = format === 'openmetrics';
  const raw: Expected[] = [];
  for (const m of model.metrics) {
    const name = fullName(m);
    // The family's own label names (with an info's facts and an enum's state label) win over constant labels.
    const own = new Set<string>(m.labelNames);
    if (m.kind === 'enum') own.add(name);
    if (m.kind === 'info') for (const s of m.series) for (const k of Object.keys(s.facts ?? {})) own.add(k);
    const constant = constantsFor(model, own);
    for (const s of m.series) {
      const own = Object.fromEntries(m.labelNames.map((n, i) => [n, s.values[i]!]));
      const labels: Record<string, string> = { ...constant, ...own };
      switch (m.kind) {
        case 'counter':
          raw.push({ name: `${name}_total`, labels, value: s.numbers.reduce((a, b) => a + b, 0) });
          break;
        case 'gauge': {
          let v = 0;
          for (const [op, n] of s.gaugeOps) v = op === 'set' ? n : op === 'inc' ? v + n : v - n;
          raw.push({ name, labels, value: v });
          break;
        }
        case 'histogram': {
          for (const b of [...m.buckets, Infinity]) {
            const value = s.numbers.filter((n) => n <= b).length;
            raw.push({ name: `${name}_bucket`, labels: { ...labels, le: String(b) }, value });
          }
          const sum = s.numbers.reduce((a, b) => a + b, 0);
          if (!om || (sum >= 0 && m.buckets.every((b) => b >= 0))) {
            raw.push({ name: `${name}_count`, labels, value: s.numbers.length });
            raw.push({ name: `${name}_sum`, labels, value: sum });
          }
          break;
        }
        case 'summary': {
          const sorted = [...s.numbers].sort((a, b) => a - b);
          for (const q of m.percentiles) {
            const exactQuantile = sorted.length === 0 ? NaN : sorted[Math.floor(q * (sorted.length - 1))]!;
            const shown = om ? quantileShown(exactQuantile) : 'yes';
            if (shown === 'no') continue;
            const quantileLabels = { ...labels, quantile: String(q) };
            raw.push({ name, labels: quantileLabels, value: NaN, exactQuantile, optional: shown === 'either' });
          }
          raw.push({ name: `${name}_count`, labels, value: s.numbers.length });
          const sum = s.numbers.reduce((a, b) => a + b, 0);
          if (!om || sum >= 0) raw.push({ name: `${name}_sum`, labels, value: sum });
          break;
        }
        case 'info':
          raw.push({ name: `${name}_info`, labels: { ...labels, ...s.facts }, value: 1 });
          break;
        case 'enum':
          m.states.forEach((state, i) => {
            raw.push({ name, labels: { ...labels, [name]: state }, value: i === s.state ? 1 : 0 });
          });
          break;
      }
      if (model.createdAt !== undefined && HAS_CREATED.includes(m.kind)) {
        raw.push({ name: `${name}_created`, labels, value: model.createdAt / 1000 });
      }
    }
  }
  for (const f of model.collected ?? []) {
    const constant = constantsFor(model, new Set(f.labelNames));
    for (const s of f.series) {
      const labels = { ...constant, ...Object.fromEntries(f.labelNames.map((n, i) => [n, s.values[i]!])) };
      const name = f.type === 'counter' ? `${f.name}_total` : f.name;
      raw.push({ name, labels, value: s.value, ...(s.timestamp === undefined ? {} : { timestampMs: s.timestamp }) });
    }
  }
  // The family name is escaped as a whole and the suffix added; the suffixes are legacy, so this is
  // the same as escaping the sample name.
  return raw.map((e) => ({ ...e, name: metricNameAs(e.name, names), labels: labelsAs(e.labels, names) }));
}

/**
 * The families a text or OpenMetrics body declares, as JSON text of its HELP and TYPE lines (and
 * UNIT for OpenMetrics): name as written under `names`, type, help (unescaped), unit.
 */
export function expectedFamilies(
  model: CaseModel,
  format: 'text' | 'openmetrics',
  names: NameScheme = 'underscores',
): string[] {
  const as = (name: string): string => metricNameAs(name, names);
  const fromMetrics = model.metrics.flatMap((m) => {
    const name = fullName(m);
    if (format === 'text') {
      const [n, t] =
        m.kind === 'counter'
          ? [`${name}_total`, 'counter']
          : m.kind === 'info'
            ? [`${name}_info`, 'gauge']
            : m.kind === 'enum'
              ? [name, 'gauge']
              : [name, m.kind];
      const family = JSON.stringify([as(n), t, m.help]);
      // The text format has no _created in families: it is a gauge family of its own.
      const created = model.createdAt !== undefined && HAS_CREATED.includes(m.kind) && m.series.length > 0;
      return created ? [family, JSON.stringify([as(`${name}_created`), 'gauge', m.help])] : [family];
    }
    const t = m.kind === 'enum' ? 'stateset' : m.kind;
    return [JSON.stringify([as(name), t, m.help, m.unit])];
  });
  const fromCollector = (model.collected ?? []).map((f) => {
    if (format === 'openmetrics') return JSON.stringify([as(f.name), f.type, f.help, '']);
    const n = f.type === 'counter' ? `${f.name}_total` : f.name;
    return JSON.stringify([as(n), f.type === 'unknown' ? 'untyped' : f.type, f.help]);
  });
  return [...fromMetrics, ...fromCollector];
}

/** metrics.proto's MetricType of each kind, as decoded (info and stateset are gauges). */
const PROTOBUF_TYPES: Readonly<Record<Kind | CollectedKind, string>> = {
  counter: 'COUNTER',
  gauge: 'GAUGE',
  histogram: 'HISTOGRAM',
  summary: 'SUMMARY',
  info: 'GAUGE',
  enum: 'GAUGE',
  unknown: 'UNTYPED',
};

/**
 * The MetricFamily messages a protobuf body holds, as JSON text of name, type, help and unit:
 * families with at least one series only, a counter named with `_total` and an info with `_info`
 * (as client_golang names them and Prometheus stores them).
 */
export function expectedProtobufFamilies(model: CaseModel, names: NameScheme = 'underscores'): string[] {
  const as = (name: string): string => metricNameAs(name, names);
  const suffix = (kind: Kind | CollectedKind): string =>
    kind === 'counter' ? '_total' : kind === 'info' ? '_info' : '';
  const family = (name: string, kind: Kind | CollectedKind, help: string, unit: string): string =>
    JSON.stringify([as(name) + suffix(kind), PROTOBUF_TYPES[kind], help, unit]);
  return [
    ...model.metrics.filter((m) => m.series.length > 0).map((m) => family(fullName(m), m.kind, m.help, m.unit)),
    ...(model.collected ?? []).filter((f) => f.series.length > 0).map((f) => family(f.name, f.type, f.help, '')),
  ];
}

/** Whether a model has a name outside the legacy set anywhere (metric, label, fact, constant label). */
export function hasUtf8Names(model: CaseModel): boolean {
  const collected = model.collected ?? [];
  const metricNames = [...model.metrics.map(fullName), ...collected.map((f) => f.name)];
  const labelNames = [
    ...Object.keys(model.constantLabels),
    ...model.metrics.flatMap((m) => [...m.labelNames, ...m.series.flatMap((s) => Object.keys(s.facts ?? {}))]),
    ...collected.flatMap((f) => f.labelNames),
  ];
  return metricNames.some((n) => !isLegacyName(n)) || labelNames.some((n) => labelNameAs(n, 'underscores') !== n);
}

// ---------------------------------------------------------------------------------------------
// Comparing a reading with the model

/** A sample as a reader reports it. */
export interface ReadSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** Milliseconds since the epoch, when the sample has a timestamp. */
  readonly timestampMs?: number;
}

/** A label value of `le`/`quantile` compared as the number it spells. */
function numericLabel(v: string): string {
  return v === '+Inf' ? 'Infinity' : String(Number(v));
}

/**
 * A sample as comparable text: name, labels sorted (`le`/`quantile` as numbers), value (NaN equal
 * to NaN, -0 kept), timestamp.
 */
export function keyOf(
  name: string,
  labels: Readonly<Record<string, string>>,
  value: number | 'quantile',
  timestampMs?: number,
): string {
  const sorted = Object.keys(labels)
    .sort()
    .map((k) => [k, k === 'le' || k === 'quantile' ? numericLabel(labels[k]!) : labels[k]]);
  const v = value === 'quantile' ? value : Number.isNaN(value) ? 'NaN' : Object.is(value, -0) ? '-0' : String(value);
  return JSON.stringify([name, sorted, v, timestampMs ?? null]);
}

function withinStatedBound(estimate: number, exact: number): boolean {
  if (Number.isNaN(exact)) return Number.isNaN(estimate);
  // Beyond the stated range (±Infinity observed): the top bucket, or the min or max itself.
  if (!Number.isFinite(exact)) return Math.sign(estimate) === Math.sign(exact) && Math.abs(estimate) >= 1e15 * 0.99;
  if (Math.abs(exact) < 1e-9) return Math.abs(estimate - exact) <= 1e-9;
  return Math.abs(estimate - exact) <= 0.01 * Math.abs(exact) * (1 + 1e-12);
}

export interface CompareOptions {
  /** The reader turns "-0" into 0 (Python's OpenMetrics parser reads it as the int 0). */
  readonly losesNegativeZero?: boolean;
}

/**
 * Checks a reading against the expected samples: exactly the same samples (quantile estimates
 * within the summary's stated error instead of equal), and no others. Throws (for fast-check) on
 * any difference; `context` (the body) goes into the message.
 */
export function compareSamples(
  expected: readonly Expected[],
  read: readonly ReadSample[],
  label: string,
  context: string,
  options: CompareOptions = {},
): void {
  const quantileKey = (e: { name: string; labels: Readonly<Record<string, string>>; timestampMs?: number }): string =>
    keyOf(e.name, e.labels, 'quantile', e.timestampMs);
  const withQuantile = expected.filter((e) => e.exactQuantile !== undefined);
  const quantiles = new Map(withQuantile.map((e) => [quantileKey(e), e.exactQuantile!]));
  const readKeys = read.map((s) => {
    const qKey = quantileKey(s);
    const exact = quantiles.get(qKey);
    if (exact === undefined || !('quantile' in s.labels)) return keyOf(s.name, s.labels, s.value, s.timestampMs);
    expect(withinStatedBound(s.value, exact), `${label}: ${qKey} = ${s.value}, exact ${exact}`).to.equal(true);
    return qKey;
  });
  const readSet = new Set(readKeys);
  const expectedKeys = expected
    .filter((e) => !e.optional || readSet.has(quantileKey(e)))
    .map((e) => {
      if (e.exactQuantile !== undefined) return quantileKey(e);
      const value = options.losesNegativeZero && Object.is(e.value, -0) ? 0 : e.value;
      return keyOf(e.name, e.labels, value, e.timestampMs);
    });
  expect([...readKeys].sort(), `${label} samples\n${context}`).to.deep.equal([...expectedKeys].sort());
}

/**
 * A family as Python's parser reports it, in the form of {@link expectedFamilies} (what the body
 * declares): the text parser names a counter family without its `_total` and calls `untyped`
 * `unknown`.
 */
export function pythonFamily(format: 'text' | 'openmetrics', f: ParsedFamily): string {
  if (format === 'openmetrics') return JSON.stringify([f.name, f.type, f.help, f.unit]);
  const name = f.type === 'counter' ? `${f.name}_total` : f.name;
  return JSON.stringify([name, f.type === 'unknown' ? 'untyped' : f.type, f.help]);
}

/** Checks one Python parser's reading against the model; throws (for fast-check) on any difference. */
export function checkPython(model: CaseModel, format: 'text' | 'openmetrics', result: ParseResult, body: string): void {
  if (!result.ok) throw new Error(`${format} parser refused the body: ${result.error}\n${body}`);
  const got = result.families.map((f) => pythonFamily(format, f));
  expect(got, `${format} families\n${body}`).to.deep.equal(expectedFamilies(model, format));
  const read = result.families.flatMap((f) =>
    f.samples.map((s) => ({
      name: s.name,
      labels: s.labels,
      value: s.value,
      ...(s.timestamp === null ? {} : { timestampMs: Math.round(s.timestamp * 1000) }),
    })),
  );
  // The OpenMetrics parser reads "-0" as the int 0: the sign is the parser's to lose.
  compareSamples(expectedSamples(model, format), read, format, body, { losesNegativeZero: format === 'openmetrics' });
}
