/**
 * Property-based round trips: random registries (names, help, label values with quotes,
 * backslashes, newlines and non-ASCII; values including NaN, ±Inf, -0, 5e-324 and 1.7e308) are
 * rendered in both formats; `promtool check metrics` must accept the text body, and Python's
 * prometheus_client text and OpenMetrics parsers must read the bodies back to exactly the
 * samples the model predicts. One Python process serves a whole run; promtool runs per case.
 *
 * The generated metrics are lint-clean (promtool lints: counters end in `_total`, no type or
 * abbreviated unit in names, snake_case, no `le`/`quantile` outside histograms/summaries).
 * Observations take every value but NaN (negative, ±Infinity, -0) and histogram bounds may be
 * negative: the model predicts which samples OpenMetrics leaves out (negative or NaN sums, a
 * histogram's _sum and _count beside a negative bound, negative quantiles) and the text format
 * keeps. Every `?name[]=` filter over each generated registry is rendered and parsed too, and
 * strings with lone surrogates must be refused wherever they enter.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import sinon from 'sinon';
import {
  CollectionError,
  Counter,
  Enum,
  Gauge,
  Histogram,
  Info,
  Registry,
  Summary,
  renderExposition,
  type CollectedFamily,
  type Metric,
  type MetricType,
} from '../../lib/index.js';
import { filterFamilies } from '../../lib/server/name-filter.js';
import { PythonParsers, promtoolCheck, type ParsedFamily, type ParseResult } from '../support/exposition-tools.js';
import { hasPromtool, hasPythonClient, requireTool } from '../support/tools.js';

// ---------------------------------------------------------------------------------------------
// The model

type Kind = 'counter' | 'gauge' | 'histogram' | 'summary' | 'info' | 'enum';
type GaugeOp = readonly ['set' | 'inc' | 'dec', number];

interface SeriesModel {
  readonly values: readonly string[];
  /** counter: increments; histogram/summary: observations. */
  readonly numbers: readonly number[];
  readonly gaugeOps: readonly GaugeOp[];
  readonly facts: Readonly<Record<string, string>> | undefined;
  readonly state: number;
}

interface MetricModel {
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

interface CaseModel {
  readonly constantLabels: Readonly<Record<string, string>>;
  readonly metrics: readonly MetricModel[];
  /** When set, the registry exposes `_created`, and the clock (Date) reads this many ms. */
  readonly createdAt?: number;
}

// ---------------------------------------------------------------------------------------------
// Generators

const UNIT_WORDS = [
  'amperes', 'bytes', 'celsius', 'grams', 'joules', 'kelvin', 'meters', 'metres', 'seconds', 'volts', 'minutes', 'hours', 'days', 'weeks',
  'kelvins', 'fahrenheit', 'rankine', 'inches', 'yards', 'miles', 'bits', 'calories', 'pounds', 'ounces',
];
const RESERVED_WORDS = ['counter', 'gauge', 'histogram', 'summary', 'untyped', 'total', 'count', 'sum', 'bucket', 'info', 'created'];

/** A name segment promtool's linter has nothing to say about. */
const segment = fc
  .oneof(fc.stringMatching(/^[a-z][a-z0-9]{3,7}$/), fc.stringMatching(/^[A-Z][A-Z0-9]{3,7}$/))
  .filter((s) => {
    const lower = s.toLowerCase();
    return !RESERVED_WORDS.includes(lower) && !UNIT_WORDS.some((u) => lower.endsWith(u));
  });

const labelName = fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/).filter((n) => !n.startsWith('__') && n !== 'le' && n !== 'quantile');

/** Characters that break naive escaping, and arbitrary ones. */
const TRICKY_CHARS = ['"', '\\', '\n', '\\n', ',', '|', '=', '{', '}', ' ', ' # ', '\t', '\r', 'é', '€', '中', '😀', '\u0000', '\u2028', 'x'];
const char = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...TRICKY_CHARS) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);
const labelValue = fc.string({ unit: char, maxLength: 8 });
/** Help text: anything inside; it starts and ends with a letter so that no parser trims it. */
const help = fc.string({ unit: char, maxLength: 16 }).map((s) => `h${s}.`);

