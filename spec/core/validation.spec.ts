import { expect } from 'chai';
import { Counter, Enum, Gauge, Histogram, Info, Registry, Summary } from '../../lib/index.js';
import { isLegacyLabelName } from '../../lib/exposition/names.js';

type Make = (registry: Registry, name: unknown, labelNames?: unknown, extra?: object) => unknown;

/** Each type through the options form and the positional form. */
const MAKERS: Record<string, Make> = {
  Counter: (registry, name, labelNames, extra) =>
    new Counter({ name, help: 'h', labelNames, registry, ...extra } as never),
  'Counter (positional)': (registry, name, labelNames, extra) =>
    new Counter(name as string, 'h', labelNames as never, { registry, ...extra }),
  Gauge: (registry, name, labelNames, extra) => new Gauge({ name, help: 'h', labelNames, registry, ...extra } as never),
  'Gauge (positional)': (registry, name, labelNames, extra) =>
    new Gauge(name as string, 'h', labelNames as never, { registry, ...extra }),
  Histogram: (registry, name, labelNames, extra) =>
    new Histogram({ name, help: 'h', labelNames, registry, ...extra } as never),
  Summary: (registry, name, labelNames, extra) =>
    new Summary({ name, help: 'h', labelNames, registry, ...extra } as never),
  Info: (registry, name, labelNames, extra) => new Info({ name, help: 'h', labelNames, registry, ...extra } as never),
  Enum: (registry, name, labelNames, extra) =>
    new Enum({ name, help: 'h', labelNames, states: ['a'], registry, ...extra } as never),
  'Enum (positional)': (registry, name, labelNames, extra) =>
    new Enum(name as string, 'h', labelNames as never, { states: ['a'], registry, ...extra }),
};

// Prometheus 3 names: any non-empty UTF-8 string; label names without the reserved "__" prefix.
const GOOD_NAMES = [
  'a',
  'abc_def',
  'A9_b',
  '_leading',
  'ns:sub:name',
  ':colon',
  '__dunder',
  'http.server.duration',
  'has-dash',
  'has space',
  '9lives',
  'ünïcode',
  'cpu😀',
  'tab\t',
  'a\nb',
  'quote"back\\',
];
// A lone surrogate has no UTF-8 encoding.
const BAD_NAMES: unknown[] = ['', '\uD800', 'a\uDC00b', 'x\uD83D', 42, null, undefined, {}];
const GOOD_LABELS = ['a', '_x', 'Upper', 'with_digits_9', 'http.method', 'a:b', 'a-b', 'a b', 'é', '9a', '_', '😀'];
const BAD_LABELS: unknown[] = ['', '__reserved', '__', '__é', '\uD800', 'a\uDC00', 5, null];

/** Runs `fn`, which must throw, and checks the registry is exactly as before. */
async function throwsAndChangesNothing(
  registry: Registry,
  fn: () => unknown,
  type: typeof TypeError | typeof RangeError,
  ...fragments: string[]
): Promise<void> {
  const before = await registry.metrics();
  const names = registry.getMetrics();
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error, 'expected a throw').to.be.instanceOf(type);
  for (const fragment of fragments) expect((error as Error).message).to.include(fragment);
  expect(registry.getMetrics()).to.deep.equal(names);
  expect(await registry.metrics()).to.equal(before);
}

function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : value === undefined ? 'undefined' : JSON.stringify(value);
}

