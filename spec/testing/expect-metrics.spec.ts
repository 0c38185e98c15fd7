/**
 * expectMetrics (issue 16, part 1): the expected text is read as text 0.0.4 sample lines and
 * compared with the registry's samples by name, label set and numeric value, not as a string;
 * a mismatch is an AssertionError with expected/actual for a runner's diff.
 */
import { AssertionError } from 'node:assert';
import { expect } from 'chai';
import fc from 'fast-check';
import { Counter, Gauge, Histogram, Registry, Summary, defaultRegistry } from '../../lib/index.js';
import { expectMetrics } from '../../lib/testing/index.js';
import { rejection } from '../support/tools.js';

/** The AssertionError expectMetrics rejects with; fails when it passes. */
async function failure(registry: Registry, text: string): Promise<AssertionError> {
  const error = await rejection(expectMetrics(registry, text));
  expect(error).to.be.instanceOf(AssertionError);
  return error as AssertionError;
}

describe('expectMetrics', () => {
  let registry: Registry;
  beforeEach(() => {
    registry = new Registry();
    const requests = new Counter({ name: 'requests', help: 'h', labelNames: ['route', 'code'], registry });
    requests.labels({ route: '/', code: '200' }).inc(2);
    requests.labels({ route: '/login', code: '500' }).inc();
    const latency = new Histogram({ name: 'latency_seconds', help: 'h', buckets: [0.1, 1, 10], registry });
    latency.observe(0.05);
    latency.observe(2);
    const rpc = new Summary({ name: 'rpc_seconds', help: 'h', percentiles: [0.5, 0.9], registry });
    rpc.observe(3);
    const gauges = new Gauge({ name: 'level', help: 'h', labelNames: ['kind'], registry });
    gauges.labels('nan').set(NaN);
    gauges.labels('up').set(Infinity);
    gauges.labels('down').set(-Infinity);
  });

  describe('passes', () => {
    it("on a subset of the registry's samples, HELP and TYPE lines and blank lines included", async () => {
      await expectMetrics(
        registry,
        `
        # HELP requests h
        # TYPE requests counter
        requests_total{route="/",code="200"} 2

        latency_seconds_count 2
        `,
      );
    });

    it('comparing labels as a set and values as numbers (1 = 1.0 = 1e0)', async () => {
      await expectMetrics(
        registry,
        'requests_total{code="200",route="/"} 2.0\nrequests_total{code="500",route="/login"} 1e0',
      );
    });

    it('with NaN equal to NaN and the infinities spelled as exposed', async () => {
      await expectMetrics(registry, 'level{kind="nan"} NaN\nlevel{kind="up"} +Inf\nlevel{kind="down"} -Inf');
    });

    it('reading le and quantile as numbers: le="1" is the bucket exposed as le="1.0"', async () => {
      await expectMetrics(
        registry,
        [
          'latency_seconds_bucket{le="0.1"} 1',
          'latency_seconds_bucket{le="1"} 1',
          'latency_seconds_bucket{le="1.0"} 1',
          'latency_seconds_bucket{le="10"} 2',
          'latency_seconds_bucket{le="+Inf"} 2',
          'latency_seconds_sum 2.05',
          'rpc_seconds{quantile="0.5"} 3',
          'rpc_seconds{quantile="0.90"} 3',
        ].join('\n'),
      );
    });

    it('with label values escaped as in the exposition (\\\\, \\", \\n), blanks and trailing commas', async () => {
      const g = new Gauge({ name: 'odd', help: 'h', labelNames: ['v'], registry });
      g.labels('say "hi"\\\nnext line').set(1);
      await expectMetrics(registry, 'odd{v="say \\"hi\\"\\\\\\nnext line",} 1');
      await expectMetrics(registry, 'odd { v = "say \\"hi\\"\\\\\\nnext line" } 1');
    });

    it("on the registry's own exposition of random label values (the text it writes reads back)", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.string({ unit: 'binary', maxLength: 12 }), { minLength: 1, maxLength: 5 }),
          async (values) => {
            const own = new Registry();
            const g = new Gauge({ name: 'prop', help: 'h', labelNames: ['v'], registry: own });
            values.forEach((value, i) => g.labels(value).set(i + 0.5));
            await expectMetrics(own, await own.metrics());
          },
        ),
        { numRuns: 100 },
      );
    });

    it('on the default registry, when given it', async () => {
      const c = new Counter({ name: 'prometric_spec_testing_expect', help: 'h' });
      try {
        c.inc(6);
        await expectMetrics(defaultRegistry, 'prometric_spec_testing_expect_total 6');
      } finally {
        defaultRegistry.unregister(c);
      }
    });

    it("on a custom collector's samples with a timestamp, when the line gives the same one", async () => {
      registry.registerCollector(() => [
        { name: 'last_run', help: 'h', type: 'gauge', samples: [{ value: 10, timestamp: 1_700_000_000_000 }] },
      ]);
      await expectMetrics(registry, 'last_run 10 1700000000000\nlast_run 10');
    });
  });

  describe('fails with an AssertionError', () => {
    it('naming a missing sample and the samples of that name it found instead', async () => {
      const error = await failure(
        registry,
        'requests_total{route="/",code="201"} 2\nrequests_total{route="/",code="200"} 2',
      );
      expect(error.name).to.equal('AssertionError');
      expect(error.message).to.include('expectMetrics: 1 of 2 expected samples not matched');
      expect(error.message).to.include('missing (line 1): requests_total{route="/",code="201"} 2');
      expect(error.message).to.include('requests_total{route="/",code="200"} 2');
    });

    it('naming a sample whose name it does not know at all', async () => {
      const error = await failure(registry, 'requests 2');
      expect(error.message).to.include('missing (line 1): requests 2 (no sample of that name)');
    });

    it('naming a different value, with expected and actual set for a diff', async () => {
      const error = await failure(
        registry,
        'latency_seconds_count 2\nlatency_seconds_bucket{le="0.1"} 2\nlevel{kind="nan"} 0',
      );
      expect(error.message).to.include('2 of 3 expected samples not matched');
      expect(error.message).to.include(
        'different (line 2): expected latency_seconds_bucket{le="0.1"} 2, got latency_seconds_bucket{le="0.1"} 1',
      );
      expect(error.message).to.include('different (line 3): expected level{kind="nan"} 0, got level{kind="nan"} NaN');
      expect(error.expected).to.equal(
        'latency_seconds_count 2\nlatency_seconds_bucket{le="0.1"} 2\nlevel{kind="nan"} 0\n',
      );
      expect(error.actual).to.equal(
        'latency_seconds_count 2\nlatency_seconds_bucket{le="0.1"} 1\nlevel{kind="nan"} NaN\n',
      );
    });

    it('when a value is NaN but the expected one is not, and for an infinity of the other sign', async () => {
      await failure(registry, 'level{kind="up"} -Inf');
      await failure(registry, 'level{kind="down"} NaN');
    });

    it('when a label set has one label more or less than the sample', async () => {
      await failure(registry, 'requests_total{route="/"} 2');
      await failure(registry, 'requests_total{route="/",code="200",extra="x"} 2');
      await failure(registry, 'latency_seconds_bucket 1');
    });

    it('when the line gives a timestamp the sample does not have', async () => {
      registry.registerCollector(() => [
        { name: 'last_run', help: 'h', type: 'gauge', samples: [{ value: 10, timestamp: 1_700_000_000_000 }] },
      ]);
      const error = await failure(registry, 'last_run 10 1700000000001\nlatency_seconds_count 2 5');
      expect(error.message).to.include(
        'different (line 1): expected last_run 10 1700000000001, got last_run 10 1700000000000',
      );
      expect(error.message).to.include('different (line 2)');
    });
  });

  describe('refuses bad arguments with a TypeError', () => {
    const bad: Array<[string, RegExp]> = [
      ['requests_total{route="/"', /line 1 .*"," or "\}" expected after label route/],
      ['requests_total{route="/} 2', /line 1 .*the value of label route is not closed/],
      ['requests_total{route="\\t"} 2', /line 1 .*invalid escape \\t in the value of label route/],
      ['requests_total{route="/",route="/"} 2', /label route given twice/],
      ['\n\nrequests_total two', /line 3 .*value "two" is not a number/],
      ['requests_total', /line 1 .*no value/],
      ['requests_total 1 2 3', /unexpected "3"/],
      ['requests_total 1 1.5', /timestamp "1\.5" is not an integer/],
      ['1requests 1', /no metric name at its start/],
      ['{route="/"} 1', /no metric name at its start/],
      ['# only a comment\n\n', /expectedText holds no sample line/],
    ];
    for (const [text, message] of bad) {
      it(`for ${JSON.stringify(text)}`, async () => {
        const error = await rejection(expectMetrics(registry, text));
        expect(error).to.be.instanceOf(TypeError);
        expect(error.message)
          .to.match(/^expectMetrics: /)
          .and.match(message);
      });
    }

    it('for a registry that is not one, and expected text that is not a string', async () => {
      const noRegistry = await rejection(expectMetrics(undefined as unknown as Registry, 'x 1'));
      expect(noRegistry).to.be.instanceOf(TypeError);
      expect(noRegistry.message).to.match(/expectMetrics: registry must be a Registry.*got undefined/);
      const noText = await rejection(expectMetrics(registry, 42 as unknown as string));
      expect(noText).to.be.instanceOf(TypeError);
      expect(noText.message).to.match(/expectMetrics: expectedText must be a string.*got 42/);
    });
  });
});
