/**
 * Native histogram state (issue 12, part 1) against an independent reference: a value's bucket
 * index is computed here from the specification's definition with exact integer arithmetic
 * (x = m * 2^e read from the double's bits; bucket i at schema s > 0 holds x exactly when
 * 2^(i-1) < x^(2^s) <= 2^i, decided on BigInts), not with lib's bit tricks and bound table.
 * The wire form is decoded here from its spans and deltas, so each property also checks that
 * encoding.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import sinon from 'sinon';
import type { BucketSpan, NativeHistogramPoint } from '../../lib/native-histogram.js';
import { SCHEMA_8_FRACTIONS } from '../../lib/metrics/native-bounds.js';
import {
  DEFAULT_NATIVE_OPTIONS,
  NativeBuckets,
  nativeBucketsConfig,
  type NativeBucketsConfig,
} from '../../lib/metrics/native-buckets.js';
import { schemaFor } from '../../lib/metrics/native-schema.js';
import { decompose, referenceIndex } from '../support/native-reference.js';

const view = new DataView(new ArrayBuffer(8));

interface Reference {
  positive: Map<number, number>;
  negative: Map<number, number>;
  zeroCount: number;
  count: number;
  sum: number;
}

function reference(values: readonly number[], schema: number, zeroThreshold: number): Reference {
  const ref: Reference = { positive: new Map(), negative: new Map(), zeroCount: 0, count: 0, sum: 0 };
  for (const v of values) {
    ref.count++;
    ref.sum += v;
    if (Number.isNaN(v)) continue;
    if (Math.abs(v) <= zeroThreshold) {
      ref.zeroCount++;
      continue;
    }
    const side = v > 0 ? ref.positive : ref.negative;
    const index = referenceIndex(Math.abs(v), schema);
    side.set(index, (side.get(index) ?? 0) + 1);
  }
  return ref;
}

/** Spans and deltas back to index -> count, checking the rules of the specification on the way. */
function decode(spans: readonly BucketSpan[], deltas: readonly number[]): Map<number, number> {
  const buckets = new Map<number, number>();
  let index = 0;
  let count = 0;
  let d = 0;
  spans.forEach((span, n) => {
    expect(Number.isInteger(span.offset) && Number.isInteger(span.length) && span.length >= 0).to.equal(true);
    // Only the first span may start below zero; a later one follows a gap of more than two buckets.
    if (n > 0) expect(span.offset, 'gap before a later span').to.be.above(2);
    index += span.offset;
    for (let k = 0; k < span.length; k++) {
      count += deltas[d++]!;
      expect(count, 'absolute bucket count').to.be.at.least(0);
      if (count > 0) buckets.set(index, count);
      index++;
    }
  });
  expect(d, 'deltas covered by the spans').to.equal(deltas.length);
  return buckets;
}

function sorted(map: Map<number, number>): [number, number][] {
  return [...map].sort((a, b) => a[0] - b[0]);
}

function expectMatches(point: NativeHistogramPoint, ref: Reference): void {
  expect(sorted(decode(point.positiveSpans, point.positiveDeltas)), 'positive buckets').to.deep.equal(
    sorted(ref.positive),
  );
  expect(sorted(decode(point.negativeSpans, point.negativeDeltas)), 'negative buckets').to.deep.equal(
    sorted(ref.negative),
  );
  expect(point.zeroCount, 'zero count').to.equal(ref.zeroCount);
  expect(point.count, 'count').to.equal(ref.count);
  expect(Object.is(point.sum, ref.sum), `sum ${point.sum} vs ${ref.sum}`).to.equal(true);
}

function config(
  schema: number,
  zeroThreshold: number,
  maxBuckets = 0,
  minResetDurationSeconds = 0,
): NativeBucketsConfig {
  return { schema, zeroThreshold, maxBuckets, minResetDurationSeconds };
}

function observeAll(buckets: NativeBuckets, values: readonly number[]): NativeBuckets {
  for (const v of values) buckets.observe(v);
  return buckets;
}

/** The double `steps` representable values above (or below) x > 0. */
function ulps(x: number, steps: number): number {
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) + BigInt(steps));
  return view.getFloat64(0);
}

