/**
 * Event loop utilization (the share of time the loop spends running code rather than waiting for
 * I/O), from `performance.eventLoopUtilization()`. prom-client has no such metric; two are exposed:
 *
 * - `nodejs_eventloop_utilization_ratio` (gauge): the utilization since the previous scrape, like
 *   the lag statistics, for a quick look;
 * - `nodejs_eventloop_active_seconds_total` (counter): the time the loop has been active since it
 *   started, so that `rate()` gives the utilization over any window, whoever else scrapes.
 */
import { performance, type EventLoopUtilization as Utilization } from 'node:perf_hooks';
import type { CollectedFamily } from '../registry.js';
import type { Families, Part } from './families.js';

export class EventLoopUtilization implements Part {
  private readonly ratio: string;
  private readonly active: string;
  private previous: Utilization = performance.eventLoopUtilization();

  constructor(private readonly families: Families) {
    this.ratio = families.name('nodejs_eventloop_utilization_ratio');
    this.active = families.name('nodejs_eventloop_active_seconds');
  }

  collect(out: CollectedFamily[]): void {
    const now = performance.eventLoopUtilization();
    const utilization = performance.eventLoopUtilization(now, this.previous).utilization;
    this.previous = now;
    out.push(
      // NaN when no time passed (two scrapes in one tick), or before the loop started.
      this.families.gauge(
        this.ratio,
        'Event loop utilization (active time over elapsed time) since the previous scrape.',
        Number.isFinite(utilization) ? utilization : 0,
      ),
      this.families.counter(
        this.active,
        'Total time the event loop has spent active (not waiting for I/O) in seconds.',
        now.active / 1000,
      ),
    );
  }
}
