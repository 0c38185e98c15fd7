/**
 * Property-based round trips: random registries (the model in spec/support/registry-model.ts:
 * names, help, label values with quotes, backslashes, newlines and non-ASCII; values including
 * NaN, ±Inf, -0, 5e-324 and 1.7e308) are rendered in both formats; `promtool check metrics` must
 * accept the text body, and Python's prometheus_client text and OpenMetrics parsers must read the
 * bodies back to exactly the samples the model predicts. One Python process serves a whole run;
 * promtool runs per case. Every `?name[]=` filter over each generated registry is rendered and
 * parsed too, and strings with lone surrogates must be refused wherever they enter.
 * formats-property.spec.ts takes the same model through all four formats.
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
import {
  anyNumber,
  build,
  caseArb,
  char,
  checkPython,
  help,
  keyOf,
  labelValue,
  type CaseModel,
  type Kind,
} from '../support/registry-model.js';
import { hasPromtool, hasPythonClient, requireTool } from '../support/tools.js';

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
  'labelObject',
  'help',
  'info',
  'state',
  'constant',
  'collectorLabel',
  'collectorHelp',
] as const;
type Entry = (typeof ENTRIES)[number];

// biome-ignore lint/suspicious/noExplicitAny: every metric type's children, whose methods differ
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
      expect((error as Error).message, entry)
        .to.include(naming)
        .and.to.include('well-formed')
        .and.to.include(shown);
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
      fc.asyncProperty(caseArb(), async (model) => {
        const clock =
          model.createdAt === undefined ? undefined : sinon.useFakeTimers({ now: model.createdAt, toFake: ['Date'] });
        let registry: Registry;
        try {
          registry = build(model);
        } finally {
          clock?.restore();
        }
        const text = await registry.metrics('text');
        const openmetrics = await registry.metrics('openmetrics');
        const [textResult, omResult] = await Promise.all([
          parsers.parse('text', text),
          parsers.parse('openmetrics', openmetrics),
        ]);
        checkPython(model, 'text', textResult, text);
        checkPython(model, 'openmetrics', omResult, openmetrics);
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
      series: fc.uniqueArray(
        fc.tuple(fc.string({ unit: char, maxLength: 24 }), fc.string({ unit: char, maxLength: 24 }), anyNumber),
        {
          minLength: 1,
          maxLength: 40,
          selector: ([a, b]) => JSON.stringify([a, b]),
        },
      ),
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
              series: series.map(([a, b, v]) => ({
                values: [a, b],
                numbers: [],
                gaugeOps: [['set', v]],
                facts: undefined,
                state: 0,
              })),
            },
          ],
        };
        const registry = build(model);
        const text = await registry.metrics('text');
        const openmetrics = await registry.metrics('openmetrics');
        const [textResult, omResult] = await Promise.all([
          parsers.parse('text', text),
          parsers.parse('openmetrics', openmetrics),
        ]);
        checkPython(model, 'text', textResult, text);
        checkPython(model, 'openmetrics', omResult, openmetrics);
        const lint = promtoolCheck(text);
        if (!lint.ok) throw new Error(`promtool check metrics refused the body: ${lint.output}\n${text}`);
      }),
      { numRuns: 60 },
    );
  });
});