describe('validation', () => {
  let registry: Registry;
  beforeEach(() => {
    registry = new Registry();
    new Gauge({ name: 'already_here', help: 'h', labelNames: ['x'], registry }).labels('1').set(1);
  });

  for (const [type, make] of Object.entries(MAKERS)) {
    describe(type, () => {
      it('accepts metric names of the data model', () => {
        for (const name of GOOD_NAMES) {
          // An enum's name is also its state label's name: Enum refuses what is not a legacy label name.
          if (type.startsWith('Enum') && !isLegacyLabelName(name)) continue;
          expect(() => make(registry, name), name).not.to.throw();
        }
      });

      for (const name of BAD_NAMES) {
        // A positional first argument that is an object is the options form.
        if (type.includes('positional') && typeof name === 'object' && name !== null) continue;
        it(`refuses the metric name ${shown(name)} with a TypeError naming it; nothing changes`, async () => {
          await throwsAndChangesNothing(registry, () => make(registry, name), TypeError, shown(name));
        });
      }

      it('accepts label names of the data model', () => {
        // Each alone: several of them are one name to some scraper (a:b, a-b and a b are all a_b
        // under underscores), which a metric refuses (spec/core/wire-collisions.spec.ts).
        GOOD_LABELS.forEach((label, i) => expect(() => make(registry, `labeled_${i}`, [label]), label).not.to.throw());
      });

      for (const label of BAD_LABELS) {
        it(`refuses the label name ${shown(label)} with a TypeError naming the metric and it; nothing changes`, async () => {
          await throwsAndChangesNothing(
            registry,
            () => make(registry, 'bad_label', ['ok', label]),
            TypeError,
            'bad_label',
            shown(label),
          );
        });
      }

      it('refuses a repeated label name, and labelNames that are not an array', async () => {
        await throwsAndChangesNothing(registry, () => make(registry, 'dup', ['a', 'b', 'a']), TypeError, 'dup', '"a"');
        await throwsAndChangesNothing(registry, () => make(registry, 'notarray', 'a'), TypeError, 'notarray', '"a"');
      });

      it('refuses a help that is not a string, a bad unit and a bad registry', async () => {
        const base = type.replace(' (positional)', '');
        const withHelp = (help: unknown) => () =>
          ({
            Counter: () => new Counter({ name: 'nohelp', help, registry } as never),
            Gauge: () => new Gauge({ name: 'nohelp', help, registry } as never),
            Histogram: () => new Histogram({ name: 'nohelp', help, registry } as never),
            Summary: () => new Summary({ name: 'nohelp', help, registry } as never),
            Info: () => new Info({ name: 'nohelp', help, registry } as never),
            Enum: () => new Enum({ name: 'nohelp', help, states: ['a'], registry } as never),
          })[base]!();
        await throwsAndChangesNothing(registry, withHelp(undefined), TypeError, 'nohelp', 'help');
        await throwsAndChangesNothing(registry, withHelp(3), TypeError, 'nohelp', '3');
        await throwsAndChangesNothing(
          registry,
          () => make(registry, 'badunit', [], { unit: 'mil-li' }),
          TypeError,
          'badunit',
          '"mil-li"',
        );
        await throwsAndChangesNothing(
          registry,
          () => make(registry, 'badreg', [], { registry: {} }),
          TypeError,
          'badreg',
          'registry',
        );
      });
    });
  }

  it('le is reserved on histograms only', async () => {
    await throwsAndChangesNothing(
      registry,
      () => new Histogram({ name: 'h', help: 'h', labelNames: ['le'], registry }),
      TypeError,
      'h',
      '"le"',
    );
    expect(() => new Gauge({ name: 'g_le', help: 'h', labelNames: ['le'], registry })).not.to.throw();
  });

  it('quantile is reserved on summaries only', async () => {
    await throwsAndChangesNothing(
      registry,
      () => new Summary({ name: 's', help: 'h', labelNames: ['quantile'], registry }),
      TypeError,
      's',
      '"quantile"',
    );
    expect(() => new Histogram({ name: 'h_q', help: 'h', labelNames: ['quantile'], registry })).not.to.throw();
  });

  it('namespace and subsystem are validated and prefixed with "_", UTF-8 or not', async () => {
    const c = new Counter({
      name: 'requests',
      help: 'h',
      namespace: 'shop',
      subsystem: 'http',
      registry,
    } as never) as Counter;
    expect(c.name).to.equal('shop_http_requests');
    const prefixed = (extra: object) => () => new Counter({ name: 'requests', help: 'h', registry, ...extra } as never);
    const utf8 = prefixed({ namespace: 'my.shop', subsystem: 'http.server' })();
    expect(utf8.name).to.equal('my.shop_http.server_requests');
    await throwsAndChangesNothing(registry, prefixed({ namespace: 'bad\uD800' }), TypeError, '"bad\\ud800"');
    await throwsAndChangesNothing(registry, prefixed({ subsystem: 7 }), TypeError, '7');
  });

  it('UTF-8 names reach every entry point: metrics, labels, info facts, constant labels, collectors', async () => {
    const utf8 = new Registry({ labels: { 'service.name': 'shop' } });
    const labelNames = ['http.method'];
    const histogram = new Histogram({ name: 'http.server.duration', help: 'h', labelNames, registry: utf8 });
    histogram.labels({ 'http.method': 'GET' }).observe(0.2);
    new Info({ name: 'build', help: 'h', registry: utf8 }).info({ 'git.commit': 'abc' });
    new Counter({ name: 'température', help: 'h', unit: 'celsius', registry: utf8 }).inc();
    const samples = [{ labels: { 'queue.name': 'a' }, value: 3 }];
    utf8.registerCollector(() => [{ name: 'queue.depth', help: 'h', type: 'gauge' as const, samples }]);
    const names = (await utf8.collect()).map((f) => f.name);
    expect(names).to.include.members(['http.server.duration', 'build', 'température_celsius', 'queue.depth']);
    expect(utf8.getMetric('http.server.duration')).to.equal(histogram);
  });

  it('a unit keeps its rule: [a-zA-Z0-9_]+', async () => {
    const withUnit = () => new Gauge({ name: 'g.unit', help: 'h', unit: 'milli.seconds', registry });
    await throwsAndChangesNothing(registry, withUnit, TypeError, '"milli.seconds"');
  });

  it('a unit is appended to the name unless it already ends with it', () => {
    expect(new Gauge({ name: 'mem', help: 'h', unit: 'bytes', registry }).name).to.equal('mem_bytes');
    expect(new Gauge({ name: 'disk_bytes', help: 'h', unit: 'bytes', registry }).name).to.equal('disk_bytes');
  });

  it('the positional form refuses a fourth argument that is not an options object', async () => {
    await throwsAndChangesNothing(
      registry,
      () => new Counter('c4', 'h', [], 'nope' as never),
      TypeError,
      'c4',
      '"nope"',
    );
  });

  it('Registry options must be an object', () => {
    expect(() => new Registry(5 as never)).to.throw(TypeError, /5/);
  });
});
