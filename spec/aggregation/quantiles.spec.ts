/**
 * Summary quantiles across workers: 4 worker threads (fixtures/thread-observer.ts) each observe a
 * different distribution into the same Summary; the main thread's aggregate must answer each
 * percentile within the sketch's relative error (quantileError, 1% by default) of the true
 * observation at that rank among all the observations together, which the spec draws again from
 * the same seeds. Adding up the workers' own quantiles, as prom-client's cluster aggregation
 * does, is shown to be far off. (quantiles-cluster.spec does the same with cluster workers.)
 */
import { expect } from 'chai';
import { Worker } from 'node:worker_threads';
import { Registry, aggregateThreadMetrics, type Aggregation } from '../../lib/index.js';
import { waitFor } from '../server/support.js';
import {
  DISTRIBUTIONS,
  PERCENTILES,
  PER_WORKER,
  allObservations,
  compareQuantiles,
  describeRows,
  quantilesIn,
  seedOf,
  summedQuantiles,
} from './quantiles-distributions.js';

const OBSERVER = new URL('./fixtures/thread-observer.js', import.meta.url);
const TOTAL = DISTRIBUTIONS.length * PER_WORKER;
/** The Summary's default quantileError, which the threads' summaries keep. */
const QUANTILE_ERROR = 0.01;

describe('aggregateThreadMetrics: summary quantiles of 4 threads fed different distributions', function () {
  this.timeout(60_000);

  const registry = new Registry();
  let aggregation: Aggregation | undefined;
  const threads: Worker[] = [];
  /** Each thread's quantiles as it exposes them alone, by quantile. */
  let own: Array<Map<number, number>>;
  /** All the observations of the 4 threads together, sorted. */
  let all: Float64Array;
  let body: string;

  before(async () => {
    aggregation = aggregateThreadMetrics({ registry, intervalMs: 100 });
    const ownQuantiles = DISTRIBUTIONS.map((distribution, i) => {
      const thread = new Worker(OBSERVER, { workerData: { distribution, seed: seedOf(i), count: PER_WORKER } });
      threads.push(thread);
      return new Promise<Map<number, number>>((resolve, reject) => {
        thread.once('message', (message: { own: Array<[number, number]> }) => resolve(new Map(message.own)));
        thread.once('error', reject);
      });
    });
    own = await Promise.all(ownQuantiles);
    all = allObservations(PER_WORKER);
    body = await waitFor(
      'the four threads to have reported every observation',
      async () => {
        const text = await registry.metrics();
        return text.includes(`\nobserved_values_count ${TOTAL}\n`) ? text : undefined;
      },
      20_000,
    );
  });

  after(async () => {
    aggregation?.stop();
    await Promise.all(threads.map((t) => t.terminate()));
  });

  it('counts and sums every observation of the four threads', () => {
    const sum = all.reduce((a, b) => a + b, 0);
    const line = body.split('\n').find((l) => l.startsWith('observed_values_sum '));
    expect(Number(line?.split(' ')[1])).to.be.closeTo(sum, sum * 1e-9);
    expect([...quantilesIn(body, 'observed_values').keys()]).to.deep.equal(PERCENTILES);
  });

  it('answers each percentile within quantileError of the true observation at its rank among all of them', () => {
    const rows = compareQuantiles(all, quantilesIn(body, 'observed_values'));
    console.log(describeRows(rows));
    // The sketch's bound is exact arithmetic on the bucket's edges: allow for the last bits of floating point.
    const outside = rows.filter((r) => !(r.relativeError <= QUANTILE_ERROR * (1 + 1e-9)));
    expect(outside, 'percentiles outside the error bound').to.deep.equal([]);
  });

  it("adding the workers' own quantiles (prom-client's cluster sum) is far off", () => {
    const errors = compareQuantiles(all, summedQuantiles(own)).map((r) => r.relativeError);
    console.log(
      `      summed per-thread quantiles, relative error: ${errors.map((e) => `${(100 * e).toFixed(0)}%`).join(', ')}`,
    );
    expect(Math.min(...errors), 'the smallest error of the sums').to.be.above(10 * QUANTILE_ERROR);
  });
});
