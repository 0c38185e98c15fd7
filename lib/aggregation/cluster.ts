/**
 * node:cluster aggregation: the primary exposes the sum of its workers' metrics and its own.
 * Workers report over the cluster IPC channel on their own schedule (reporter.ts), so a scrape
 * at the primary never asks a worker anything.
 */
import type { Cluster, Worker } from 'node:cluster';
import { defaultRegistry } from '../registry.js';
import { warn } from '../warning.js';
import { Aggregator } from './aggregator.js';
import { foldDelayMs, startAggregation, type Aggregation } from './handle.js';
import { parseWorkerSettings, validAggregationOptions, type AggregationOptions } from './options.js';
import { Reporter } from './reporter.js';
import { decodeReport, encodeReport } from './wire.js';

/** Tells forked workers to report, and how often; inherited through the environment. */
const SETTINGS_VARIABLE = 'PROMETRIC_CLUSTER_AGGREGATION';
/** The key of a report message on the IPC channel. */
const MESSAGE_KEY = 'prometric:report';

let running = false;

/**
 * node:cluster, loaded on first use: it brings child_process, net and dgram with it, which a
 * process that neither aggregates nor is a reporting worker does not need at import.
 */
const clusterModule = (): Cluster => process.getBuiltinModule('node:cluster') as unknown as Cluster;

/**
 * In a `node:cluster` primary: makes the registry (default: `defaultRegistry`) expose the
 * aggregate of every worker's metrics and the primary's own. Call it before `cluster.fork()`:
 * workers forked from then on report by themselves, with no code of their own.
 *
 * Counters, histograms and summary counts and sums are summed and never go down for the life of
 * the primary: an exited worker's last report still counts. Summary quantiles come from the
 * workers' merged sketches. Gauges combine per their `aggregate` option. Workers' process and
 * runtime metrics appear per worker, labeled `worker`. A metric declared differently by two
 * workers is reported once as a {@link PrometricWarning} and the differing version is left out.
 *
 * @throws Error when not called in the primary, or when an aggregation is already running.
 */
export function aggregateClusterMetrics(options: AggregationOptions = {}): Aggregation {
  const { registry, intervalMs, eager } = validAggregationOptions('aggregateClusterMetrics', options);
  const cluster = clusterModule();
  if (!cluster.isPrimary) {
    throw new Error('aggregateClusterMetrics: call it in the cluster primary (cluster.isPrimary), not in a worker');
  }
  if (running) throw new Error('aggregateClusterMetrics: an aggregation is already running: stop() it first');
  const aggregator = new Aggregator('primary', foldDelayMs(intervalMs));
  running = true;
  process.env[SETTINGS_VARIABLE] = JSON.stringify({ intervalMs, eager });
  let warned = false;
  const onMessage = (worker: Worker, message: unknown): void => {
    const text = (message as Record<string, unknown> | null)?.[MESSAGE_KEY];
    if (typeof text !== 'string') return;
    try {
      aggregator.accept(String(worker.id), decodeReport(text));
    } catch (error) {
      // A report the primary cannot read must not take the primary down.
      if (!warned) warn(`A report from worker ${worker.id} could not be read: ${(error as Error).message}`);
      warned = true;
    }
  };
  const onExit = (worker: Worker): void => aggregator.exited(String(worker.id));
  cluster.on('message', onMessage);
  cluster.on('exit', onExit);
  return startAggregation(registry, aggregator, () => {
    cluster.off('message', onMessage);
    cluster.off('exit', onExit);
    delete process.env[SETTINGS_VARIABLE];
    running = false;
  });
}

/** In a cluster worker forked by an aggregating primary: starts reporting the default registry. */
export function startClusterReporting(): void {
  // The variable first: it is unset in almost every process, and reading it loads nothing.
  const variable = process.env[SETTINGS_VARIABLE];
  if (variable === undefined || typeof process.send !== 'function' || !clusterModule().isWorker) return;
  const settings = parseWorkerSettings(variable);
  if (settings === undefined) return;
  const send = (report: Parameters<typeof encodeReport>[0]): void => {
    if (process.connected) process.send?.({ [MESSAGE_KEY]: encodeReport(report) });
  };
  const reporter = new Reporter(defaultRegistry, send, settings.intervalMs, settings.eager);
  reporter.start();
  // A worker that exits on its own says its last word (IPC writes go out at once when they can).
  process.once('exit', () => reporter.reportMetrics());
}
