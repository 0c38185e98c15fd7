/**
 * Native histograms wired into Histogram: the `native` option, observe() into each series,
 * the text bodies (native-only: `_count` and `_sum`), and the protobuf exposition decoded by the
 * independent decoder and compared with bucket indices computed from the schema's definition
 * (2^(i-1) < x^(2^s) <= 2^i, decided on BigInts), not with lib's code.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { Histogram, Registry, Timed } from '../../lib/index.js';
import { PythonParsers, promtoolCheck } from '../support/exposition-tools.js';
import { type DecodedHistogram, decodeDelimited, nativeBuckets } from '../support/protobuf-decoder.js';
import { hasPromtool, hasPythonClient, requireTool } from '../support/tools.js';
import { referenceIndex } from '../support/native-reference.js';

interface Expected {
  positive: { index: number; count: number }[];
  negative: { index: number; count: number }[];
  zeroCount: number;
}

function expected(values: readonly number[], schema: number, zeroThreshold: number): Expected {
  const sides = { positive: new Map<number, number>(), negative: new Map<number, number>() };
  let zeroCount = 0;
  for (const v of values) {
    if (Math.abs(v) <= zeroThreshold) {
      zeroCount++;
      continue;
    }
    const side = v > 0 ? sides.positive : sides.negative;
    const index = referenceIndex(Math.abs(v), schema);
    side.set(index, (side.get(index) ?? 0) + 1);
  }
  const sorted = (m: Map<number, number>) =>
    [...m].sort((a, b) => a[0] - b[0]).map(([index, count]) => ({ index, count }));
  return { positive: sorted(sides.positive), negative: sorted(sides.negative), zeroCount };
}

/** The populated buckets of one side (a span may hold empty buckets between populated ones, as client_golang's do). */
function populated(histogram: DecodedHistogram, side: 'positive' | 'negative'): { index: number; count: number }[] {
  return nativeBuckets(histogram, side).filter((bucket) => bucket.count !== 0);
}

async function decodedHistograms(registry: Registry): Promise<DecodedHistogram[]> {
  const families = decodeDelimited(await registry.metrics('protobuf'));
  return families.flatMap((f) => f.metric.map((m) => m.histogram!));
}