/** Values on and next to bucket boundaries: 2^(i/256) rounded, and its neighbours, either sign. */
const boundaryValue = fc
  .record({
    i: fc.oneof(fc.integer({ min: -4096, max: 4096 }), fc.integer({ min: -1074 * 256, max: 1023 * 256 })),
    step: fc.integer({ min: -2, max: 2 }),
    negative: fc.boolean(),
  })
  .map(({ i, step, negative }) => {
    const x = ulps(2 ** (i / 256), step);
    return negative ? -x : x;
  })
  .filter((x) => x !== 0 && Number.isFinite(x));

const special = fc.constantFrom(
  NaN,
  Infinity,
  -Infinity,
  0,
  -0,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.MIN_VALUE,
  -Number.MIN_VALUE,
  2 ** -1022,
  2 ** -128,
  ulps(2 ** -128, 1),
  1,
  2,
  0.5,
);

const observation = fc.oneof(
  fc.double(),
  fc.double({ min: 1e-3, max: 10, noNaN: true }),
  fc.double({ min: -10, max: 10, noNaN: true }),
  boundaryValue,
  special,
);

const schemaArb = fc.integer({ min: -4, max: 8 });
const thresholdArb = fc.constantFrom(0, 2 ** -128, 1e-3, 0.5, 1, 2 ** 0.375);

