/**
 * quantiles.spec with node:cluster workers instead of threads (quantiles-cluster-service.ts): 4
 * workers observe 4 different distributions into the same Summary; the primary's aggregate
 * answers each percentile within the sketch's relative error of the true observation at that
 * rank among all the observations, and adding the workers' own quantiles is far off.
 */
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { nextMessage, start, stop, type Started } from '../support/prometheus.js';
import type { ClusterQuantiles } from './quantiles-cluster-service.js';
import {
  PERCENTILES,
  PER_WORKER,
  allObservations,
  compareQuantiles,
  describeRows,
  quantilesIn,
  summedQuantiles,
} from './quantiles-distributions.js';

const SERVICE = fileURLToPath(new URL('./quantiles-cluster-service.js', import.meta.url));
const QUANTILE_ERROR = 0.01;

/** Whether a process we started is still there (signal 0 only checks). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('aggregateClusterMetrics: summary quantiles of 4 cluster workers fed different distributions', function () {
  this.timeout(60_000);

  let service: Started | undefined;
  let result: ClusterQuantiles;
  let all: Float64Array;

  before(async () => {
    service = start(process.execPath, [SERVICE], process.env, true);
    ({ done: result } = await nextMessage<{ done: ClusterQuantiles }>(service.child, 'quantiles', 30_000).catch(
      (error: Error) => {
        throw new Error(`${error.message}; the service printed:\n${service!.output()}`);
      },
    ));
    all = allObservations(PER_WORKER);
  });

  after(async () => {
    await stop(service);
    // The primary kills its workers before it exits: none may outlive it.
    const survivors = (result?.pids ?? []).filter(running);
    for (const pid of survivors) process.kill(pid, 'SIGKILL');
    expect(survivors, 'workers left running').to.deep.equal([]);
  });

  it('counts every observation of the four workers', () => {
    expect(result.body).to.include(`\nobserved_values_count ${4 * PER_WORKER}\n`);
    expect([...quantilesIn(result.body, 'observed_values').keys()]).to.deep.equal(PERCENTILES);
  });

  it('answers each percentile within quantileError of the true observation at its rank among all of them', () => {
    const rows = compareQuantiles(all, quantilesIn(result.body, 'observed_values'));
    console.log(describeRows(rows));
    const outside = rows.filter((r) => !(r.relativeError <= QUANTILE_ERROR * (1 + 1e-9)));
    expect(outside, 'percentiles outside the error bound').to.deep.equal([]);
  });

  it("adding the workers' own quantiles (prom-client's cluster sum) is far off", () => {
    const own = result.own.map((pairs) => new Map(pairs));
    const errors = compareQuantiles(all, summedQuantiles(own)).map((r) => r.relativeError);
    console.log(
      `      summed per-worker quantiles, relative error: ${errors.map((e) => `${(100 * e).toFixed(0)}%`).join(', ')}`,
    );
    expect(Math.min(...errors), 'the smallest error of the sums').to.be.above(10 * QUANTILE_ERROR);
  });
});