const SPECIAL = [NaN, Infinity, -Infinity, -0, 0, 5e-324, -5e-324, 1.7e308, -1.7e308, 0.1, 1e21, 123456789012345680000];
const anyNumber = fc.oneof(fc.constantFrom(...SPECIAL), fc.double());
const finiteNonNegative = fc.oneof(fc.constantFrom(0, -0, 5e-324, 1.7e308, 1, 0.1), fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }));
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
  fc.tuple(fc.constantFrom('inc' as const, 'dec' as const), anyNumber.filter((n) => !Number.isNaN(n))),
);

function seriesArb(kind: Kind, labelCount: number, infoNames: fc.Arbitrary<string[]>, states: number, withQuantiles: boolean): fc.Arbitrary<SeriesModel> {
  const numbers =
    kind === 'counter' ? fc.array(finiteNonNegative, { maxLength: 4 }) :
    kind === 'histogram' ? fc.array(observation, { maxLength: 6 }) :
    kind === 'summary' ? fc.array(withQuantiles ? quantileObservation : observation, { maxLength: 12 }) :
    fc.constant([] as number[]);
  return fc.record({
    values: fc.array(labelValue, { minLength: labelCount, maxLength: labelCount }),
    numbers,
    gaugeOps: kind === 'gauge' ? fc.array(gaugeOp, { maxLength: 3 }) : fc.constant([] as GaugeOp[]),
    facts:
      kind === 'info'
        ? fc.option(infoNames.chain((names) => fc.tuple(...names.map((n) => fc.tuple(fc.constant(n), labelValue))).map((pairs) => Object.fromEntries(pairs))), { nil: undefined })
        : fc.constant(undefined),
    state: fc.nat({ max: Math.max(0, states - 1) }),
  });
}