describe('NativeBuckets', () => {
  it('has exact bound fractions: entry j is the largest double <= 2^(j/256 - 1)', () => {
    expect(SCHEMA_8_FRACTIONS.length).to.equal(256);
    SCHEMA_8_FRACTIONS.forEach((fraction, j) => {
      const big = BigInt(fraction * 2 ** 53); // fraction = big / 2^53, exactly
      const limit = 1n << BigInt(j + 52 * 256); // (big / 2^53)^256 <= 2^(j - 256)
      expect(big ** 256n <= limit && (big + 1n) ** 256n > limit, `entry ${j}`).to.equal(true);
    });
  });

  it('puts random observations in the buckets the definition gives (any schema, zero threshold, NaN, ±Inf)', () => {
    fc.assert(
      fc.property(schemaArb, thresholdArb, fc.array(observation, { maxLength: 60 }), (schema, threshold, values) => {
        const point = observeAll(new NativeBuckets(config(schema, threshold)), values).point();
        expect(point.schema).to.equal(schema);
        expect(point.zeroThreshold).to.equal(threshold);
        expectMatches(point, reference(values, schema, threshold));
      }),
      { numRuns: 300 },
    );
  });

  it('puts each boundary itself in the lower bucket and the next double in the upper one', () => {
    for (let schema = -4; schema <= 8; schema++) {
      const buckets = new NativeBuckets(config(schema, 0));
      // Powers of two are boundaries at every schema >= 0, and 2^(2^-s * i) at negative ones.
      const step = schema >= 0 ? 1 : 2 ** -schema;
      const lowest = schema >= 0 ? -1074 : -1072; // -1072 is a multiple of every step
      for (const power of [lowest, -1024, -1022 - (-1022 % step), -10 * step, -step, 0, step, 1023 - (1023 % step)]) {
        buckets.reset();
        buckets.observe(2 ** power);
        const index = schema >= 0 ? power * 2 ** schema : power / step;
        expect(sorted(decode(buckets.point().positiveSpans, buckets.point().positiveDeltas))).to.deep.equal([
          [index, 1],
        ]);
        if (power >= -1022 && power < 1023) {
          buckets.reset();
          buckets.observe(ulps(2 ** power, 1));
          const above = decode(buckets.point().positiveSpans, buckets.point().positiveDeltas);
          expect([...above.keys()], `schema ${schema}, just above 2^${power}`).to.deep.equal([index + 1]);
        }
      }
    }
  });

  it('counts NaN in count and no bucket, ±Inf in the overflow buckets after ±MaxFloat64', () => {
    const buckets = observeAll(new NativeBuckets(config(3, 2 ** -128)), [NaN, Infinity, -Infinity, Number.MAX_VALUE]);
    const point = buckets.point();
    expect(point.count).to.equal(4);
    expect(point.sum).to.be.NaN;
    expect(point.zeroCount).to.equal(0);
    expect(sorted(decode(point.positiveSpans, point.positiveDeltas))).to.deep.equal([
      [8192, 1],
      [8193, 1],
    ]);
    expect(sorted(decode(point.negativeSpans, point.negativeDeltas))).to.deep.equal([[8193, 1]]);
    const inf = observeAll(new NativeBuckets(config(0, 0)), [Infinity, 1]).point();
    expect(inf.sum).to.equal(Infinity);
    const both = observeAll(new NativeBuckets(config(0, 0)), [Infinity, -Infinity]).point();
    expect(both.sum).to.be.NaN;
  });

  it('halves the resolution exactly: same count and sum, buckets as the reference computes them at the lower schema', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -3, max: 8 }),
        fc.integer({ min: 1, max: 12 }),
        thresholdArb,
        fc.array(observation, { maxLength: 60 }),
        (schema, times, threshold, values) => {
          const target = Math.max(-4, schema - times);
          const buckets = observeAll(new NativeBuckets(config(schema, threshold)), values);
          const before = buckets.point();
          for (let s = schema; s > target; s--) buckets.reduceResolution();
          const point = buckets.point();
          expect(point.schema).to.equal(target);
          expect(point.count).to.equal(before.count);
          expect(Object.is(point.sum, before.sum)).to.equal(true);
          expectMatches(point, reference(values, target, threshold));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses to halve below schema -4', () => {
    const buckets = new NativeBuckets(config(-4, 0));
    expect(() => buckets.reduceResolution()).to.throw(RangeError, /-4/);
    expect(buckets.schema).to.equal(-4);
  });

  describe('wire form', () => {
    it('encodes the specification’s example as one span with its small gaps filled', () => {
      // Positive buckets -2→3, -1→5, 2→1, 4→3, 5→2 at schema 0 (bucket i holds (2^(i-1), 2^i]).
      const values = [
        ...Array<number>(3).fill(2 ** -2),
        ...Array<number>(5).fill(2 ** -1),
        2 ** 2,
        ...Array<number>(3).fill(2 ** 4),
        ...Array<number>(2).fill(2 ** 5),
      ];
      const point = observeAll(new NativeBuckets(config(0, 0)), values).point();
      expect(point.positiveSpans).to.deep.equal([{ offset: -2, length: 8 }]);
      expect(point.positiveDeltas).to.deep.equal([3, 2, -5, 0, 1, -1, 3, -1]);
      expect(point.negativeSpans).to.deep.equal([]);
      expect(point.negativeDeltas).to.deep.equal([]);
    });

    it('starts a new span after a gap of three or more buckets', () => {
      const point = observeAll(new NativeBuckets(config(0, 0)), [1, 1, 2 ** 4, -(2 ** -3)]).point();
      expect(point.positiveSpans).to.deep.equal([
        { offset: 0, length: 1 },
        { offset: 3, length: 1 },
      ]);
      expect(point.positiveDeltas).to.deep.equal([2, -1]);
      expect(point.negativeSpans).to.deep.equal([{ offset: -3, length: 1 }]);
      expect(point.negativeDeltas).to.deep.equal([1]);
    });

    it('gives an empty histogram the no-op positive span the specification requires', () => {
      const point = new NativeBuckets(config(3, 0)).point();
      expect(point).to.deep.include({ count: 0, sum: 0, zeroCount: 0, schema: 3 });
      expect(point.positiveSpans).to.deep.equal([{ offset: 0, length: 0 }]);
      expect(point.positiveDeltas).to.deep.equal([]);
    });
  });

  describe('bucket limit', () => {
    let clock: sinon.SinonFakeTimers | undefined;
    afterEach(() => {
      clock?.restore();
      clock = undefined;
    });

    it('without a reset halves the resolution to the highest schema whose buckets fit (or -4)', () => {
      fc.assert(
        fc.property(
          schemaArb,
          fc.integer({ min: 1, max: 12 }),
          fc.array(fc.oneof(fc.double({ noNaN: true }), boundaryValue), { maxLength: 80 }),
          (schema, max, values) => {
            const buckets = observeAll(new NativeBuckets(config(schema, 2 ** -128, max)), values);
            let expected = schema;
            const populated = (s: number): number => {
              const ref = reference(values, s, 2 ** -128);
              return ref.positive.size + ref.negative.size;
            };
            while (expected > -4 && populated(expected) > max) expected--;
            const point = buckets.point();
            expect(point.schema).to.equal(expected);
            expectMatches(point, reference(values, expected, 2 ** -128));
          },
        ),
        { numRuns: 150 },
      );
    });

    it('resets (keeping the overflowing observation) once minResetDurationSeconds have passed, else halves', () => {
      clock = sinon.useFakeTimers({ now: 1_700_000_000_000, toFake: ['Date', 'performance'] });
      const onReset = sinon.spy();
      const buckets = new NativeBuckets(config(3, 0, 4, 60), onReset);
      expect(buckets.startSeconds).to.equal(1_700_000_000);
      observeAll(buckets, [1, 2, 4, 8]); // indices 0, 8, 16, 24 at schema 3
      clock.tick(10_000);
      buckets.observe(16); // a fifth bucket 10 s after creation: halve until at most 4 buckets
      expect(buckets.schema).to.equal(-1);
      expect(buckets.bucketCount).to.equal(3);
      expect(buckets.count).to.equal(5);
      expect(onReset.called).to.equal(false);

      clock.tick(60_000);
      observeAll(buckets, [2 ** 10]); // a fourth bucket: within the limit
      expect(buckets.count).to.equal(6);
      buckets.observe(2 ** 20); // a fifth, 70 s after creation: reset
      expect(onReset.calledOnce).to.equal(true);
      expect(buckets.schema).to.equal(3);
      expect(buckets.startSeconds).to.equal(1_700_000_070);
      const point = buckets.point();
      expect(point).to.deep.include({ count: 1, sum: 2 ** 20, zeroCount: 0 });
      expect(sorted(decode(point.positiveSpans, point.positiveDeltas))).to.deep.equal([[160, 1]]);
    });

    it('resetIfDue() returns a reduced histogram to its resolution once minResetDurationSeconds have passed', () => {
      clock = sinon.useFakeTimers({ now: 1_700_000_000_000, toFake: ['Date', 'performance'] });
      const onReset = sinon.spy();
      const buckets = new NativeBuckets(config(2, 0, 2, 30), onReset);
      expect(buckets.resetIfDue()).to.equal(false); // not reduced
      observeAll(buckets, [1, 2, 4]);
      expect(buckets.schema).to.be.below(2);
      clock.tick(29_999);
      expect(buckets.resetIfDue()).to.equal(false);
      clock.tick(1);
      expect(buckets.resetIfDue()).to.equal(true);
      expect(onReset.calledOnce).to.equal(true);
      expect(buckets.schema).to.equal(2);
      expect(buckets.count).to.equal(0);
      expect(buckets.resetIfDue()).to.equal(false);
    });

    it('never resets with minResetDurationSeconds 0, and stops halving at schema -4', () => {
      clock = sinon.useFakeTimers({ now: 1_700_000_000_000, toFake: ['Date', 'performance'] });
      const onReset = sinon.spy();
      const buckets = new NativeBuckets(config(8, 0, 1, 0), onReset);
      clock.tick(86_400_000);
      observeAll(buckets, [1e-300, 1e-100, 1, 1e100, 1e300, -1, Infinity]);
      expect(buckets.schema).to.equal(-4);
      expect(buckets.count).to.equal(7);
      expect(buckets.bucketCount).to.be.above(1);
      expect(buckets.resetIfDue()).to.equal(false);
      expect(onReset.called).to.equal(false);
    });

    it('lets maxBuckets 0 mean no limit', () => {
      const values = Array.from({ length: 1000 }, (_, i) => 1.001 ** i);
      const buckets = observeAll(new NativeBuckets(config(8, 0, 0)), values);
      expect(buckets.schema).to.equal(8);
      expect(buckets.bucketCount).to.equal(reference(values, 8, 0).positive.size);
    });
  });

  describe('schemaFor', () => {
    it('gives the schemas of the specification’s table', () => {
      const table: [number, number][] = [
        [65536, -4],
        [256, -3],
        [16, -2],
        [4, -1],
        [2, 0],
        [1.5, 1],
        [1.2, 2],
        [1.1, 3],
        [1.05, 4],
        [1.03, 5],
        [1.02, 6],
        [1.01, 7],
        [1.005, 8],
        [1e9, -4],
        [1.0001, 8],
      ];
      for (const [factor, schema] of table) expect(schemaFor(factor), String(factor)).to.equal(schema);
      expect(schemaFor(ulps(2, -1))).to.equal(1);
    });

    it('picks the smallest schema whose growth factor is at most the bucket factor, compared exactly', () => {
      /** 2^(2^-s) <= f, exactly: for s > 0, 2 <= f^(2^s) on integers. */
      const factorAtMost = (schema: number, f: number): boolean => {
        if (schema <= 0) return 2 ** (2 ** -schema) <= f;
        const { m, e } = decompose(f);
        const power = 2 ** schema; // f^power = m^power * 2^(e * power) >= 2
        const needed = 1 - e * power;
        return needed <= 0 || m ** BigInt(power) >= 1n << BigInt(needed);
      };
      const near = fc
        .record({ s: fc.integer({ min: 1, max: 8 }), step: fc.integer({ min: -2, max: 2 }) })
        .map(({ s, step }) => ulps(2 ** (2 ** -s), step));
      fc.assert(
        fc.property(fc.oneof(fc.double({ min: 1, max: 1e6, noNaN: true }), near), (f) => {
          fc.pre(f > 1);
          const schema = schemaFor(f);
          if (schema < 8 || factorAtMost(8, f))
            expect(factorAtMost(schema, f), `${f}: schema ${schema}`).to.equal(true);
          if (schema > -4) expect(factorAtMost(schema - 1, f), `${f}: schema ${schema - 1}`).to.equal(false);
        }),
        { numRuns: 500 },
      );
    });
  });

  describe('options', () => {
    it('takes client_golang’s meanings with this library’s defaults for native: true', () => {
      expect(nativeBucketsConfig('h', true)).to.deep.equal({
        schema: 3,
        zeroThreshold: 2 ** -128,
        maxBuckets: 160,
        minResetDurationSeconds: 0,
      });
      expect(DEFAULT_NATIVE_OPTIONS.bucketFactor).to.equal(1.1);
      expect(nativeBucketsConfig('h', { bucketFactor: 2, zeroThreshold: 0, maxBuckets: 0 })).to.deep.equal({
        schema: 0,
        zeroThreshold: 0,
        maxBuckets: 0,
        minResetDurationSeconds: 0,
      });
    });

    it('refuses bad values with an error naming the metric, the option and the value', () => {
      const cases: [unknown, ErrorConstructor, RegExp][] = [
        [{ bucketFactor: 1 }, RangeError, /req_seconds: native\.bucketFactor must be a finite number > 1, got 1$/],
        [{ bucketFactor: Infinity }, RangeError, /native\.bucketFactor .* got Infinity/],
        [{ bucketFactor: '2' }, RangeError, /native\.bucketFactor .* got "2"/],
        [{ zeroThreshold: -1 }, RangeError, /native\.zeroThreshold must be a finite number >= 0, got -1/],
        [{ maxBuckets: 1.5 }, RangeError, /native\.maxBuckets must be an integer >= 0 .* got 1\.5/],
        [{ minResetDurationSeconds: NaN }, RangeError, /native\.minResetDurationSeconds .* got NaN/],
        [{ bucketfactor: 2 }, TypeError, /req_seconds: unknown option native\.bucketfactor/],
        ['yes', TypeError, /req_seconds: native must be true or an options object, got "yes"/],
        [false, TypeError, /got false/],
      ];
      for (const [native, type, message] of cases) {
        expect(() => nativeBucketsConfig('req_seconds', native), JSON.stringify(native)).to.throw(type, message);
      }
      expect(() => schemaFor(0.5)).to.throw(RangeError, /bucketFactor .* got 0\.5/);
    });
  });
});
