import { expect } from 'chai';
import {
  CollectionError,
  Counter,
  Enum,
  Gauge,
  Histogram,
  Info,
  Registry,
  Summary,
  defaultRegistry,
  type CollectedFamily,
} from '../../lib/index.js';

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as Error,
  );
}

describe('Registry', () => {
  let registry: Registry;
  beforeEach(() => {
    registry = new Registry();
  });

  it('defaultRegistry is a Registry', () => {
    expect(defaultRegistry).to.be.instanceOf(Registry);
  });

  describe('register / unregister', () => {
    it('registers a metric made with registry: null, once', async () => {
      const c = new Counter({ name: 'loose', help: 'h', registry: null });
      expect(registry.register(c)).to.equal(c);
      expect(registry.register(c)).to.equal(c);
      c.inc();
      expect(await registry.metrics()).to.equal('# HELP loose_total h\n# TYPE loose_total counter\nloose_total 1\n');
      expect(registry.getMetrics()).to.deep.equal([c]);
    });

    it('refuses another object under a registered name, even with the same definition', () => {
      registry.register(new Counter({ name: 'loose', help: 'h', registry: null }));
      expect(() => registry.register(new Counter({ name: 'loose', help: 'h', registry: null }))).to.throw(
        Error,
        /loose/,
      );
    });

    it('unregister takes the metric or its name; returns whether it was there', async () => {
      const c = new Counter({ name: 'a', help: 'h', registry });
      const g = new Gauge({ name: 'b', help: 'h', registry });
      expect(registry.unregister(c)).to.equal(true);
      expect(registry.unregister(c)).to.equal(false);
      expect(registry.unregister('b')).to.equal(true);
      expect(registry.unregister('nothing')).to.equal(false);
      expect(await registry.metrics()).to.equal('');
      expect(registry.getMetric('a')).to.equal(undefined);
      // Another object with the same name is not unregistered by a stale reference.
      const g2 = new Gauge({ name: 'b', help: 'h', registry });
      expect(g2).not.to.equal(g);
      expect(registry.unregister(g)).to.equal(false);
      expect(registry.getMetric('b')).to.equal(g2);
    });

    it('frees the sample names on unregister', () => {
      new Counter({ name: 'foo', help: 'h', registry });
      registry.unregister('foo');
      expect(() => new Gauge({ name: 'foo_total', help: 'h', registry })).not.to.throw();
    });

    it('the same name may live in two registries', () => {
      const other = new Registry();
      const a = new Counter({ name: 'same', help: 'h', registry });
      const b = new Counter({ name: 'same', help: 'h', registry: other });
      expect(a).not.to.equal(b);
    });
  });

  describe('same name twice', () => {
    it('an identical definition gives back the first metric (and its series)', () => {
      const a = new Counter('jobs', 'Jobs', ['queue'], { registry });
      a.labels('mail').inc(3);
      const b = new Counter({ name: 'jobs', help: 'Jobs', labelNames: ['queue'], registry });
      expect(b).to.equal(a);
      expect(b.labels('mail').get()).to.equal(3);
      const h1 = new Histogram({ name: 'h', help: 'h', buckets: [1, 2], registry });
      expect(new Histogram({ name: 'h', help: 'h', buckets: [1, 2, Infinity], registry })).to.equal(h1);
      const s1 = new Summary({ name: 's', help: 'h', percentiles: [0.5, 0.9], registry });
      expect(new Summary({ name: 's', help: 'h', percentiles: [0.9, 0.5], registry })).to.equal(s1);
      const e1 = new Enum({ name: 'e', help: 'h', states: ['a', 'b'], registry });
      expect(new Enum({ name: 'e', help: 'h', states: ['a', 'b'], registry })).to.equal(e1);
      const i1 = new Info({ name: 'i', help: 'h', registry });
      expect(new Info({ name: 'i', help: 'h', registry })).to.equal(i1);
      expect(registry.getMetrics()).to.have.length(5);
    });

    const conflicts: Array<[string, () => unknown, () => unknown, RegExp]> = [
      [
        'type',
        () => new Counter({ name: 'x', help: 'h', registry: r() }),
        () => new Gauge({ name: 'x', help: 'h', registry: r() }),
        /type was "counter" and is now "gauge"/,
      ],
      [
        'help',
        () => new Counter({ name: 'x', help: 'one', registry: r() }),
        () => new Counter({ name: 'x', help: 'two', registry: r() }),
        /help was "one" and is now "two"/,
      ],
      [
        'labels',
        () => new Counter({ name: 'x', help: 'h', labelNames: ['a'], registry: r() }),
        () => new Counter({ name: 'x', help: 'h', labelNames: ['a', 'b'], registry: r() }),
        /labelNames was \["a"\] and is now \["a","b"\]/,
      ],
      [
        'label order',
        () => new Counter({ name: 'x', help: 'h', labelNames: ['a', 'b'], registry: r() }),
        () => new Counter({ name: 'x', help: 'h', labelNames: ['b', 'a'], registry: r() }),
        /labelNames/,
      ],
      [
        'buckets',
        () => new Histogram({ name: 'x', help: 'h', buckets: [1, 2], registry: r() }),
        () => new Histogram({ name: 'x', help: 'h', buckets: [1, 3], registry: r() }),
        /buckets was \[1,2\] and is now \[1,3\]/,
      ],
      [
        'percentiles',
        () => new Summary({ name: 'x', help: 'h', percentiles: [0.5], registry: r() }),
        () => new Summary({ name: 'x', help: 'h', percentiles: [0.9], registry: r() }),
        /percentiles/,
      ],
      [
        'unit',
        () => new Gauge({ name: 'x_bytes', help: 'h', registry: r() }),
        () => new Gauge({ name: 'x', help: 'h', unit: 'bytes', registry: r() }),
        /unit was "" and is now "bytes"/,
      ],
    ];
    let current: Registry;
    const r = () => current;
    for (const [what, first, second, message] of conflicts) {
      it(`a different ${what} throws an Error naming the metric and the difference; nothing changes`, async () => {
        current = registry;
        const original = first();
        const before = await registry.metrics();
        expect(second)
          .to.throw(Error, message)
          .with.property('message')
          .that.matches(/^Metric x(_bytes)? /);
        expect(registry.getMetrics()).to.deep.equal([original]);
        expect(await registry.metrics()).to.equal(before);
      });
    }
  });

  describe('sample-name collisions', () => {
    const pairs: Array<[string, (reg: Registry) => unknown, (reg: Registry) => unknown, string]> = [
      [
        'gauge foo_total / counter foo',
        (reg) => new Gauge({ name: 'foo_total', help: 'h', registry: reg }),
        (reg) => new Counter({ name: 'foo', help: 'h', registry: reg }),
        'foo_total',
      ],
      [
        'gauge foo_created / counter foo',
        (reg) => new Gauge({ name: 'foo_created', help: 'h', registry: reg }),
        (reg) => new Counter({ name: 'foo', help: 'h', registry: reg }),
        'foo_created',
      ],
      [
        'gauge foo_bucket / histogram foo',
        (reg) => new Gauge({ name: 'foo_bucket', help: 'h', registry: reg }),
        (reg) => new Histogram({ name: 'foo', help: 'h', registry: reg }),
        'foo_bucket',
      ],
      [
        'gauge foo_count / summary foo',
        (reg) => new Gauge({ name: 'foo_count', help: 'h', registry: reg }),
        (reg) => new Summary({ name: 'foo', help: 'h', registry: reg }),
        'foo_count',
      ],
      [
        'gauge foo_sum / histogram foo',
        (reg) => new Gauge({ name: 'foo_sum', help: 'h', registry: reg }),
        (reg) => new Histogram({ name: 'foo', help: 'h', registry: reg }),
        'foo_sum',
      ],
      [
        'gauge foo_info / info foo',
        (reg) => new Gauge({ name: 'foo_info', help: 'h', registry: reg }),
        (reg) => new Info({ name: 'foo', help: 'h', registry: reg }),
        'foo_info',
      ],
      [
        'summary foo / histogram foo_count... (histogram foo vs summary foo_count)',
        (reg) => new Histogram({ name: 'foo', help: 'h', registry: reg }),
        (reg) => new Summary({ name: 'foo_count', help: 'h', registry: reg }),
        'foo_count',
      ],
    ];
    for (const [what, one, other, sample] of pairs) {
      it(`${what}: the second throws naming both, in either order`, () => {
        for (const [first, second] of [
          [one, other],
          [other, one],
        ]) {
          const reg = new Registry();
          first!(reg);
          expect(() => second!(reg))
            .to.throw(Error)
            .with.property('message')
            .that.includes(sample)
            .and.matches(/already used by metric/);
          expect(reg.getMetrics()).to.have.length(1);
        }
      });
    }
  });

  describe('getMetric', () => {
    it('finds a metric by family name or by one of its sample names', () => {
      const c = new Counter({ name: 'foo', help: 'h', registry });
      const h = new Histogram({ name: 'lat', help: 'h', registry });
      expect(registry.getMetric('foo')).to.equal(c);
      expect(registry.getMetric('foo_total')).to.equal(c);
      expect(registry.getMetric('lat_bucket')).to.equal(h);
      expect(registry.getMetric('nope')).to.equal(undefined);
    });
  });

  describe('clear / resetMetrics', () => {
    it('clear() removes every metric and collector', async () => {
      new Counter({ name: 'a', help: 'h', registry });
      registry.registerCollector(() => [{ name: 'c', help: 'h', type: 'gauge', samples: [{ value: 1 }] }]);
      registry.clear();
      expect(await registry.metrics()).to.equal('');
      expect(registry.getMetrics()).to.deep.equal([]);
      // The names are free again.
      new Gauge({ name: 'a', help: 'h', registry });
    });

    it('resetMetrics() sets every series back to its initial value and keeps label sets and metrics', async () => {
      const c = new Counter({ name: 'c', help: 'h', labelNames: ['a'], registry });
      const g = new Gauge({ name: 'g', help: 'h', registry });
      const h = new Histogram({ name: 'h', help: 'h', buckets: [1], registry });
      const e = new Enum({ name: 'e', help: 'h', states: ['x', 'y'], registry });
      const i = new Info({ name: 'i', help: 'h', registry });
      c.labels('x').inc(4);
      g.set(9);
      h.observe(0.5);
      e.state('y');
      i.info({ v: '1' });
      registry.resetMetrics();
      expect(await registry.metrics()).to.equal(
        [
          '# HELP c_total h',
          '# TYPE c_total counter',
          'c_total{a="x"} 0',
          '# HELP g h',
          '# TYPE g gauge',
          'g 0',
          '# HELP h h',
          '# TYPE h histogram',
          'h_bucket{le="1.0"} 0',
          'h_bucket{le="+Inf"} 0',
          'h_count 0',
          'h_sum 0',
          '# HELP e h',
          '# TYPE e gauge',
          'e{e="x"} 1',
          'e{e="y"} 0',
          '# HELP i_info h',
          '# TYPE i_info gauge',
          'i_info 1',
          '',
        ].join('\n'),
      );
    });
  });

  describe('constant labels', () => {
    it('new Registry({ labels }) adds them to every series, first, before le', async () => {
      const reg = new Registry({ labels: { app: 'shop', region: 'eu"1' } });
      new Counter({ name: 'c', help: 'h', labelNames: ['a'], registry: reg }).labels('x').inc();
      new Gauge({ name: 'g', help: 'h', registry: reg });
      new Histogram({ name: 'h', help: 'h', buckets: [1], registry: reg });
      expect(await reg.metrics()).to.equal(
        [
          '# HELP c_total h',
          '# TYPE c_total counter',
          'c_total{app="shop",region="eu\\"1",a="x"} 1',
          '# HELP g h',
          '# TYPE g gauge',
          'g{app="shop",region="eu\\"1"} 0',
          '# HELP h h',
          '# TYPE h histogram',
          'h_bucket{app="shop",region="eu\\"1",le="1.0"} 0',
          'h_bucket{app="shop",region="eu\\"1",le="+Inf"} 0',
          'h_count{app="shop",region="eu\\"1"} 0',
          'h_sum{app="shop",region="eu\\"1"} 0',
          '',
        ].join('\n'),
      );
    });

    it('setDefaultLabels replaces them, also for metrics registered earlier; getDefaultLabels reads them', async () => {
      new Gauge({ name: 'g', help: 'h', registry });
      registry.setDefaultLabels({ app: 'a' });
      expect(await registry.metrics()).to.include('g{app="a"} 0\n');
      registry.setDefaultLabels({ env: 'prod' });
      expect(registry.getDefaultLabels()).to.deep.equal({ env: 'prod' });
      expect(await registry.metrics()).to.include('g{env="prod"} 0\n');
      registry.setDefaultLabels({});
      expect(await registry.metrics()).to.include('g 0\n');
    });

    it('copies the given object', async () => {
      const labels = { app: 'a' };
      registry.setDefaultLabels(labels);
      labels.app = 'b';
      new Gauge({ name: 'g', help: 'h', registry });
      expect(await registry.metrics()).to.include('g{app="a"} 0\n');
    });

    it("a metric's own label of the same name wins", async () => {
      registry.setDefaultLabels({ env: 'prod', app: 'shop' });
      new Gauge({ name: 'g', help: 'h', labelNames: ['env'], registry }).labels('dev').set(1);
      expect(await registry.metrics()).to.include('g{app="shop",env="dev"} 1\n');
    });

    it("an info metric's facts and an enum's state label win over constant labels of the same name", async () => {
      registry.setDefaultLabels({ version: 'const', state: 'const', app: 'shop' });
      new Info({ name: 'build', help: 'h', registry }).info({ version: '1.2' });
      new Enum({ name: 'state', help: 'h', states: ['on'], registry });
      const body = await registry.metrics();
      expect(body).to.include('build_info{state="const",app="shop",version="1.2"} 1\n');
      expect(body).to.include('state{version="const",app="shop",state="on"} 1\n');
    });

    it('refuses bad names, reserved names and non-objects, keeping the earlier labels', async () => {
      registry.setDefaultLabels({ app: 'a' });
      new Gauge({ name: 'g', help: 'h', registry });
      const before = await registry.metrics();
      expect(() => registry.setDefaultLabels({ ok: 'x', '': 'y' })).to.throw(TypeError, /label name ""/);
      expect(() => registry.setDefaultLabels({ __meta: 'y' })).to.throw(TypeError, /"__meta"/);
      expect(() => registry.setDefaultLabels({ le: '1' })).to.throw(TypeError, /"le"/);
      expect(() => registry.setDefaultLabels({ quantile: '1' })).to.throw(TypeError, /"quantile"/);
      expect(() => registry.setDefaultLabels({ x: {} as string })).to.throw(TypeError, /"x"/);
      expect(() => registry.setDefaultLabels(null as never)).to.throw(TypeError);
      expect(() => new Registry({ labels: { 'a\uD800': 'x' } })).to.throw(TypeError, /"a\\ud800"/);
      expect(registry.getDefaultLabels()).to.deep.equal({ app: 'a' });
      expect(await registry.metrics()).to.equal(before);
    });

    it('are added to collector samples too', async () => {
      registry.setDefaultLabels({ app: 'a' });
      registry.registerCollector(() => [
        { name: 'up', help: 'h', type: 'gauge', samples: [{ value: 1, labels: { x: 'y' } }] },
      ]);
      expect(await registry.metrics()).to.equal('# HELP up h\n# TYPE up gauge\nup{app="a",x="y"} 1\n');
    });
  });

  describe('custom collectors', () => {
    const family = (name: string, value: number): CollectedFamily => ({
      name,
      help: `${name} help`,
      type: 'gauge',
      samples: [{ value, labels: { k: 'v"\n' } }],
    });

    it('sync functions, async functions and objects with collect() are called at every scrape', async () => {
      let calls = 0;
      registry.registerCollector(() => [family('sync_one', ++calls)]);
      registry.registerCollector(async () => {
        await new Promise((resolve) => setImmediate(resolve));
        return [family('async_one', 2)];
      });
      registry.registerCollector({ collect: () => [family('object_one', 3)] });
      new Gauge({ name: 'own', help: 'h', registry });
      expect(await registry.metrics()).to.equal(
        [
          '# HELP own h',
          '# TYPE own gauge',
          'own 0',
          '# HELP sync_one sync_one help',
          '# TYPE sync_one gauge',
          'sync_one{k="v\\"\\n"} 1',
          '# HELP async_one async_one help',
          '# TYPE async_one gauge',
          'async_one{k="v\\"\\n"} 2',
          '# HELP object_one object_one help',
          '# TYPE object_one gauge',
          'object_one{k="v\\"\\n"} 3',
          '',
        ].join('\n'),
      );
      await registry.metrics();
      expect(calls).to.equal(2);
    });

    it('collector families of every type render in both formats', async () => {
      registry.registerCollector(() => [
        { name: 'cc', help: 'h', type: 'counter', samples: [{ name: 'cc_total', value: 5 }] },
        { name: 'uu', help: 'h', type: 'unknown', samples: [{ value: 1 }] },
      ]);
      expect(await registry.metrics()).to.equal(
        '# HELP cc_total h\n# TYPE cc_total counter\ncc_total 5\n# HELP uu h\n# TYPE uu untyped\nuu 1\n',
      );
      expect(await registry.metrics('openmetrics')).to.equal(
        '# HELP cc h\n# TYPE cc counter\ncc_total 5\n# HELP uu h\n# TYPE uu unknown\nuu 1\n# EOF\n',
      );
    });

    it('unregisterCollector removes one; registering the same collector twice throws', async () => {
      const collector = () => [family('c', 1)];
      registry.registerCollector(collector);
      expect(() => registry.registerCollector(collector)).to.throw(Error, /collector/);
      expect(registry.unregisterCollector(collector)).to.equal(true);
      expect(registry.unregisterCollector(collector)).to.equal(false);
      expect(await registry.metrics()).to.equal('');
    });

    it('refuses something that is not a collector', () => {
      expect(() => registry.registerCollector(42 as never)).to.throw(TypeError, /42/);
      expect(() => registry.registerCollector({} as never)).to.throw(TypeError);
    });

    it('a throwing sync collector rejects the scrape with an error naming it', async () => {
      registry.registerCollector(function diskCollector() {
        throw new Error('disk gone');
      });
      const error = await rejection(registry.metrics());
      expect(error).to.be.instanceOf(CollectionError);
      expect(error.message).to.include('diskCollector').and.to.include('disk gone');
    });

    it('a rejecting async collector rejects the scrape with an error naming it (explicit name)', async () => {
      registry.registerCollector(async () => {
        throw new RangeError('remote down');
      }, 'remote-stats');
      const error = await rejection(registry.metrics());
      expect(error).to.be.instanceOf(CollectionError);
      expect(error.message).to.include('remote-stats').and.to.include('remote down');
      expect(error.cause).to.be.instanceOf(RangeError);
    });

    it('a collector object is named by its class', async () => {
      class QueueCollector {
        collect(): CollectedFamily[] {
          throw new Error('boom');
        }
      }
      registry.registerCollector(new QueueCollector());
      expect((await rejection(registry.metrics())).message).to.include('QueueCollector');
    });

    it('two collectors giving the same family name reject the scrape naming the second', async () => {
      registry.registerCollector(() => [family('dup', 1)], 'first');
      registry.registerCollector(() => [family('dup', 2)], 'second');
      const error = await rejection(registry.metrics());
      expect(error.message).to.include('second').and.to.include('dup');
    });

    const badResults: Array<[string, unknown, RegExp]> = [
      ['not an array', { name: 'x' }, /array/],
      ['a bad family name', [{ name: 'bad\uD800', help: 'h', type: 'gauge', samples: [] }], /"bad\\ud800"/],
      ['an unknown type', [{ name: 'x', help: 'h', type: 'meter', samples: [] }], /"meter"/],
      [
        'a sample not starting with the family name',
        [{ name: 'x', help: 'h', type: 'gauge', samples: [{ name: 'y', value: 1 }] }],
        /y/,
      ],
      ['a non-number value', [{ name: 'x', help: 'h', type: 'gauge', samples: [{ value: '1' }] }], /"1"/],
      [
        'a reserved label name',
        [{ name: 'x', help: 'h', type: 'gauge', samples: [{ value: 1, labels: { __a: 'c' } }] }],
        /label name "__a" is reserved/,
      ],
      [
        'a name used by a metric',
        [{ name: 'own_total', help: 'h', type: 'gauge', samples: [{ value: 1 }] }],
        /own_total/,
      ],
    ];
    for (const [what, result, message] of badResults) {
      it(`a collector returning ${what} rejects the scrape naming the collector`, async () => {
        new Counter({ name: 'own', help: 'h', registry });
        registry.registerCollector(function badCollector() {
          return result as CollectedFamily[];
        });
        const error = await rejection(registry.metrics());
        expect(error).to.be.instanceOf(CollectionError);
        expect(error.message).to.include('badCollector').and.to.match(message);
      });
    }
  });
});
