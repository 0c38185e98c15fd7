/**
 * worker_threads aggregation: the main thread exposes the sum of its worker threads' metrics and
 * its own. Each worker thread posts its reports on a BroadcastChannel of its own, which the main
 * thread opens when it hears of the thread (process' `worker` event) and which holds what the
 * thread posted even after it is terminated; the Worker's `exit` event says it is gone.
 *
 * A BroadcastChannel delivers a message only to the channels open when it is posted, and the
 * `worker` event comes a tick after `new Worker()`: a main thread busy meanwhile would miss a
 * thread's first report, the one that defines its families. So a thread reports only once the
 * main thread has said it listens: each side says hello as it opens the channel, and the main
 * thread answers a thread's hello, so whichever opens second is heard.
 */
import {
  BroadcastChannel,
  getEnvironmentData,
  isMainThread,
  setEnvironmentData,
  threadId,
  type Worker,
} from 'node:worker_threads';
import { defaultRegistry } from '../registry.js';
import { warn } from '../warning.js';
import { Aggregator } from './aggregator.js';
import { foldDelayMs, startAggregation, type Aggregation } from './handle.js';
import { parseWorkerSettings, validAggregationOptions, type AggregationOptions } from './options.js';
import type { Report } from './report.js';
import { Reporter } from './reporter.js';

/** The environment data key that tells worker threads to report, and how often. */
const SETTINGS_KEY = 'prometric:thread-aggregation';
const channelName = (id: number): string => `prometric:thread-reports:${id}`;
/** What a thread posts when it opens its channel, and what the main thread posts when it listens. */
const THREAD_HELLO = 'prometric:thread-hello';
const MAIN_LISTENS = 'prometric:main-listens';

let running = false;

/**
 * In the main thread: makes the registry (default: `defaultRegistry`) expose the aggregate of
 * the metrics of every worker thread it creates from now on, and its own; the threads need no
 * code of their own. Values combine as with {@link aggregateClusterMetrics}; a terminated
 * thread's last counts are kept. Threads created by other worker threads are not included.
 *
 * @throws Error when not called in the main thread, or when an aggregation is already running.
 */
export function aggregateThreadMetrics(options: AggregationOptions = {}): Aggregation {
  const { registry, intervalMs, eager } = validAggregationOptions('aggregateThreadMetrics', options);
  if (!isMainThread) throw new Error('aggregateThreadMetrics: call it in the main thread, not in a worker thread');
  if (running) throw new Error('aggregateThreadMetrics: an aggregation is already running: stop() it first');
  const aggregator = new Aggregator('main', foldDelayMs(intervalMs));
  running = true;
  setEnvironmentData(SETTINGS_KEY, JSON.stringify({ intervalMs, eager }));
  const channels = new Set<BroadcastChannel>();
  let warned = false;
  const onWorker = (worker: Worker): void => {
    const id = worker.threadId; // -1 once it has exited
    const channel = new BroadcastChannel(channelName(id));
    channel.unref();
    channels.add(channel);
    channel.onmessage = (event) => {
      const data = (event as { data: Report | typeof THREAD_HELLO }).data;
      if (data === THREAD_HELLO) {
        channel.postMessage(MAIN_LISTENS);
        return;
      }
      try {
        aggregator.accept(String(id), data);
      } catch (error) {
        if (!warned) warn(`A report from worker thread ${id} could not be read: ${(error as Error).message}`);
        warned = true;
      }
    };
    channel.postMessage(MAIN_LISTENS);
    worker.once('exit', () => {
      aggregator.exited(String(id));
      // Its last messages are delivered after its exit: close the channel once they are in.
      setTimeout(() => {
        channel.close();
        channels.delete(channel);
      }, foldDelayMs(intervalMs)).unref();
    });
  };
  process.on('worker', onWorker);
  return startAggregation(registry, aggregator, () => {
    process.off('worker', onWorker);
    setEnvironmentData(SETTINGS_KEY, undefined);
    for (const channel of channels) channel.close();
    channels.clear();
    running = false;
  });
}

/** In a worker thread of an aggregating main thread: starts reporting the default registry. */
export function startThreadReporting(): void {
  if (isMainThread) return;
  const settings = parseWorkerSettings(getEnvironmentData(SETTINGS_KEY));
  if (settings === undefined) return;
  const channel = new BroadcastChannel(channelName(threadId));
  const { intervalMs, eager } = settings;
  const reporter = new Reporter(defaultRegistry, (report) => channel.postMessage(report), intervalMs, eager);
  let started = false;
  channel.onmessage = (event) => {
    if ((event as { data: unknown }).data !== MAIN_LISTENS || started) return;
    started = true;
    // The first report defines every family, so nothing recorded before this is lost.
    reporter.start();
  };
  channel.unref();
  channel.postMessage(THREAD_HELLO);
  // A thread that exits on its own (an uncaught error, process.exit(), or the end of its work)
  // says its last word, as a cluster worker does: without `eager`, what it counted since its
  // last report would be lost. terminate() runs no more JavaScript in the thread.
  process.once('exit', () => reporter.reportMetrics());
}
