/**
 * A real Prometheus 2.42 with `--enable-feature=native-histograms,exemplar-storage` scrapes a
 * service whose decorated method is timed by a native histogram (native-target.ts, one process),
 * called 2000 times with durations log-uniform from 1 ms to 10 s. Through the HTTP query API:
 * - `histogram_count` and `histogram_sum` equal the calls made and the total of their durations;
 * - `histogram_quantile(q, ...)` for q in 0.5, 0.9, 0.99 lies within the relative error of the
 *   schema used (3, the schema of `native: true`) of the true quantile of the observed durations.
 *
 * The bound. Schema 3 buckets are (2^((i-1)/8), 2^(i/8)]: each bound is 2^(1/8) times the one
 * before. For a native histogram, histogram_quantile takes rank = q * count, finds the first bucket
 * whose cumulative count reaches it, and interpolates inside that bucket (2.42: linearly), so its
 * estimate lies in [lower, upper] of that bucket. Cumulative counts are integers, so that bucket also
 * holds the ceil(q * count)-th smallest observation, the true quantile. Two values in one bucket differ
 * by a factor of at most 2^(1/8): the estimate is within 2^(1/8) - 1 (about 9.05 %) of the truth.
 * The spec checks that bound, and the sharper fact behind it with the bucket bounds Prometheus
 * itself answers: the estimate lies in the bucket that holds the true quantile.
 *
 * Prometheus starts once for the file and is stopped by its PID after it, as is the target.
 */
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import type { NativeTargetExchange, NativeTargetReady } from './native-target.js';
import { PrometheusProcess, start, stop, type Started, type VectorSample, nextMessage } from '../support/prometheus.js';
import { waitFor } from './support.js';
import { hasPrometheus, requireTool } from '../support/tools.js';

const TARGET = fileURLToPath(new URL('./native-target.js', import.meta.url));
const JOB = 'native';
/** How many calls the target's service gets. */
const CALLS = 2000;
const SCHEMA = 3;
/** The growth factor of a schema-3 bucket: the largest ratio of two values in one bucket. */
const BUCKET_FACTOR = 2 ** (2 ** -SCHEMA);
const QUANTILES = [0.5, 0.9, 0.99] as const;
/** What 2.42 asks for first with native histograms on, and what the target must answer. */
const PROTOBUF_ACCEPT = 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited';
const PROTOBUF_ANSWER =
  /^application\/vnd\.google\.protobuf; proto=io\.prometheus\.client\.MetricFamily; encoding=delimited/;

/** The q-quantile of the observations as histogram_quantile ranks it: the ceil(q * n)-th smallest. */
function trueQuantile(sorted: readonly number[], q: number): number {
  return sorted[Math.max(Math.ceil(q * sorted.length), 1) - 1]!;
}

/** The number an instant query answered for its one series. */
function scalarOf(result: readonly VectorSample[], expr: string): number {
  expect(result, expr).to.have.length(1);
  expect(result[0]!.value, `${expr}: a float sample`).to.not.equal(undefined);
  return Number(result[0]!.value![1]);
}

