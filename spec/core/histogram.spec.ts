import { expect } from 'chai';
import fc from 'fast-check';
import {
  DEFAULT_BUCKETS,
  Histogram,
  Registry,
  defaultRegistry,
  exponentialBuckets,
  linearBuckets,
  renderExposition,
  type MetricFamily,
} from '../../lib/index.js';

/** Cumulative bucket counts the slow, obvious way: le is inclusive. */
function expectedCumulative(bounds: readonly number[], observations: readonly number[]): number[] {
  return [...bounds, Infinity].map((b) => observations.filter((v) => v <= b).length);
}

function bucketLines(body: string, name: string): string[] {
  return body.split('\n').filter((l) => l.startsWith(`${name}_bucket`));
}

describe('Histogram', () => {
  let registry: Registry;
  beforeEach(() => {
    registry = new Registry();
  });

  it('takes both constructor forms, and the registry default / null', () => {
    const a = new Histogram('latency', 'Latency', ['route'], { buckets: [1, 2], registry });
    const b = new Histogram({ name: 'size', help: 'Size', labelNames: ['route'], buckets: [10], registry });
    expect(a.bounds).to.deep.equal([1, 2]);
    expect(b.bounds).to.deep.equal([10]);
    expect(registry.getMetric('latency')).to.equal(a);
    expect(registry.getMetric('size')).to.equal(b);
    const d = new Histogram('prometric_spec_hist_default', 'h');
    try {
      expect(defaultRegistry.getMetric('prometric_spec_hist_default')).to.equal(d);
    } finally {
      defaultRegistry.unregister(d);
    }
    expect(new Histogram({ name: 'prometric_spec_hist_null', help: 'h', registry: null }).registry).to.equal(null);
    expect(defaultRegistry.getMetric('prometric_spec_hist_null')).to.equal(undefined);
  });

  it("defaults to Python's client's buckets, .005 to 10, plus +Inf", async () => {
    expect(DEFAULT_BUCKETS).to.deep.equal([0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]);
    const h = new Histogram('h', 'h', [], { registry });
    expect(h.bounds).to.deep.equal(DEFAULT_BUCKETS);
    const les = bucketLines(await registry.metrics(), 'h').map((l) => /le="([^"]*)"/.exec(l)![1]);
    expect(les).to.deep.equal([
      '0.005',
      '0.01',
      '0.025',
      '0.05',
      '0.075',
      '0.1',
      '0.25',
      '0.5',
      '0.75',
      '1.0',
      '2.5',
      '5.0',
      '7.5',
      '10.0',
      '+Inf',
    ]);
  });

  it('counts observations into cumulative buckets (le inclusive), with _count and _sum', async () => {
    const h = new Histogram('lat', 'h', [], { buckets: [0.5, 1, 2.5], registry });
    for (const v of [0.1, 0.5, 0.7, 1, 3, -2]) h.observe(v);
    expect(await registry.metrics()).to.equal(
      [
        '# HELP lat h',
        '# TYPE lat histogram',
        'lat_bucket{le="0.5"} 3',
        'lat_bucket{le="1.0"} 5',
        'lat_bucket{le="2.5"} 5',
        'lat_bucket{le="+Inf"} 6',
        'lat_count 6',
        'lat_sum 3.3',
        '',
      ].join('\n'),
    );
  });

  it('puts +Infinity in the +Inf bucket and -Infinity in the first', async () => {
    const h = new Histogram('inf', 'h', [], { buckets: [0], registry });
    h.observe(Infinity);
    h.observe(-Infinity);
    const body = await registry.metrics();
    expect(body).to.include('inf_bucket{le="0.0"} 1\n');
    expect(body).to.include('inf_bucket{le="+Inf"} 2\n');
    expect(body).to.include('inf_sum NaN\n'); // +Inf + -Inf
  });

  it('refuses NaN and non-numbers with a RangeError naming it, changing nothing', async () => {
    const h = new Histogram('h_bad', 'h', ['a'], { buckets: [1], registry });
    h.labels('x').observe(0.5);
    const before = await registry.metrics();
    expect(() => h.labels('x').observe(NaN)).to.throw(RangeError, /h_bad.*NaN/);
    expect(() => h.labels('x').observe('1' as unknown as number)).to.throw(RangeError, /h_bad.*"1"/);
    expect(await registry.metrics()).to.equal(before);
  });

  it('matches the obvious count for many buckets and random observations (scan and binary search)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), {
          minLength: 1,
          maxLength: 40,
        }),
        fc.array(fc.oneof(fc.double({ noNaN: true }), fc.constantFrom(0, -0, 1)), { maxLength: 60 }),
        async (rawBounds, observations) => {
          // -0 and 0 are the same bound.
          const bounds = [...new Set(rawBounds.map((b) => (b === 0 ? 0 : b)))].sort((a, b) => a - b);
          const reg = new Registry();
          const h = new Histogram({ name: 'p', help: 'h', buckets: bounds, registry: reg });
          for (const v of observations) h.observe(v);
          const [family] = await reg.collect();
          const buckets = family!.samples.filter((s) => s.name === 'p_bucket').map((s) => s.value);
          expect(buckets).to.deep.equal(expectedCumulative(bounds, observations));
          expect(family!.samples.find((s) => s.name === 'p_count')!.value).to.equal(observations.length);
        },
      ),
    );
  });

  describe('buckets', () => {
    it('appends +Inf, and accepts (without doubling) a trailing +Inf', async () => {
      new Histogram('a', 'h', [], { buckets: [1, 2, Infinity], registry });
      expect(bucketLines(await registry.metrics(), 'a')).to.deep.equal([
        'a_bucket{le="1.0"} 0',
        'a_bucket{le="2.0"} 0',
        'a_bucket{le="+Inf"} 0',
      ]);
    });

    const bad: Array<[string, unknown, RegExp]> = [
      ['not an array', 5, /buckets must be an array.*5/],
      ['NaN', [1, NaN], /NaN/],
      ['+Infinity before the end', [1, Infinity, 2], /Infinity/],
      ['-Infinity', [-Infinity, 1], /-Infinity/],
      ['a string', [1, '2'], /"2"/],
      ['decreasing', [1, 3, 2], /strictly increasing.*2 follows 3/],
      ['repeated', [1, 1], /strictly increasing.*1 follows 1/],
    ];
    for (const [what, buckets, message] of bad) {
      it(`refuses ${what}, naming the histogram, and registers nothing`, async () => {
        const before = await registry.metrics();
        expect(() => new Histogram({ name: 'bad_buckets', help: 'h', buckets: buckets as number[], registry }))
          .to.throw(Error, message)
          .with.property('message')
          .that.includes('bad_buckets');
        expect(registry.getMetric('bad_buckets')).to.equal(undefined);
        expect(await registry.metrics()).to.equal(before);
        // The name is still free.
        new Histogram({ name: 'bad_buckets', help: 'h', buckets: [1], registry });
      });
    }

    it('errors are RangeError for bad bounds and TypeError for a non-array', () => {
      expect(() => new Histogram({ name: 'x', help: 'h', buckets: [2, 1], registry })).to.throw(RangeError);
      expect(() => new Histogram({ name: 'x', help: 'h', buckets: 'abc' as unknown as number[], registry })).to.throw(
        TypeError,
      );
    });

    it('linearBuckets(start, width, count)', () => {
      expect(linearBuckets(0.5, 0.5, 4)).to.deep.equal([0.5, 1, 1.5, 2]);
      expect(linearBuckets(-1, 2, 3)).to.deep.equal([-1, 1, 3]);
      expect(linearBuckets(7, 1, 1)).to.deep.equal([7]);
      for (const args of [
        [0, 0, 3],
        [0, -1, 3],
        [0, 1, 0],
        [0, 1, 1.5],
        [NaN, 1, 2],
        [0, Infinity, 2],
      ] as const) {
        expect(() => linearBuckets(args[0], args[1], args[2]), String(args)).to.throw(RangeError, /linearBuckets/);
      }
    });

    it('exponentialBuckets(start, factor, count)', () => {
      expect(exponentialBuckets(1, 2, 5)).to.deep.equal([1, 2, 4, 8, 16]);
      expect(exponentialBuckets(0.001, 10, 3)).to.deep.equal([0.001, 0.001 * 10, 0.001 * 100]);
      for (const args of [
        [0, 2, 3],
        [-1, 2, 3],
        [1, 1, 3],
        [1, 0.5, 3],
        [1, 2, 0],
        [1, 2, 2.5],
        [Infinity, 2, 2],
      ] as const) {
        expect(() => exponentialBuckets(args[0], args[1], args[2]), String(args)).to.throw(
          RangeError,
          /exponentialBuckets/,
        );
      }
    });

    it('the generated buckets are accepted by a histogram', () => {
      const h = new Histogram({ name: 'gen', help: 'h', buckets: exponentialBuckets(0.001, 2, 20), registry });
      expect(h.bounds).to.have.length(20);
    });
  });

  describe('in the snapshot, as rows', () => {
    async function collectRows(options: ConstructorParameters<typeof Registry>[0]): Promise<MetricFamily> {
      const reg = new Registry(options);
      const h = new Histogram({
        name: 'rows_seconds',
        help: 'Rows "x"\\',
        labelNames: ['route'],
        buckets: [0.5, 1],
        unit: 'seconds',
        registry: reg,
      });
      h.labels('/a').observe(0.2);
      h.labels('/a').observe(0.7);
      h.labels('/b\n"').observe(-3); // a negative sum: OpenMetrics leaves out _sum and _count
      h.labels('/c');
      const [family] = await reg.collect();
      return family!;
    }

    it('carries each series once: labels, cumulative counts, sum and (when asked for) created', async () => {
      const family = await collectRows({ created: true });
      const rows = family.histogram!.rows;
      expect(family.histogram!.bounds).to.deep.equal([0.5, 1, Infinity]);
      expect(rows.map((r) => [r.labels, r.cumulative, r.sum])).to.deep.equal([
        [{ route: '/a' }, [1, 2, 2], 0.2 + 0.7],
        [{ route: '/b\n"' }, [1, 1, 1], -3],
        [{ route: '/c' }, [0, 0, 0], 0],
      ]);
      for (const row of rows) expect(row.created).to.be.a('number');
      expect((await collectRows({})).histogram!.rows.every((r) => r.created === undefined)).to.equal(true);
    });

    it('reads as samples too, and renders exactly as those samples do, in both formats', async () => {
      for (const options of [
        {},
        { created: true },
        { labels: { zone: 'eu' } },
        { created: true, labels: { zone: 'eu' } },
      ]) {
        const family = await collectRows(options);
        const plain: MetricFamily = {
          name: family.name,
          help: family.help,
          type: family.type,
          unit: family.unit,
          samples: [...family.samples],
        };
        expect(plain.samples.filter((s) => s.name === 'rows_seconds_bucket')).to.have.length(9);
        expect(plain.samples.find((s) => s.name === 'rows_seconds_count' && s.labels.route === '/a')!.value).to.equal(
          2,
        );
        for (const format of ['text', 'openmetrics'] as const) {
          expect(renderExposition([family], format), `${format} ${JSON.stringify(options)}`).to.equal(
            renderExposition([plain], format),
          );
        }
      }
    });
  });
});
