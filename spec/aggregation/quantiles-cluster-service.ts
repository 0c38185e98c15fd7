/**
 * The processes of quantiles-cluster.spec, one file for both roles. Run as a child process with
 * an IPC channel, it is the cluster primary: it aggregates, forks 4 workers of this same file,
 * and once the aggregate holds all their observations sends the spec
 * `{ done: { own, body, pids } }`: each worker's own quantiles, the primary's /metrics text, and
 * the workers' pids. SIGTERM kills the workers and exits once they are gone.
 *
 * Each worker declares a Summary, observes its distribution (the spec draws the same values
 * again), sends the primary its own quantiles, and stays up until killed.
 */
import cluster, { type Worker } from 'node:cluster';
import { Summary, aggregateClusterMetrics, defaultRegistry } from '../../lib/index.js';
import { DISTRIBUTIONS, PERCENTILES, PER_WORKER, draw, quantilesIn, seedOf } from './quantiles-distributions.js';

export interface ClusterQuantiles {
  /** Each worker's quantiles as it exposes them alone, as [quantile, value] pairs, in worker order. */
  readonly own: Array<Array<[number, number]>>;
  /** The primary's exposition once it counts every observation. */
  readonly body: string;
  readonly pids: number[];
}

const WORKER_INDEX = 'QUANTILES_WORKER_INDEX';

if (cluster.isPrimary) await primary();
else worker(Number(process.env[WORKER_INDEX]));

async function primary(): Promise<void> {
  if (process.send === undefined) throw new Error('quantiles-cluster-service: run it with an IPC channel');
  const aggregation = aggregateClusterMetrics({ intervalMs: 100 });
  const workers: Worker[] = [];
  process.once('SIGTERM', () => {
    aggregation.stop();
    let alive = workers.filter((w) => !w.isDead()).length;
    if (alive === 0) process.exit(0);
    for (const w of workers) {
      w.once('exit', () => --alive === 0 && process.exit(0));
      w.process.kill('SIGKILL');
    }
  });
  const own = await Promise.all(
    DISTRIBUTIONS.map((_, i) => {
      const forked = cluster.fork({ [WORKER_INDEX]: String(i) });
      workers.push(forked);
      // The worker's reports to the aggregation come on the same channel: wait for the one message of its own.
      return new Promise<Array<[number, number]>>((resolve) => {
        const onMessage = (message: { own?: Array<[number, number]> }): void => {
          if (message.own === undefined) return;
          forked.off('message', onMessage);
          resolve(message.own);
        };
        forked.on('message', onMessage);
      });
    }),
  );
  const total = DISTRIBUTIONS.length * PER_WORKER;
  const deadline = Date.now() + 20_000;
  let body = await defaultRegistry.metrics();
  while (!body.includes(`\nobserved_values_count ${total}\n`) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    body = await defaultRegistry.metrics();
  }
  const done: ClusterQuantiles = { own, body, pids: workers.map((w) => w.process.pid!) };
  process.send({ done });
}

async function worker(index: number): Promise<void> {
  const distribution = DISTRIBUTIONS[index]!;
  const observed = new Summary({
    name: 'observed_values',
    help: 'Values drawn from a distribution',
    percentiles: PERCENTILES,
  });
  for (const value of draw(distribution, seedOf(index), PER_WORKER)) observed.observe(value);
  const own = quantilesIn(await defaultRegistry.metrics(), 'observed_values');
  process.send!({ own: [...own] });
  // Up until the primary kills it (its reporting timer is unref'd).
  setInterval(() => undefined, 60_000);
}
