/**
 * Every options object of the public API is checked the same way: an unknown key is a TypeError naming
 * the call, the key and the known keys, with a hint for prom-client's and Python's names and near-miss
 * typos; a refused call registers nothing. A metric of another class under a registered name is an
 * error naming both classes; an identical re-declaration returns the registered metric.
 */
import { expect } from 'chai';
import {
  CountExceptions,
  Counter,
  Enum,
  Gauge,
  GaugeInProgress,
  Histogram,
  Info,
  Registry,
  Summary,
  Timed,
  collectDefaultMetrics,
  defaultRegistry,
  exposeMetrics,
  metricsHandler,
} from '../../lib/index.js';
import { checkOptions } from '../../lib/options.js';

/** The error `fn` throws; fails the test when it returns. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

/** The error `promise` rejects with; fails the test when it resolves (closing a server it started). */
async function rejected(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    async (value) => {
      await (value as { close?: () => Promise<void> } | undefined)?.close?.();
      return undefined;
    },
    (error: unknown) => error as Error,
  );
  if (outcome === undefined) throw new Error('expected a rejection');
  return outcome;
}

type Options = Record<string, unknown>;
/** Each metric type in its options-object form, with what it needs besides name and help. */
const OBJECT_FORM: Record<string, (options: Options) => unknown> = {
  Counter: (o) => new Counter(o as never),
  Gauge: (o) => new Gauge(o as never),
  Histogram: (o) => new Histogram(o as never),
  Summary: (o) => new Summary(o as never),
  Info: (o) => new Info(o as never),
  Enum: (o) => new Enum({ states: ['a'], ...o } as never),
};
/** Each metric type in Python's positional form; `extra` is the fourth argument. */
const POSITIONAL_FORM: Record<string, (name: string, extra: Options) => unknown> = {
  Counter: (name, extra) => new Counter(name, 'h', [], extra as never),
  Gauge: (name, extra) => new Gauge(name, 'h', [], extra as never),
  Histogram: (name, extra) => new Histogram(name, 'h', [], extra as never),
  Summary: (name, extra) => new Summary(name, 'h', [], extra as never),
  Info: (name, extra) => new Info(name, 'h', [], extra as never),
  Enum: (name, extra) => new Enum(name, 'h', [], { states: ['a'], ...extra } as never),
};

let serial = 0;
const uniqueName = (stem: string): string => `prometric_options_spec_${stem}_${++serial}`;

