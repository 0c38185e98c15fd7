/**
 * Counting calls in flight: increments a gauge series while a call runs and decrements it when
 * the call returns, throws, resolves or rejects (Python's `track_inprogress()`). One
 * implementation serves `@GaugeInProgress`, `gauge.trackInProgress()` and the child's.
 */
import { checkOptions } from '../options.js';
import { childResolver, type LabelSource } from './label-source.js';
import { createMethodDecorator, type MethodDecorator } from './method-decorator.js';
import { expectMetricType, type InstrumentedMetric, type UpDown } from './series.js';

/** Options of @GaugeInProgress and `gauge.trackInProgress()`. */
export interface GaugeInProgressOptions<L extends string> {
  /** Label values: fixed, or from the call's arguments (resolved once, when the call starts). */
  readonly labels?: LabelSource<L>;
}

/** Decorates a method (either decorator mode) or wraps a function to count calls in flight. */
export function trackCallsInFlight<L extends string>(
  gauge: InstrumentedMetric<L, UpDown>,
  options: GaugeInProgressOptions<L> = {},
): MethodDecorator {
  expectMetricType('@GaugeInProgress', gauge, 'gauge', 'a Gauge');
  checkOptions(`@GaugeInProgress(${gauge.name})`, options as unknown, ['labels']);
  return createMethodDecorator('@GaugeInProgress', (site) => {
    const resolve = childResolver<L, UpDown>('@GaugeInProgress', gauge, options.labels, site);
    return {
      start(args) {
        const child = resolve(args);
        child.inc();
        return child;
      },
      finish(child: UpDown) {
        child.dec();
      },
    };
  });
}

/** The same for one series: `gauge.labels('x').trackInProgress()`. */
export function trackSeriesCallsInFlight(child: UpDown): MethodDecorator {
  return createMethodDecorator('trackInProgress()', () => ({
    start() {
      child.inc();
      return child;
    },
    finish(tracked: UpDown) {
      tracked.dec();
    },
  }));
}