describe('a real Prometheus 2.42 with native histograms reads a @Timed native histogram', function () {
  this.timeout(60_000);
  let target: Started | undefined;
  let prometheus: PrometheusProcess | undefined;
  let metric = '';
  let observed: readonly number[] = [];
  let histogram: NonNullable<VectorSample['histogram']>[1];

  const diagnostics = (): string =>
    `\n--- target output ---\n${target?.output()}\n--- prometheus (tail) ---\n${prometheus?.tail()}`;

  before(async function () {
    requireTool(this, 'prometheus', hasPrometheus());
    target = start(process.execPath, [TARGET, String(CALLS)], process.env, true);
    const ready = await nextMessage<NativeTargetReady>(target.child, 'ready message');
    ({ metric, observedSeconds: observed } = ready);
    prometheus = await PrometheusProcess.start({
      jobs: [{ name: JOB, port: ready.port }],
      features: ['native-histograms', 'exemplar-storage'],
    });
    await prometheus.waitUntilUp([JOB]);
    // `up` is written with the scrape's samples, but wait for the series itself to be queryable.
    const series = await waitFor(
      `${metric} to be stored`,
      async () => {
        const result = await prometheus!.query(metric);
        return result.length === 1 ? result[0]! : undefined;
      },
      15_000,
      250,
    );
    expect(series.histogram, `a native histogram sample${diagnostics()}`).to.not.equal(undefined);
    histogram = series.histogram![1];
  });

  after(async () => {
    await prometheus?.stop();
    await stop(target);
  });

  it('the target made the calls it was asked for, durations from 1 ms to 10 s', () => {
    expect(observed).to.have.length(CALLS);
    expect(Math.min(...observed)).to.equal(0.001);
    expect(Math.max(...observed)).to.equal(10);
  });

  it('scraped the target in protobuf (the format that carries native histograms)', async () => {
    target!.child.send('exchanges');
    const { exchanges } = await nextMessage<{ exchanges: NativeTargetExchange[] }>(target!.child, 'exchanges');
    expect(exchanges, diagnostics()).to.not.be.empty;
    for (const exchange of exchanges) {
      expect(exchange.accept!.startsWith(PROTOBUF_ACCEPT), exchange.accept).to.equal(true);
      expect(exchange.status).to.equal(200);
      expect(exchange.contentType).to.match(PROTOBUF_ANSWER);
    }
  });

  it('stored it as one native histogram of schema 3 (no classic _bucket series)', async () => {
    expect(await prometheus!.query(`{__name__=~"${metric}_bucket|${metric}_count"}`)).to.be.empty;
    expect(histogram.buckets.length).to.be.greaterThan(1);
    for (const [, lower, upper] of histogram.buckets) {
      expect(Number(upper) / Number(lower), `bucket (${lower}, ${upper}]`).to.be.closeTo(BUCKET_FACTOR, 1e-12);
    }
  });

  it('histogram_count and histogram_sum equal the calls made and their total duration', async () => {
    const countExpr = `histogram_count(${metric})`;
    const sumExpr = `histogram_sum(${metric})`;
    // The histogram adds the durations in call order: the same order gives the same double.
    const total = observed.reduce((sum, seconds) => sum + seconds, 0);
    expect(scalarOf(await prometheus!.query(countExpr), countExpr)).to.equal(CALLS);
    expect(scalarOf(await prometheus!.query(sumExpr), sumExpr)).to.equal(total);
    expect(Number(histogram.count)).to.equal(CALLS);
    expect(Number(histogram.sum)).to.equal(total);
  });

  for (const q of QUANTILES) {
    it(`histogram_quantile(${q}) lies within the schema's relative error of the true quantile`, async () => {
      const sorted = [...observed].sort((a, b) => a - b);
      const truth = trueQuantile(sorted, q);
      const expr = `histogram_quantile(${q}, ${metric})`;
      const estimate = scalarOf(await prometheus!.query(expr), expr);
      const figures = `${expr} = ${estimate}, true quantile ${truth}`;
      // Within 2^(1/8) - 1 either way (a tiny allowance for the float bucket bounds).
      expect(estimate / truth, figures).to.be.within(1 / BUCKET_FACTOR - 1e-12, BUCKET_FACTOR + 1e-12);
      // The sharper reason: the estimate lies in the bucket that holds the true quantile.
      const holding = histogram.buckets.find(([, lower, upper]) => Number(lower) < truth && truth <= Number(upper));
      expect(holding, `${figures}: no bucket holds the true quantile`).to.not.equal(undefined);
      expect(estimate, figures).to.be.within(Number(holding![1]), Number(holding![2]));
    });
  }

  it('logged no failed scrape or append', () => {
    expect(prometheus!.output(), prometheus!.tail()).to.not.match(/level=(warn|error).*(scrape|append)/i);
  });
});