describe('Native histograms in Histogram', () => {
  let registry: Registry;
  beforeEach(() => {
    registry = new Registry();
  });

  describe('the native option', () => {
    it('refuses a bad native option with an error naming the metric, the option and the value', () => {
      expect(() => new Histogram({ name: 'h1', help: 'h', registry, native: 'yes' as never })).to.throw(
        TypeError,
        /Histogram h1: native must be true or an options object, got "yes"/,
      );
      expect(() => new Histogram({ name: 'h2', help: 'h', registry, native: { bucketFactor: 1 } })).to.throw(
        RangeError,
        /Histogram h2: native\.bucketFactor must be a finite number > 1, got 1/,
      );
      expect(() => new Histogram({ name: 'h3', help: 'h', registry, native: { maxBucket: 3 } as never })).to.throw(
        TypeError,
        /Histogram h3: unknown option native\.maxBucket/,
      );
      // A failed construction registers nothing.
      expect(registry.getMetrics()).to.have.length(0);
    });

    it('is taken in the positional form too, and is part of the definition', () => {
      const h = new Histogram('p', 'h', [], { registry, native: true });
      expect(new Histogram('p', 'h', [], { registry, native: true })).to.equal(h);
      expect(() => new Histogram('p', 'h', [], { registry, native: { bucketFactor: 2 } })).to.throw(/native/);
      expect(() => new Histogram('p', 'h', [], { registry })).to.throw(/native/);
    });

    it('a native-only histogram counts NaN (in count, in no bucket); one with classic buckets refuses it', async () => {
      const only = new Histogram({ name: 'only', help: 'h', registry, native: true });
      only.observe(NaN);
      only.observe(1);
      const both = new Histogram({ name: 'both', help: 'h', registry, native: true, buckets: [1] });
      both.observe(1);
      expect(() => both.observe(NaN)).to.throw(
        RangeError,
        /Histogram both: observe\(\) needs a number that is not NaN/,
      );
      const [onlyH, bothH] = await decodedHistograms(registry);
      expect(onlyH!.sample_count).to.equal(2);
      expect(onlyH!.sample_sum).to.be.NaN;
      expect(nativeBuckets(onlyH!, 'positive')).to.deep.equal([{ index: 0, count: 1 }]);
      // The refused NaN changed nothing, native or classic.
      expect(bothH!.sample_count).to.equal(1);
      expect(bothH!.sample_sum).to.equal(1);
      expect(nativeBuckets(bothH!, 'positive')).to.deep.equal([{ index: 0, count: 1 }]);
    });
  });

  describe('text bodies', () => {
    it('a native-only histogram shows _count and _sum only in the text format', async () => {
      const h = new Histogram({ name: 'lat_seconds', help: 'Latency', registry, labelNames: ['m'], native: true });
      h.labels('GET').observe(0.25);
      h.labels('GET').observe(2);
      expect(await registry.metrics()).to.equal(
        '# HELP lat_seconds Latency\n# TYPE lat_seconds histogram\n' +
          'lat_seconds_count{m="GET"} 2\nlat_seconds_sum{m="GET"} 2.25\n',
      );
    });

    it('in OpenMetrics it shows the +Inf bucket (OpenMetrics requires one), _count and _sum', async () => {
      const h = new Histogram({ name: 'lat_seconds', help: 'Latency', registry, native: true });
      h.observe(0.25);
      expect(await registry.metrics('openmetrics')).to.equal(
        '# HELP lat_seconds Latency\n# TYPE lat_seconds histogram\n' +
          'lat_seconds_bucket{le="+Inf"} 1\nlat_seconds_count 1\nlat_seconds_sum 0.25\n# EOF\n',
      );
    });

    it('a histogram with buckets and native shows its classic buckets as before', async () => {
      const h = new Histogram({ name: 'b', help: 'B', registry, buckets: [1, 2], native: true });
      h.observe(1.5);
      expect(await registry.metrics()).to.equal(
        '# HELP b B\n# TYPE b histogram\n' +
          'b_bucket{le="1.0"} 0\nb_bucket{le="2.0"} 1\nb_bucket{le="+Inf"} 1\nb_count 1\nb_sum 1.5\n',
      );
    });

    describe('read by the real tools', () => {
      let python: PythonParsers | undefined;
      after(() => python?.close());

      it('promtool and prometheus_client read the native-only bodies', async function () {
        requireTool(this, 'promtool', hasPromtool());
        requireTool(this, 'python3-prometheus-client', hasPythonClient());
        const h = new Histogram({ name: 'lat_seconds', help: 'Latency', registry, native: true });
        h.observe(0.25);
        h.observe(3);
        const text = await registry.metrics();
        const check = promtoolCheck(text);
        expect(check.ok, check.output).to.equal(true);
        python ??= new PythonParsers();
        for (const format of ['text', 'openmetrics'] as const) {
          const parsed = await python.parse(format, await registry.metrics(format));
          if (!parsed.ok) expect.fail(`${format}: ${parsed.error}`);
          const values = Object.fromEntries(parsed.families[0]!.samples.map((s) => [s.name, s.value]));
          expect(values.lat_seconds_count, format).to.equal(2);
          expect(values.lat_seconds_sum, format).to.equal(3.25);
        }
      });
    });
  });

  describe('protobuf', () => {
    const magnitude = fc.oneof(
      fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
      fc.constantFrom(0, 1, 2, 0.5, 1e-300, 2 ** -1074, Number.MAX_VALUE),
    );
    const value = fc.tuple(magnitude, fc.boolean()).map(([m, negative]) => (negative ? -m : m));

    it('each series decodes to the buckets of an independent reference (native-only, default schema 3)', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(value, { maxLength: 60 }), fc.array(value, { maxLength: 20 }), async (a, b) => {
          const reg = new Registry();
          const h = new Histogram({
            name: 'n',
            help: 'h',
            registry: reg,
            labelNames: ['s'],
            native: { maxBuckets: 0 },
          });
          // Both series exist even without observations.
          const [seriesA, seriesB] = [h.labels('a'), h.labels('b')];
          for (const v of a) seriesA.observe(v);
          for (const v of b) seriesB.observe(v);
          const [family] = decodeDelimited(await reg.metrics('protobuf'));
          expect(family!.type).to.equal('HISTOGRAM');
          for (const [i, values] of [a, b].entries()) {
            const histogram = family!.metric[i]!.histogram!;
            const want = expected(values, 3, 2 ** -128);
            expect(histogram.schema).to.equal(3);
            expect(histogram.zero_threshold).to.equal(2 ** -128);
            expect(histogram.zero_count).to.equal(want.zeroCount);
            expect(histogram.sample_count).to.equal(values.length);
            expect(histogram.sample_sum).to.equal(values.reduce((s, v) => s + v, 0));
            expect(histogram.bucket, 'no classic buckets').to.deep.equal([]);
            expect(populated(histogram, 'positive')).to.deep.equal(want.positive);
            expect(populated(histogram, 'negative')).to.deep.equal(want.negative);
            // Prometheus tells a native histogram by its spans: never none, even when empty.
            expect(histogram.positive_span.length).to.be.greaterThan(0);
          }
        }),
        { numRuns: 60 },
      );
    });

    it('with buckets and native (bucketFactor 2: schema 0, zero threshold 0.01) it carries both', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(value, { minLength: 1, maxLength: 40 }), async (values) => {
          const reg = new Registry();
          const bounds = [-1, 0, 1, 10];
          const h = new Histogram({
            name: 'n',
            help: 'h',
            registry: reg,
            buckets: bounds,
            native: { bucketFactor: 2, zeroThreshold: 0.01, maxBuckets: 0 },
          });
          for (const v of values) h.observe(v);
          const [histogram] = await decodedHistograms(reg);
          const want = expected(values, 0, 0.01);
          expect(histogram!.schema).to.equal(0);
          expect(histogram!.zero_count).to.equal(want.zeroCount);
          expect(populated(histogram!, 'positive')).to.deep.equal(want.positive);
          expect(populated(histogram!, 'negative')).to.deep.equal(want.negative);
          expect(histogram!.sample_count).to.equal(values.length);
          expect(histogram!.bucket.map((b) => [b.upper_bound, b.cumulative_count])).to.deep.equal(
            bounds.map((bound) => [bound, values.filter((v) => v <= bound).length]),
          );
        }),
        { numRuns: 40 },
      );
    });

    it('an empty native histogram sends the no-op span and zero counts', async () => {
      new Histogram({ name: 'e', help: 'h', registry, native: true }).labels();
      const [histogram] = await decodedHistograms(registry);
      expect(histogram!.schema).to.equal(3);
      expect(histogram!.zero_count).to.equal(0);
      expect(histogram!.sample_count).to.equal(0);
      expect(histogram!.positive_span).to.deep.equal([{ offset: 0, length: 0 }]);
      expect(histogram!.positive_delta).to.deep.equal([]);
    });
  });

  it('@Timed on a native histogram records each call into it', async () => {
    const h = new Histogram({ name: 'call_seconds', help: 'h', registry, native: true });
    class Service {
      @Timed(h)
      work(): number {
        return 1;
      }
    }
    const service = new Service();
    service.work();
    service.work();
    const [histogram] = await decodedHistograms(registry);
    expect(histogram!.sample_count).to.equal(2);
    const counted = [...nativeBuckets(histogram!, 'positive'), ...nativeBuckets(histogram!, 'negative')];
    expect(counted.reduce((s, b) => s + b.count, 0) + histogram!.zero_count!).to.equal(2);
  });
});
