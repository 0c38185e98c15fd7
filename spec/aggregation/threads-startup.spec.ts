/**
 * A worker thread's metrics reach the main thread's aggregate even when the main thread is busy
 * while the thread starts: the main thread only hears of a new thread (process' 'worker' event)
 * on a later tick, and a BroadcastChannel message posted before the listening side opens its
 * channel is delivered to nobody.
 */
import { expect } from 'chai';
import { Worker } from 'node:worker_threads';
import { Registry, aggregateThreadMetrics, type Aggregation } from '../../lib/index.js';
import { waitFor } from '../server/support.js';

const COUNTER = new URL('./fixtures/thread-counter.js', import.meta.url);
const INTERVAL_MS = 100;

describe('aggregateThreadMetrics: a thread that reports before the main thread has heard of it', function () {
  this.timeout(30_000);

  const registry = new Registry();
  let aggregation: Aggregation | undefined;
  let thread: Worker | undefined;

  after(async () => {
    aggregation?.stop();
    await thread?.terminate();
  });

  it('still shows what the thread counted, once the main thread is free again', async () => {
    aggregation = aggregateThreadMetrics({ registry, intervalMs: INTERVAL_MS });
    const signal = new Int32Array(new SharedArrayBuffer(4));
    thread = new Worker(COUNTER, { workerData: { count: 7, signal } });
    // Busy as a main thread is while it starts up: blocked until the thread has counted, then
    // through several of the thread's report intervals (bounded waits both).
    expect(Atomics.wait(signal, 0, 0, 10_000), 'the thread to count').to.equal('ok');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5 * INTERVAL_MS);

    const body = await waitFor(
      'the aggregate to show the counter',
      async () => {
        const text = await registry.metrics();
        return /^startup_counted_total 7$/m.test(text) ? text : undefined;
      },
      5_000,
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}; the aggregate:\n${await registry.metrics()}`);
    });
    expect(body).to.match(/^# TYPE startup_counted_total counter$/m);
  });
});
