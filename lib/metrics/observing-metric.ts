/** What a Histogram and a Summary share: observing into the series without labels, and timing. */
import type { MethodDecorator } from '../instrument/method-decorator.js';
import type { Observer } from '../instrument/series.js';
import { startMetricTimer, timeCalls, type EndTimer, type TimedOptions } from '../instrument/timed.js';
import type { LabelValues } from '../labels.js';
import { Metric, type Child } from './metric.js';

/** A metric whose series take observations. */
export abstract class ObservingMetric<L extends string, C extends Child & Observer> extends Metric<L, C> {
  /** Records one observation in the series without labels. */
  observe(value: number): void {
    this.only().observe(value);
  }

  /**
   * Python's `@metric.time()`: a decorator (either mode) or function wrapper that records each
   * call's duration in seconds.
   */
  time(options?: TimedOptions<L>): MethodDecorator {
    return timeCalls('@Timed', this, options);
  }

  /** Starts a timer; calling (or disposing, with `using`) the result records the elapsed seconds. */
  startTimer(labels?: Partial<LabelValues<L>>): EndTimer<L> {
    return startMetricTimer('startTimer', this, labels);
  }
}
