/**
 * A worker thread's metrics reach the main thread's aggregate at the edges of the thread's life:
 * - when the main thread is busy while the thread starts: the main thread only hears of a new
 *   thread (process' 'worker' event) on a later tick, and a BroadcastChannel message posted
 *   before the listening side opens its channel is delivered to nobody;
 * - when the thread dies of an uncaught error right after counting, with `eager: false` (so
 *   only its last word on exit can carry what it counted).
 */
import { expect } from 'chai';
import { Worker } from 'node:worker_threads';
import { Registry, aggregateThreadMetrics, type Aggregation, type AggregationOptions } from '../../lib/index.js';
import { waitFor } from '../server/support.js';

const COUNTER = new URL('./fixtures/thread-counter.js', import.meta.url);
const COUNT = 7;

describe("aggregateThreadMetrics: at the edges of a thread's life", function () {
  this.timeout(30_000);

  let registry: Registry;
  let aggregation: Aggregation | undefined;
  let thread: Worker | undefined;

  /** Starts an aggregation and one counting thread; returns the signal the thread sets once it has counted. */
  const startCounting = (options: AggregationOptions, workerData: { delayMs: number; fail: boolean }) => {
    registry = new Registry();
    aggregation = aggregateThreadMetrics({ ...options, registry });
    const signal = new Int32Array(new SharedArrayBuffer(4));
    thread = new Worker(COUNTER, { workerData: { ...workerData, count: COUNT, signal } });
    return signal;
  };

  const aggregateShowsCount = async (): Promise<string> =>
    waitFor(
      'the aggregate to show what the thread counted',
      async () => {
        const text = await registry.metrics();
        return new RegExp(`^thread_counted_total ${COUNT}$`, 'm').test(text) ? text : undefined;
      },
      5_000,
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}; the aggregate:\n${await registry.metrics()}`);
    });

  afterEach(async () => {
    aggregation?.stop();
    aggregation = undefined;
    await thread?.terminate();
    thread = undefined;
  });

  it('shows what a thread counted while the main thread was busy as it started', async () => {
    const intervalMs = 100;
    const signal = startCounting({ intervalMs }, { delayMs: 0, fail: false });
    // Busy as a main thread is while it starts up: blocked until the thread has counted, then
    // through several of the thread's report intervals (bounded waits both).
    expect(Atomics.wait(signal, 0, 0, 10_000), 'the thread to count').to.equal('ok');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5 * intervalMs);

    expect(await aggregateShowsCount()).to.match(/^# TYPE thread_counted_total counter$/m);
  });

  it('shows what a thread counted right before an uncaught error ended it, without eager reports', async () => {
    // Its periodic report would come in a minute: only the thread's last word can carry the count.
    const exited = new Promise<number>((resolve) => {
      startCounting({ intervalMs: 60_000, eager: false }, { delayMs: 300, fail: true });
      thread!.once('error', () => undefined);
      thread!.once('exit', resolve);
    });
    expect(await exited, 'exit code').to.equal(1);

    await aggregateShowsCount();
    expect(aggregation!.workers().map((w) => w.alive)).to.deep.equal([false]);
  });
});
