/** The handle both aggregations return. */
import { FAMILY_SOURCE, type Registry } from '../registry.js';
import type { AggregatedWorker, Aggregator } from './aggregator.js';

export type { AggregatedWorker } from './aggregator.js';

/** A running aggregation: the workers it has heard of, and a way to stop it. */
export interface Aggregation {
  /** The workers heard from (or seen exit) so far; the aggregating process is not among them. */
  workers(): AggregatedWorker[];
  /**
   * Stops listening to workers; the registry exposes its own metrics alone again. Workers
   * started from now on do not report; running ones keep sending until they exit.
   */
  stop(): void;
}

/** How long an exited worker's late reports are still taken before its state is folded away. */
export function foldDelayMs(intervalMs: number): number {
  return Math.max(5000, 5 * intervalMs);
}

/**
 * Makes `registry` expose `aggregator`'s families and returns the handle; its stop() calls
 * `detach` (which stops listening to workers) once, then gives the registry its own metrics back.
 */
export function startAggregation(registry: Registry, aggregator: Aggregator, detach: () => void): Aggregation {
  registry[FAMILY_SOURCE](aggregator);
  let stopped = false;
  return {
    workers: () => aggregator.workers(),
    stop() {
      if (stopped) return;
      stopped = true;
      detach();
      aggregator.stop();
      registry[FAMILY_SOURCE](undefined);
    },
  };
}