describe('options: one validator for every options object', () => {
  describe('metric constructors', () => {
    let registry: Registry;
    beforeEach(() => {
      registry = new Registry();
    });

    /** The unknown keys of the issue, each with the hint its error must carry for a given type. */
    const CASES: ReadonlyArray<readonly [string, (r: Registry) => unknown, (type: string) => RegExp]> = [
      ['registers', (r) => [r], () => /prom-client's "registers" is called "registry" here/],
      ['lableNames', () => ['a'], () => /did you mean "labelNames"\?/],
      [
        'bucket',
        () => [1, 2],
        (type) => (type === 'Histogram' ? /did you mean "buckets"\?/ : /"buckets" is an option of Histogram only/),
      ],
      ['collect', () => () => undefined, () => /use setFunction\(\) \(Gauge\) or registry\.registerCollector\(\)/],
      [
        'colour',
        () => 'red',
        () => /; the options are name, help, labelNames, registry, unit, namespace, subsystem, maxSeries/,
      ],
    ];

    for (const type of Object.keys(OBJECT_FORM)) {
      for (const [key, value, hint] of CASES) {
        it(`${type} with "${key}": a TypeError naming the metric, the key and the hint; nothing registered`, () => {
          const name = uniqueName(key);
          const error = thrown(() => OBJECT_FORM[type]!({ name, help: 'h', registry, [key]: value(registry) }));
          expect(error).to.be.instanceOf(TypeError);
          expect(error.message).to.include(`${type} ${name}: unknown option "${key}"`);
          expect(error.message).to.match(hint(type));
          expect(registry.getMetrics()).to.deep.equal([]);
          expect(defaultRegistry.getMetric(name)).to.equal(undefined);
        });

        it(`${type} (positional) with "${key}" in the fourth argument: the same error; nothing registered`, () => {
          const name = uniqueName(`${key}_positional`);
          const error = thrown(() => POSITIONAL_FORM[type]!(name, { registry, [key]: value(registry) }));
          expect(error).to.be.instanceOf(TypeError);
          expect(error.message).to.include(`${type} ${name}`).and.include(`unknown option "${key}"`);
          if (key !== 'colour') expect(error.message).to.match(hint(type));
          expect(registry.getMetrics()).to.deep.equal([]);
          expect(defaultRegistry.getMetric(name)).to.equal(undefined);
        });
      }
    }

    it('lists the known keys of each type, its own options included', () => {
      const known = (type: string): string =>
        thrown(() => OBJECT_FORM[type]!({ name: uniqueName('k'), help: 'h', registry, x: 1 })).message;
      expect(known('Histogram')).to.match(
        /the options are name, help, labelNames, registry, unit, namespace, subsystem, maxSeries, buckets, native$/,
      );
      expect(known('Summary')).to.match(/maxSeries, percentiles, maxAgeSeconds, ageBuckets, quantileError$/);
      expect(known('Enum')).to.match(/maxSeries, states$/);
      expect(known('Counter')).to.match(/subsystem, maxSeries$/);
    });

    it("points at the type that has an option, and at prom-client's and Python's names", () => {
      const message = (make: () => unknown): string => thrown(make).message;
      const base = (): Options => ({ name: uniqueName('hint'), help: 'h', registry });
      expect(message(() => new Summary({ ...base(), quantiles: [0.5] } as never))).to.match(
        /did you mean "percentiles"\?/,
      );
      expect(message(() => new Histogram({ ...base(), maxAgeSeconds: 60 } as never))).to.match(
        /"maxAgeSeconds" is an option of Summary only/,
      );
      expect(message(() => new Histogram({ ...base(), percentiles: [0.5] } as never))).to.match(
        /"percentiles" is an option of Summary only/,
      );
      expect(message(() => new Gauge({ ...base(), states: ['a'] } as never))).to.match(
        /"states" is an option of Enum only/,
      );
      expect(message(() => new Summary({ ...base(), agebuckets: 5 } as never))).to.match(/did you mean "ageBuckets"\?/);
      expect(message(() => new Counter({ ...base(), labelnames: ['a'] } as never))).to.match(
        /did you mean "labelNames"\?/,
      );
      expect(message(() => new Counter({ ...base(), aggregator: 'sum' } as never))).to.match(
        /"aggregator".*no cluster aggregation/,
      );
      expect(message(() => new Counter({ ...base(), enableExemplars: true } as never))).to.match(/exemplars/);
      expect(message(() => new Counter({ ...base(), documentation: 'd' } as never))).to.match(
        /Python's "documentation" is called "help" here/,
      );
      expect(message(() => new Gauge({ ...base(), multiprocess_mode: 'all' } as never))).to.match(/multi-process mode/);
      expect(message(() => new Counter({ ...base(), labels: ['a'] } as never))).to.match(/did you mean "labelNames"\?/);
      expect(registry.getMetrics()).to.deep.equal([]);
    });

    it('in the positional form, says which argument name, help and labelNames are', () => {
      const name = uniqueName('positional');
      expect(thrown(() => new Counter(name, 'h', undefined, { labelNames: ['a'] } as never)).message).to.match(
        /unknown option "labelNames".*third argument/,
      );
      expect(thrown(() => new Gauge(name, 'h', [], { help: 'x' } as never)).message).to.match(
        /unknown option "help".*second argument/,
      );
      expect(registry.getMetrics()).to.deep.equal([]);
      expect(defaultRegistry.getMetric(name)).to.equal(undefined);
    });

    it('still takes every known option, and undefined for the fourth argument', () => {
      const all = { registry, unit: 'seconds', namespace: 'ns', subsystem: 'sub', labelNames: ['a'] };
      expect(new Histogram({ name: 'h', help: 'h', buckets: [1], ...all }).name).to.equal('ns_sub_h_seconds');
      const quantiles = { percentiles: [0.5], maxAgeSeconds: 60, ageBuckets: 2, quantileError: 0.05 };
      expect(new Summary({ name: 's', help: 'h', ...quantiles, ...all }).percentiles).to.deep.equal([0.5]);
      const { unit: _enumsHaveNoUnit, ...enumOptions } = all;
      expect(new Enum({ name: 'e', help: 'h', states: ['x'], ...enumOptions }).states).to.deep.equal(['x']);
      const name = uniqueName('undefined_extra');
      expect(new Counter(name, 'h', ['a'], undefined).registry).to.equal(defaultRegistry);
      defaultRegistry.unregister(name);
    });
  });

  describe('Registry', () => {
    it('new Registry() refuses an unknown option, with a hint', () => {
      const error = thrown(() => new Registry({ lables: { a: 'b' } } as never));
      expect(error).to.be.instanceOf(TypeError);
      expect(error.message).to.match(
        /Registry: unknown option "lables" \(did you mean "labels"\?\); the options are labels, created/,
      );
      expect(() => new Registry({ created: 'yes' } as never)).to.throw(
        TypeError,
        /Registry: options\.created must be a boolean, got "yes"/,
      );
    });

    it('metrics() and collect() refuse unknown options before collecting anything', async () => {
      const registry = new Registry();
      let calls = 0;
      registry.registerCollector(() => {
        calls++;
        return [];
      });
      const metrics = await rejected(registry.metrics('text', { escapng: 'values' } as never));
      expect(metrics).to.be.instanceOf(TypeError);
      expect(metrics.message).to.match(
        /Registry\.metrics: unknown option "escapng" \(did you mean "escaping"\?\); the options are escaping/,
      );
      const collect = await rejected(registry.collect({ timeout: 5 } as never));
      expect(collect).to.be.instanceOf(TypeError);
      expect(collect.message).to.match(
        /Registry\.collect: unknown option "timeout" \(did you mean "timeoutMs"\?\); the options are timeoutMs, signal/,
      );
      expect(calls).to.equal(0);
    });
  });

  describe('server', () => {
    it('exposeMetrics and metricsHandler refuse unknown options with the same hints', async () => {
      const credentials = { username: 'a', password: 'b' };
      const basicAuth = await rejected(exposeMetrics(0, { host: '127.0.0.1', basicauth: credentials } as never));
      expect(basicAuth).to.be.instanceOf(TypeError);
      expect(basicAuth.message).to.match(
        /exposeMetrics: unknown option "basicauth" \(did you mean "basicAuth"\?\); the options are gzip, basicAuth/,
      );
      const addr = await rejected(exposeMetrics(0, { addr: '127.0.0.1' } as never));
      expect(addr.message).to.match(/unknown option "addr" \(Python's "addr" is called "host" here\)/);
      const path = thrown(() => metricsHandler(undefined, { path: '/x' } as never));
      expect(path).to.be.instanceOf(TypeError);
      expect(path.message).to.match(
        /metricsHandler: unknown option "path" \("path" is an option of exposeMetrics only\)/,
      );
      const registry = thrown(() => metricsHandler(undefined, { registry: new Registry() } as never));
      expect(registry.message).to.match(/metricsHandler: unknown option "registry" \(.*first argument/);
    });
  });

  describe('collectDefaultMetrics', () => {
    it("refuses prom-client's names and typos, and registers nothing", () => {
      const registry = new Registry();
      const register = thrown(() => collectDefaultMetrics({ registry, register: registry } as never));
      expect(register).to.be.instanceOf(TypeError);
      expect(register.message).to.match(
        /collectDefaultMetrics: unknown option "register" \(prom-client's "register" is called "registry" here\)/,
      );
      const typo = thrown(() => collectDefaultMetrics({ registry, prefx: 'a_' } as never));
      expect(typo.message).to.match(
        /unknown option "prefx" \(did you mean "prefix"\?\); the options are registry, prefix/,
      );
      expect(registry.getMetrics()).to.deep.equal([]);
    });
  });

  describe('decorators', () => {
    let registry: Registry;
    let histogram: Histogram<'route'>;
    let gauge: Gauge;
    let counter: Counter;
    beforeEach(() => {
      registry = new Registry();
      histogram = new Histogram({ name: 'latency', help: 'h', labelNames: ['route'], registry });
      gauge = new Gauge({ name: 'in_flight', help: 'h', registry });
      counter = new Counter({ name: 'failures', help: 'h', registry });
    });

    it('@Timed and metric.time() refuse an unknown option, with a hint', () => {
      const timed = thrown(() => Timed(histogram, { lables: { route: '/a' } } as never));
      expect(timed).to.be.instanceOf(TypeError);
      expect(timed.message).to.match(
        /@Timed\(latency\): unknown option "lables" \(did you mean "labels"\?\); the options are labels/,
      );
      expect(thrown(() => histogram.time({ route: '/a' } as never)).message).to.match(
        /@Timed\(latency\): unknown option "route"/,
      );
      expect(thrown(() => Timed(histogram, null as never)).message).to.match(
        /@Timed\(latency\): options must be an object, got null/,
      );
    });

    it('@GaugeInProgress and gauge.trackInProgress() refuse an unknown option, with a hint', () => {
      const tracked = thrown(() => GaugeInProgress(gauge, { label: {} } as never));
      expect(tracked).to.be.instanceOf(TypeError);
      expect(tracked.message).to.match(
        /@GaugeInProgress\(in_flight\): unknown option "label" \(did you mean "labels"\?\)/,
      );
      expect(thrown(() => gauge.trackInProgress({ colour: 1 } as never)).message).to.match(
        /unknown option "colour"; the options are labels/,
      );
    });

    it('@CountExceptions refuses an unknown option the same way', () => {
      const error = thrown(() => CountExceptions(counter, { onyl: [Error] } as never));
      expect(error).to.be.instanceOf(TypeError);
      expect(error.message).to.match(
        /@CountExceptions\(failures\): unknown option "onyl" \(did you mean "only"\?\); the options are only, labels/,
      );
      expect(thrown(() => counter.countExceptions({ lables: {} } as never)).message).to.match(
        /did you mean "labels"\?/,
      );
    });
  });

  describe('checkOptions itself', () => {
    it('takes a plain object with known keys, and undefined values of known keys', () => {
      expect(() => checkOptions('f', { a: 1, b: undefined }, ['a', 'b'])).not.to.throw();
    });

    it('refuses what is not an options object', () => {
      for (const bad of [null, 5, 'x', [1], () => 1]) {
        expect(() => checkOptions('f', bad, ['a']), String(bad)).to.throw(
          TypeError,
          /^f: options must be an object, got /,
        );
      }
    });

    it('hints at a near miss only when it is near', () => {
      const message = (key: string, known: readonly string[]): string =>
        thrown(() => checkOptions('f', { [key]: 1 }, known)).message;
      expect(message('gzp', ['gzip'])).to.equal('f: unknown option "gzp" (did you mean "gzip"?); the options are gzip');
      expect(message('TLS', ['tls'])).to.match(/did you mean "tls"\?/);
      expect(message('xyz', ['tls'])).to.equal('f: unknown option "xyz"; the options are tls');
      expect(message('colour', ['name', 'help'])).to.equal('f: unknown option "colour"; the options are name, help');
      // Transposed letters count as one edit.
      expect(message('lableNames', ['labelNames', 'labels'])).to.match(/did you mean "labelNames"\?/);
    });

    it('gives a shared hint only where the key it points to exists', () => {
      expect(thrown(() => checkOptions('f', { registers: [] }, ['registry'])).message).to.match(/"registry"/);
      expect(thrown(() => checkOptions('f', { registers: [] }, ['gzip'])).message).to.equal(
        'f: unknown option "registers"; the options are gzip',
      );
    });
  });
});

describe('registration: a name belongs to one class', () => {
  let registry: Registry;
  beforeEach(() => {
    registry = new Registry();
  });

  class MyCounter extends Counter {}
  class OtherCounter extends Counter {}

  it('a subclass under a name a Counter holds is an error naming both classes and the metric', () => {
    const first = new Counter({ name: 'jobs', help: 'h', registry });
    const error = thrown(() => new MyCounter({ name: 'jobs', help: 'h', registry }));
    expect(error.message)
      .to.include('jobs')
      .and.include('MyCounter')
      .and.match(/\bCounter\b/);
    expect(registry.getMetric('jobs')).to.equal(first);
    expect(registry.getMetrics()).to.deep.equal([first]);
  });

  it('a Counter under a name a subclass holds, or another subclass, is an error too', () => {
    const mine = new MyCounter({ name: 'jobs', help: 'h', registry });
    expect(() => new Counter({ name: 'jobs', help: 'h', registry })).to.throw(/jobs.*MyCounter|MyCounter.*jobs/);
    expect(() => new OtherCounter({ name: 'jobs', help: 'h', registry })).to.throw(/OtherCounter/);
    expect(registry.getMetrics()).to.deep.equal([mine]);
  });

  it('the same subclass twice with an identical definition returns the first', () => {
    const first = new MyCounter({ name: 'jobs', help: 'h', registry });
    first.inc(3);
    const second = new MyCounter({ name: 'jobs', help: 'h', registry });
    expect(second).to.equal(first);
    expect(second).to.be.instanceOf(MyCounter);
    expect(second.get()).to.equal(3);
  });

  it('an identical Counter twice still returns the registered one', () => {
    const first = new Counter('jobs', 'h', ['a'], { registry });
    expect(new Counter({ name: 'jobs', help: 'h', labelNames: ['a'], registry })).to.equal(first);
  });

  it('a Gauge where a Counter is names both classes', () => {
    const counter = new Counter({ name: 'jobs', help: 'h', registry });
    const error = thrown(() => new Gauge({ name: 'jobs', help: 'h', registry }));
    expect(error.message)
      .to.include('jobs')
      .and.match(/\bCounter\b/)
      .and.match(/\bGauge\b/);
    expect(registry.getMetrics()).to.deep.equal([counter]);
  });

  it('registry.register() of a metric of another class under a held name names both classes', () => {
    new Counter({ name: 'jobs', help: 'h', registry });
    const loose = new MyCounter({ name: 'jobs', help: 'h', registry: null });
    expect(() => registry.register(loose)).to.throw(/MyCounter/);
  });
});