function metricArb(index: number): fc.Arbitrary<MetricModel> {
  return fc
    .record({
      kind: fc.constantFrom<Kind>('counter', 'gauge', 'histogram', 'summary', 'info', 'enum'),
      underscore: fc.boolean(),
      words: fc.array(segment, { minLength: 1, maxLength: 2 }),
      help,
      unit: fc.constantFrom('', '', 'seconds', 'bytes', 'celsius', 'ratio'),
      labelNames: fc.uniqueArray(labelName, { maxLength: 3 }),
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
      percentiles: fc.oneof(fc.constant([] as number[]), fc.uniqueArray(fc.constantFrom(0, 0.01, 0.5, 0.9, 0.99, 1), { minLength: 1 })),
      states: fc.uniqueArray(labelValue, { minLength: 1, maxLength: 4 }),
      infoNames: fc.uniqueArray(labelName, { minLength: 1, maxLength: 3 }),
      seriesCount: fc.nat({ max: 4 }),
    })
    .chain((m) => {
      const name = `${m.underscore ? '_' : ''}m${index}_${m.words.join('_')}`;
      const unit = m.kind === 'info' || m.kind === 'enum' ? '' : m.unit;
      // An enum's state label is named like the metric; an info's facts may not repeat its labels.
      const labelNames = m.labelNames.filter((n) => n !== name);
      const infoNames = fc.constant(m.infoNames.filter((n) => !labelNames.includes(n)));
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

const caseArb: fc.Arbitrary<CaseModel> = fc
  .record({
    constantLabels: fc.dictionary(labelName, labelValue, { maxKeys: 2 }),
    count: fc.integer({ min: 1, max: 5 }),
    createdAt: fc.option(fc.integer({ min: 0, max: 2 ** 42 }), { nil: undefined }),
  })
  .chain(({ constantLabels, count, createdAt }) =>
    fc.tuple(...Array.from({ length: count }, (_, i) => metricArb(i))).map((metrics) => ({ constantLabels, metrics, createdAt })),
  );

// ---------------------------------------------------------------------------------------------
// Building the registry from the model

function build(model: CaseModel): Registry {
  const registry = new Registry({ labels: model.constantLabels, created: model.createdAt !== undefined });
  for (const m of model.metrics) {
    const common = { name: m.name, help: m.help, labelNames: m.labelNames, registry, ...(m.unit ? { unit: m.unit } : {}) };
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
  return registry;
}

// ---------------------------------------------------------------------------------------------
// What the parsers must read back

interface Expected {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
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

function fullName(m: MetricModel): string {
  return m.unit === '' || m.name.endsWith(`_${m.unit}`) ? m.name : `${m.name}_${m.unit}`;
}

/**
 * The samples a parser must read back. OpenMetrics forbids negative and NaN sums, a histogram's
 * _sum beside a negative bucket bound, a histogram's _count without its _sum, and negative
 * quantiles: those samples are not in its body (the text format keeps them all).
 */
function expectedSamples(model: CaseModel, format: 'text' | 'openmetrics'): Expected[] {
  const om = format === 'openmetrics';
  const out: Expected[] = [];
  for (const m of model.metrics) {
    const name = fullName(m);
    // The family's own label names (with an info's facts and an enum's state label) win over constant labels.
    const own = new Set<string>(m.labelNames);
    if (m.kind === 'enum') own.add(name);
    if (m.kind === 'info') for (const s of m.series) for (const k of Object.keys(s.facts ?? {})) own.add(k);
    const constant = Object.fromEntries(Object.entries(model.constantLabels).filter(([k]) => !own.has(k)));
    for (const s of m.series) {
      const labels: Record<string, string> = { ...constant, ...Object.fromEntries(m.labelNames.map((n, i) => [n, s.values[i]!])) };
      switch (m.kind) {
        case 'counter':
          out.push({ name: `${name}_total`, labels, value: s.numbers.reduce((a, b) => a + b, 0) });
          break;
        case 'gauge': {
          let v = 0;
          for (const [op, n] of s.gaugeOps) v = op === 'set' ? n : op === 'inc' ? v + n : v - n;
          out.push({ name, labels, value: v });
          break;
        }
        case 'histogram': {
          for (const b of [...m.buckets, Infinity]) {
            out.push({ name: `${name}_bucket`, labels: { ...labels, le: String(b) }, value: s.numbers.filter((n) => n <= b).length });
          }
          const sum = s.numbers.reduce((a, b) => a + b, 0);
          if (!om || (sum >= 0 && m.buckets.every((b) => b >= 0))) {
            out.push({ name: `${name}_count`, labels, value: s.numbers.length });
            out.push({ name: `${name}_sum`, labels, value: sum });
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
            out.push({ name, labels: quantileLabels, value: NaN, exactQuantile, optional: shown === 'either' });
          }
          out.push({ name: `${name}_count`, labels, value: s.numbers.length });
          const sum = s.numbers.reduce((a, b) => a + b, 0);
          if (!om || sum >= 0) out.push({ name: `${name}_sum`, labels, value: sum });
          break;
        }
        case 'info':
          out.push({ name: `${name}_info`, labels: { ...labels, ...s.facts }, value: 1 });
          break;
        case 'enum':
          m.states.forEach((state, i) => out.push({ name, labels: { ...labels, [name]: state }, value: i === s.state ? 1 : 0 }));
          break;
      }
      if (model.createdAt !== undefined && HAS_CREATED.includes(m.kind)) out.push({ name: `${name}_created`, labels, value: model.createdAt / 1000 });
    }
  }
  return out;
}

const HAS_CREATED: readonly Kind[] = ['counter', 'histogram', 'summary'];

function expectedFamilies(model: CaseModel, format: 'text' | 'openmetrics'): string[] {
  return model.metrics.flatMap((m) => {
    const name = fullName(m);
    if (format === 'text') {
      const [n, t] = m.kind === 'info' ? [`${name}_info`, 'gauge'] : m.kind === 'enum' ? [name, 'gauge'] : [name, m.kind];
      const family = JSON.stringify([n, t, m.help]);
      // The text format has no _created in families: it is a gauge family of its own.
      const created = model.createdAt !== undefined && HAS_CREATED.includes(m.kind) && m.series.length > 0;
      return created ? [family, JSON.stringify([`${name}_created`, 'gauge', m.help])] : [family];
    }
    const t = m.kind === 'enum' ? 'stateset' : m.kind;
    return [JSON.stringify([name, t, m.help, m.unit])];
  });
}

/** A label value of `le`/`quantile` compared as the number it spells. */
function numericLabel(v: string): string {
  return v === '+Inf' ? 'Infinity' : String(Number(v));
}

function keyOf(name: string, labels: Readonly<Record<string, string>>, value: number | 'quantile'): string {
  const sorted = Object.keys(labels)
    .sort()
    .map((k) => [k, k === 'le' || k === 'quantile' ? numericLabel(labels[k]!) : labels[k]]);
  const v = value === 'quantile' ? value : Number.isNaN(value) ? 'NaN' : Object.is(value, -0) ? '-0' : String(value);
  return JSON.stringify([name, sorted, v]);
}

function withinStatedBound(estimate: number, exact: number): boolean {
  if (Number.isNaN(exact)) return Number.isNaN(estimate);
  // Beyond the stated range (±Infinity observed): the top bucket, or the min or max itself.
  if (!Number.isFinite(exact)) return Math.sign(estimate) === Math.sign(exact) && Math.abs(estimate) >= 1e15 * 0.99;
  if (Math.abs(exact) < 1e-9) return Math.abs(estimate - exact) <= 1e-9;
  return Math.abs(estimate - exact) <= 0.01 * Math.abs(exact) * (1 + 1e-12);
}

/** Checks one parser's reading against the model; throws (for fast-check) on any difference. */
function check(model: CaseModel, format: 'text' | 'openmetrics', result: ParseResult, body: string): void {
  if (!result.ok) throw new Error(`${format} parser refused the body: ${result.error}\n${body}`);
  const families = result.families;
  const got = families.map((f: ParsedFamily) => JSON.stringify(format === 'text' ? [f.name, f.type, f.help] : [f.name, f.type, f.help, f.unit]));
  expect(got, `${format} families\n${body}`).to.deep.equal(expectedFamilies(model, format));

  const expected = expectedSamples(model, format);
  const quantileSamples = new Map(expected.filter((e) => e.exactQuantile !== undefined).map((e) => [keyOf(e.name, e.labels, 'quantile'), e.exactQuantile!]));
  const parsedKeys: string[] = [];
  for (const f of families) {
    for (const s of f.samples) {
      const qKey = keyOf(s.name, s.labels, 'quantile');
      const exact = quantileSamples.get(qKey);
      if (exact !== undefined && 'quantile' in s.labels) {
        expect(withinStatedBound(s.value, exact), `${format}: ${qKey} = ${s.value}, exact ${exact}`).to.equal(true);
        parsedKeys.push(qKey);
      } else {
        parsedKeys.push(keyOf(s.name, s.labels, s.value));
      }
    }
  }
  const parsedSet = new Set(parsedKeys);
  const present = expected.filter((e) => !e.optional || parsedSet.has(keyOf(e.name, e.labels, 'quantile')));
  const expectedKeys = present.map((e) => {
    if (e.exactQuantile !== undefined) return keyOf(e.name, e.labels, 'quantile');
    // The OpenMetrics parser reads "-0" as the int 0: the sign is the parser's to lose.
    const value = format === 'openmetrics' && Object.is(e.value, -0) ? 0 : e.value;
    return keyOf(e.name, e.labels, value);
  });
  expect([...parsedKeys].sort(), `${format} samples\n${body}`).to.deep.equal([...expectedKeys].sort());
}

// ---------------------------------------------------------------------------------------------
// ?name[]= filters

/** The sample names a `name[]` filter can ask for besides a family's name, by type (both formats' names). */
const SAMPLE_SUFFIXES: Readonly<Record<MetricType, readonly string[]>> = {
  counter: ['_total', '_created'],
  histogram: ['_bucket', '_count', '_sum', '_created'],
  summary: ['_count', '_sum', '_created'],
  info: ['_info'],
  gauge: [],
  stateset: [],
  unknown: [],
};

/**
 * Every single-name filter over the registry, one of every sample name at once, and a name that
 * is not there: each filtered OpenMetrics body must parse, hold only samples of the whole body, and
 * hold every sample of the whole body that was asked for by its name or its family's.
 */
async function checkFilters(parsers: PythonParsers, registry: Registry, whole: ParsedFamily[]): Promise<void> {
  const families = await registry.collect();
  const familyNames = new Set(families.map((f) => f.name));
  const single = families.flatMap((f) => [f.name, ...SAMPLE_SUFFIXES[f.type].map((suffix) => f.name + suffix)]);
  const filters = [...single.map((name) => [name]), single.filter((name) => !familyNames.has(name)), ['nothing_here']];
  const bodies = filters.map((names) => renderExposition(filterFamilies(families, new Set(names)), 'openmetrics'));
  const results = await Promise.all(bodies.map((body) => parsers.parse('openmetrics', body)));
  const wholeKeys = new Set(whole.flatMap((f) => f.samples.map((s) => keyOf(s.name, s.labels, s.value))));
  results.forEach((result, i) => {
    const names = new Set(filters[i]);
    const context = `filtered by name[]=${[...names].join(',')}\n${bodies[i]}`;
    if (!result.ok) throw new Error(`the OpenMetrics parser refused the body ${context}: ${result.error}`);
    const got = new Set(result.families.flatMap((f) => f.samples.map((s) => keyOf(s.name, s.labels, s.value))));
    for (const key of got) expect(wholeKeys.has(key), `${key} is not in the whole body; ${context}`).to.equal(true);
    for (const family of whole) {
      for (const s of family.samples) {
        const key = keyOf(s.name, s.labels, s.value);
        const asked = names.has(s.name) || names.has(family.name);
        if (asked) expect(got.has(key), `${key} is missing; ${context}`).to.equal(true);
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Lone surrogates

/** A string with a lone surrogate somewhere in it. */
const withLoneSurrogate = fc
  .tuple(labelValue, fc.integer({ min: 0xd800, max: 0xdfff }), labelValue)
  .map(([before, code, after]) => before + String.fromCharCode(code) + after)
  .filter((text) => !(text as unknown as { isWellFormed(): boolean }).isWellFormed());

/** Where a string enters: label values (both forms), help, info values, enum states, constant labels, collectors. */
const ENTRIES = [
  'label',
  'labelObject', 'help', 'info', 'state', 'constant', 'collectorLabel', 'collectorHelp'] as const;
type Entry = (typeof ENTRIES)[number];

function labeledMetric(kind: Kind, registry: Registry, help = 'h'): Metric<'l', any> {
  const config = { name: `${kind}_lone`, help, labelNames: ['l' as const], registry };
  switch (kind) {
    case 'counter':
      return new Counter(config);
    case 'gauge':
      return new Gauge(config);
    case 'histogram':
      return new Histogram(config);
    case 'summary':
      return new Summary({ ...config, percentiles: [0.5] });
    case 'info':
      return new Info(config);
    case 'enum':
      return new Enum({ ...config, states: ['a', 'b'] });
  }
}

/** Tries the string where `entry` takes it: the attempt must throw a TypeError naming where and showing the value. */
async function refusedAt(entry: Entry, kind: Kind, bad: string): Promise<void> {
  const registry = new Registry({ labels: { zone: 'eu' } });
  const metric = labeledMetric(kind, registry);
  metric.labels('x');
  const facts = new Info({ name: 'lone_facts', help: 'f', registry });
  facts.info({ version: '1' });
  const before = await registry.metrics('openmetrics');
  const shown = JSON.stringify(bad);
  const refused = (attempt: () => unknown, naming: string): void => {
    expect(attempt, entry).to.throw(TypeError);
    try {
      attempt();
    } catch (error) {
      expect((error as Error).message, entry).to.include(naming).and.to.include('well-formed').and.to.include(shown);
    }
  };
  switch (entry) {
    case 'label':
      refused(() => metric.labels(bad), `Metric ${kind}_lone: label "l"`);
      break;
    case 'labelObject':
      refused(() => metric.labels({ l: bad }), `Metric ${kind}_lone: label "l"`);
      break;
    case 'help':
      refused(() => labeledMetric(kind, registry, bad), `${kind}_lone: help`);
      break;
    case 'info':
      refused(() => facts.info({ version: bad }), 'Info lone_facts: info label "version"');
      break;
    case 'state':
      refused(() => new Enum({ name: 'lone_states', help: 's', states: ['ok', bad], registry }), 'Enum lone_states');
      break;
    case 'constant':
      refused(() => registry.setDefaultLabels({ zone: bad }), 'label "zone"');
      refused(() => new Registry({ labels: { zone: bad } }), 'label "zone"');
      break;
    case 'collectorLabel':
    case 'collectorHelp': {
      const help = entry === 'collectorHelp' ? bad : 'c';
      const labels: Record<string, string> = entry === 'collectorLabel' ? { l: bad } : {};
      const family: CollectedFamily = { name: 'lone_collected', help, type: 'gauge', samples: [{ labels, value: 1 }] };
      const collector = (): CollectedFamily[] => [family];
      registry.registerCollector(collector, 'loneCollector');
      let error: unknown;
      await registry.metrics('openmetrics').catch((e: unknown) => (error = e));
      expect(error, entry).to.be.instanceOf(CollectionError);
      const message = (error as Error).message;
      for (const part of ['loneCollector', 'lone_collected', 'well-formed', shown]) expect(message).to.include(part);
      registry.unregisterCollector(collector);
      break;
    }
  }
  expect(await registry.metrics('openmetrics'), `${entry}: nothing changed`).to.equal(before);
  expect(registry.getDefaultLabels()).to.deep.equal({ zone: 'eu' });
}

// ---------------------------------------------------------------------------------------------

describe('property: random registries round-trip through promtool and prometheus_client', () => {
  let python: PythonParsers | undefined;
  after(() => python?.close());

  it('text and OpenMetrics bodies are accepted and read back to the same samples', async function () {
    requireTool(this, 'promtool', hasPromtool());
    requireTool(this, 'python3-prometheus-client', hasPythonClient());
    python ??= new PythonParsers();
    const parsers = python;
    await fc.assert(
      fc.asyncProperty(caseArb, async (model) => {
        const clock = model.createdAt === undefined ? undefined : sinon.useFakeTimers({ now: model.createdAt, toFake: ['Date'] });
        let registry: Registry;
        try {
          registry = build(model);
        } finally {
          clock?.restore();
        }
        const text = await registry.metrics('text');
        const openmetrics = await registry.metrics('openmetrics');
        const [textResult, omResult] = await Promise.all([parsers.parse('text', text), parsers.parse('openmetrics', openmetrics)]);
        check(model, 'text', textResult, text);
        check(model, 'openmetrics', omResult, openmetrics);
        await checkFilters(parsers, registry, (omResult as ParseResult & { ok: true }).families);
        const lint = promtoolCheck(text);
        if (!lint.ok) throw new Error(`promtool check metrics refused the body: ${lint.output}\n${text}`);
      }),
      { numRuns: 150 },
    );
  });

  it('strings with lone surrogates are refused wherever they enter, and change nothing', async () => {
    const entries = fc.constantFrom<Entry>(...ENTRIES);
    const kinds = fc.constantFrom<Kind>('counter', 'gauge', 'histogram', 'summary', 'info', 'enum');
    await fc.assert(fc.asyncProperty(entries, kinds, withLoneSurrogate, refusedAt), { numRuns: 200 });
  });

  it('many series of one gauge with arbitrary label values and values read back exactly', async function () {
    requireTool(this, 'promtool', hasPromtool());
    requireTool(this, 'python3-prometheus-client', hasPythonClient());
    python ??= new PythonParsers();
    const parsers = python;
    const many = fc.record({
      help,
      series: fc.uniqueArray(fc.tuple(fc.string({ unit: char, maxLength: 24 }), fc.string({ unit: char, maxLength: 24 }), anyNumber), {
        minLength: 1,
        maxLength: 40,
        selector: ([a, b]) => JSON.stringify([a, b]),
      }),
    });
    await fc.assert(
      fc.asyncProperty(many, async ({ help: h, series }) => {
        const model: CaseModel = {
          constantLabels: {},
          metrics: [
            {
              kind: 'gauge',
              name: 'many_series',
              help: h,
              unit: '',
              labelNames: ['first', 'second'],
              buckets: [],
              percentiles: [],
              states: [],
              series: series.map(([a, b, v]) => ({ values: [a, b], numbers: [], gaugeOps: [['set', v]], facts: undefined, state: 0 })),
            },
          ],
        };
        const registry = build(model);
        const text = await registry.metrics('text');
        const openmetrics = await registry.metrics('openmetrics');
        const [textResult, omResult] = await Promise.all([parsers.parse('text', text), parsers.parse('openmetrics', openmetrics)]);
        check(model, 'text', textResult, text);
        check(model, 'openmetrics', omResult, openmetrics);
        const lint = promtoolCheck(text);
        if (!lint.ok) throw new Error(`promtool check metrics refused the body: ${lint.output}\n${text}`);
      }),
      { numRuns: 60 },
    );
  });
});
