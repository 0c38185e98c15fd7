/** The handle both aggregations return. */
import type { AggregatedWorker } from './aggregator.js';

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
