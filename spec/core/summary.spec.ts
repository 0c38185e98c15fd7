import { expect } from 'chai';
import fc from 'fast-check';
import sinon from 'sinon';
import { performance } from 'node:perf_hooks';
import { Registry, Summary, defaultRegistry } from '../../lib/index.js';
import { refreshCoarseClock } from '../../lib/instrument/clock.js';
import { expectMetrics, getSamples, getSampleValue } from '../../lib/testing/index.js';

/** The quantile estimates a registry collects for one summary family, by quantile. */
async function quantiles(registry: Registry, name: string): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const s of await getSamples(name, registry)) {
    const quantile = s.labels.quantile;
    if (quantile !== undefined) out.set(Number(quantile), s.value);
  }
  return out;
}

/**
 * The summary's stated bound: an estimate is within `error` (relative) of the true observation
 * at rank floor(q * (n - 1)); observations nearer to zero than 1e-9 count as 0.
 */
function withinStatedBound(estimate: number, exact: number, error: number): boolean {
  if (Math.abs(exact) < 1e-9) return Math.abs(estimate - exact) <= 1e-9;
  return Math.abs(estimate - exact) <= error * Math.abs(exact) * (1 + 1e-12);
}

describe('Summary', () => {
  let registry: Registry;
  beforeEach(() => {
    registry = new Registry();
  });
  afterEach(() => sinon.restore());

  it('takes both constructor forms, and the registry default / null', () => {
    const a = new Summary('rt', 'Response time', ['route'], { percentiles: [0.5], registry });
    const b = new Summary({ name: 'sz', help: 'Size', labelNames: ['route'], registry });
    expect(a.percentiles).to.deep.equal([0.5]);
    expect(b.percentiles).to.deep.equal([]);
    expect(registry.getMetric('rt')).to.equal(a);
    expect(registry.getMetric('sz')).to.equal(b);
    const d = new Summary('prometric_spec_summary_default', 'h');
    try {
      expect(defaultRegistry.getMetric('prometric_spec_summary_default')).to.equal(d);
    } finally {
      defaultRegistry.unregister(d);
    }
    expect(new Summary({ name: 'prometric_spec_summary_null', help: 'h', registry: null }).registry).to.equal(null);
    expect(defaultRegistry.getMetric('prometric_spec_summary_null')).to.equal(undefined);
  });

  it("exposes _count and _sum only by default, as Python's client", async () => {
    const s = new Summary('req_seconds', 'Time', [], { registry });
    s.observe(0.25);
    s.observe(1.5);
    expect(await registry.metrics()).to.equal(
      '# HELP req_seconds Time\n# TYPE req_seconds summary\nreq_seconds_count 2\nreq_seconds_sum 1.75\n',
    );
  });

  it('refuses NaN and non-numbers with a RangeError naming it, changing nothing', async () => {
    const s = new Summary('s_bad', 'h', [], { percentiles: [0.5], registry });
    s.observe(3);
    const before = await registry.metrics();
    expect(() => s.observe(NaN)).to.throw(RangeError, /s_bad.*NaN/);
    expect(() => s.observe(undefined as unknown as number)).to.throw(RangeError, /s_bad/);
    expect(await registry.metrics()).to.equal(before);
  });

  it('exposes quantiles as NaN while the window is empty, and exact for one observation', async () => {
    const s = new Summary('q', 'h', [], { percentiles: [0.5, 0.99], registry });
    expect(await registry.metrics()).to.equal(
      '# HELP q h\n# TYPE q summary\nq{quantile="0.5"} NaN\nq{quantile="0.99"} NaN\nq_count 0\nq_sum 0\n',
    );
    s.observe(42);
    expect(await registry.metrics()).to.equal(
      '# HELP q h\n# TYPE q summary\nq{quantile="0.5"} 42\nq{quantile="0.99"} 42\nq_count 1\nq_sum 42\n',
    );
  });

  it('validates percentiles, maxAgeSeconds, ageBuckets and quantileError, naming the summary', () => {
    const bad: Array<[object, RegExp]> = [
      [{ percentiles: [1.5] }, /percentiles\[0\].*1\.5/],
      [{ percentiles: [-0.1] }, /-0\.1/],
      [{ percentiles: [0.5, 0.5] }, /0\.5 is given twice/],
      [{ percentiles: ['0.5'] }, /"0\.5"/],
      [{ percentiles: [NaN] }, /NaN/],
      [{ maxAgeSeconds: 0 }, /maxAgeSeconds/],
      [{ maxAgeSeconds: Infinity }, /maxAgeSeconds/],
      [{ ageBuckets: 0 }, /ageBuckets/],
      [{ ageBuckets: 2.5 }, /ageBuckets/],
      [{ quantileError: 0 }, /quantileError/],
      [{ quantileError: 0.5 }, /quantileError/],
    ];
    for (const [options, message] of bad) {
      expect(() => new Summary({ name: 'opts', help: 'h', registry, ...options }), JSON.stringify(options))
        .to.throw(RangeError, message)
        .with.property('message')
        .that.includes('opts');
      expect(registry.getMetric('opts')).to.equal(undefined);
    }
    expect(() => new Summary({ name: 'opts', help: 'h', registry, percentiles: 0.5 as unknown as number[] })).to.throw(
      TypeError,
      /opts/,
    );
  });

  it('sorts the percentiles it is given', () => {
    expect(new Summary({ name: 's', help: 'h', percentiles: [0.99, 0.5, 0.9], registry }).percentiles).to.deep.equal([
      0.5, 0.9, 0.99,
    ]);
  });

  describe('quantile accuracy', () => {
    const PERCENTILES = [0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1];
    // Magnitudes across the stated range 1e-9..1e15, both signs, and some exact zeros.
    const observation = fc.oneof(
      {
        weight: 8,
        arbitrary: fc
          .tuple(fc.double({ min: -9, max: 15, noNaN: true }), fc.boolean())
          .map(([e, neg]) => (neg ? -1 : 1) * 10 ** e),
      },
      { weight: 1, arbitrary: fc.constantFrom(0, 1e-9, 1e15, -1e15, 5e-324) },
      { weight: 4, arbitrary: fc.double({ min: 0.001, max: 10, noNaN: true }) },
    );

    it('every estimate is within the stated 1% of the exact quantile (random data)', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(observation, { minLength: 1, maxLength: 3000, size: 'max' }), async (values) => {
          const reg = new Registry();
          const s = new Summary({ name: 'acc', help: 'h', percentiles: PERCENTILES, registry: reg });
          for (const v of values) s.observe(v);
          const sorted = [...values].sort((a, b) => a - b);
          const estimates = await quantiles(reg, 'acc');
          for (const q of PERCENTILES) {
            const exact = sorted[Math.floor(q * (sorted.length - 1))]!;
            const estimate = estimates.get(q)!;
            expect(withinStatedBound(estimate, exact, 0.01), `q=${q}: estimate ${estimate}, exact ${exact}`).to.equal(
              true,
            );
          }
          expect(estimates.get(0)).to.equal(sorted[0]);
          expect(estimates.get(1)).to.equal(sorted[sorted.length - 1]);
        }),
        { numRuns: 40 },
      );
    });

    it('holds a coarser bound when asked for one (quantileError: 0.05)', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(observation, { minLength: 1, maxLength: 1000 }), async (values) => {
          const reg = new Registry();
          const s = new Summary({
            name: 'acc',
            help: 'h',
            percentiles: [0.5, 0.9],
            quantileError: 0.05,
            registry: reg,
          });
          for (const v of values) s.observe(v);
          const sorted = [...values].sort((a, b) => a - b);
          const estimates = await quantiles(reg, 'acc');
          for (const q of [0.5, 0.9]) {
            expect(withinStatedBound(estimates.get(q)!, sorted[Math.floor(q * (sorted.length - 1))]!, 0.05)).to.equal(
              true,
            );
          }
        }),
        { numRuns: 30 },
      );
    });

    it('is not exact: a 1% bound is a real approximation (guards the test above)', async () => {
      const s = new Summary({ name: 'approx', help: 'h', percentiles: [0.5], registry });
      for (const v of [10, 20, 30]) s.observe(v);
      const median = (await quantiles(registry, 'approx')).get(0.5)!;
      expect(median).not.to.equal(20);
      expect(withinStatedBound(median, 20, 0.01)).to.equal(true);
    });
  });

  describe('sliding window', () => {
    let now: number;
    beforeEach(() => {
      now = 1_000_000;
      // The window's clock is performance.now() from node:perf_hooks (read at scrape time and by
      // a coarse ticker, never per observation); sinon's fake timers replace only the global
      // `performance`, so the clock is stubbed directly.
      sinon.stub(performance, 'now').callsFake(() => now);
    });
    afterEach(() => {
      // Put the shared coarse clock back on real time at once, not at its next tick.
      sinon.restore();
      refreshCoarseClock();
    });

    it('ages old observations out after maxAgeSeconds; _count and _sum keep them', async () => {
      const s = new Summary({
        name: 'win',
        help: 'h',
        percentiles: [0.25, 0.5, 0.75],
        maxAgeSeconds: 10,
        ageBuckets: 5,
        registry,
      });
      for (let i = 0; i < 100; i++) s.observe(1);
      expect(await quantiles(registry, 'win')).to.deep.equal(
        new Map([
          [0.25, 1],
          [0.5, 1],
          [0.75, 1],
        ]),
      );

      now += 5_000;
      await registry.metrics();
      for (let i = 0; i < 100; i++) s.observe(100);
      let q = await quantiles(registry, 'win');
      expect(q.get(0.25)).to.equal(1); // both batches are in the window
      expect(withinStatedBound(q.get(0.75)!, 100, 0.01)).to.equal(true);

      now += 6_000; // the first batch is 11 s old now, the second 6 s
      q = await quantiles(registry, 'win');
      expect(q.get(0.25)).to.equal(100); // clamped to the window's min: only the second batch is left
      expect(q.get(0.5)).to.equal(100);
      await expectMetrics(registry, 'win_count 200\nwin_sum 10100');

      now += 20_000;
      q = await quantiles(registry, 'win');
      expect([...q.values()].every((v) => Number.isNaN(v))).to.equal(true);
      expect(await getSampleValue('win_count', {}, registry)).to.equal(200);
    });

    it('keeps observations younger than (ageBuckets - 1) / ageBuckets of maxAge', async () => {
      const s = new Summary({
        name: 'keep',
        help: 'h',
        percentiles: [0.5],
        maxAgeSeconds: 10,
        ageBuckets: 5,
        registry,
      });
      s.observe(7);
      now += 7_999;
      expect((await quantiles(registry, 'keep')).get(0.5)).to.equal(7);
    });

    it('each labeled child has its own window', async () => {
      const s = new Summary({
        name: 'per',
        help: 'h',
        labelNames: ['a'],
        percentiles: [0.5],
        maxAgeSeconds: 10,
        ageBuckets: 2,
        registry,
      });
      s.labels('x').observe(1);
      now += 6_000;
      await registry.metrics();
      s.labels('y').observe(2);
      now += 6_000;
      expect(await getSampleValue('per', { a: 'x', quantile: '0.5' }, registry)).to.be.NaN;
      expect(await getSampleValue('per', { a: 'y', quantile: '0.5' }, registry)).to.equal(2);
    });

    it('reads no clock per observation (no Date.now(), no performance.now())', () => {
      const s = new Summary({ name: 'clockless', help: 'h', percentiles: [0.5], registry });
      const perf = performance.now as sinon.SinonStub;
      perf.resetHistory();
      const date = sinon.spy(Date, 'now');
      for (let i = 0; i < 1000; i++) s.observe(i);
      expect(date.callCount).to.equal(0);
      expect(perf.callCount).to.equal(0);
    });
  });

  it('reset() clears count, sum and the quantile window', async () => {
    const s = new Summary({ name: 'r', help: 'h', percentiles: [0.5], registry });
    s.observe(5);
    registry.resetMetrics();
    expect(await registry.metrics()).to.equal(
      '# HELP r h\n# TYPE r summary\nr{quantile="0.5"} NaN\nr_count 0\nr_sum 0\n',
    );
  });
});
