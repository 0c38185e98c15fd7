/**
 * Event loop lag, as prom-client exposes it: `nodejs_eventloop_lag_seconds` measured at the scrape
 * (how long a `setImmediate` waits), and the statistics of `perf_hooks.monitorEventLoopDelay`
 * since the previous scrape (the monitor is reset after each read).
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { CollectedFamily } from '../registry.js';
import type { Families, Part, PendingFamily } from './families.js';

const STATISTICS = [
  ['min', 'The minimum recorded event loop delay.', (h: IntervalHistogram) => h.min],
  ['max', 'The maximum recorded event loop delay.', (h: IntervalHistogram) => h.max],
  ['mean', 'The mean of the recorded event loop delays.', (h: IntervalHistogram) => h.mean],
  ['stddev', 'The standard deviation of the recorded event loop delays.', (h: IntervalHistogram) => h.stddev],
  ['p50', 'The 50th percentile of the recorded event loop delays.', (h: IntervalHistogram) => h.percentile(50)],
  ['p90', 'The 90th percentile of the recorded event loop delays.', (h: IntervalHistogram) => h.percentile(90)],
  ['p99', 'The 99th percentile of the recorded event loop delays.', (h: IntervalHistogram) => h.percentile(99)],
] as const;

export class EventLoopLag implements Part {
  /** The delay monitor: a libuv timer in C++, unref'd, so it never keeps the process alive. */
  private readonly monitor: IntervalHistogram;
  private readonly lag: string;
  private readonly statistics: ReadonlyArray<{
    readonly name: string;
    readonly help: string;
    readonly read: (h: IntervalHistogram) => number;
  }>;

  /** `resolution`: the monitor's sampling interval in milliseconds. */
  constructor(
    private readonly families: Families,
    resolution: number,
  ) {
    this.lag = families.name('nodejs_eventloop_lag_seconds');
    this.statistics = STATISTICS.map(([stat, help, read]) => ({
      name: families.name(`nodejs_eventloop_lag_${stat}_seconds`),
      help,
      read,
    }));
    // Enabled at once, never dropped before: until its first enable() a monitor holds a ref'd
    // timer handle, and one collected in that state makes process._getActiveHandles() abort.
    this.monitor = monitorEventLoopDelay({ resolution });
    this.monitor.enable();
  }

  collect(out: CollectedFamily[]): Promise<void> {
    const f = this.families;
    const lag: PendingFamily = { name: this.lag, help: 'Lag of event loop in seconds.', type: 'gauge', samples: [] };
    out.push(lag);
    const monitor = this.monitor;
    // An empty monitor reports min 2^63 ns and a NaN mean: 0 says "no delay seen" without the noise.
    const empty = monitor.count === 0;
    for (const { name, help, read } of this.statistics) out.push(f.gauge(name, help, empty ? 0 : read(monitor) / 1e9));
    monitor.reset();
    // Measured from a microtask, once the other parts have run: nodejs_active_resources would
    // otherwise count this Immediate.
    return Promise.resolve().then(() => this.measureLag(lag));
  }

  /** Fills in how long a setImmediate waits now. */
  private measureLag(lag: PendingFamily): Promise<void> {
    const start = process.hrtime.bigint();
    return new Promise((resolve) => {
      setImmediate(() => {
        lag.samples.push({ labels: this.families.labels, value: Number(process.hrtime.bigint() - start) / 1e9 });
        resolve();
      });
    });
  }

  stop(): void {
    this.monitor.disable();
  }
}
