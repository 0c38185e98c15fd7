/**
 * @GaugeInProgress: increments a Gauge while a call is in flight and decrements it when the call
 * returns, throws, resolves or rejects (Python's `track_inprogress()`).
 */
import type { GaugeChild } from '../metrics/gauge.js';
import type { Metric } from '../metrics/metric.js';
import { checkOptions } from '../options.js';
import { show } from '../validation.js';
import { childResolver, type LabelSource } from './label-source.js';
import { createMethodDecorator, type MethodDecorator } from './method-decorator.js';

/** Options of @GaugeInProgress and `gauge.trackInProgress()`. */
export interface GaugeInProgressOptions<L extends string> {
  /** Label values: fixed, or from the call's arguments (resolved once, when the call starts). */
  readonly labels?: LabelSource<L>;
}

/** Decorates a method (either decorator mode) or wraps a function to count calls in flight. */
export function GaugeInProgress<L extends string>(gauge: Metric<L, GaugeChild>, options: GaugeInProgressOptions<L> = {}): MethodDecorator {
  if ((gauge as { type?: unknown } | null)?.type !== 'gauge') {
    throw new TypeError(`@GaugeInProgress: needs a Gauge, got ${show((gauge as { type?: unknown } | null)?.type ?? gauge)}`);
  }
  checkOptions(`@GaugeInProgress(${gauge.name})`, options as unknown, ['labels']);
  return createMethodDecorator('@GaugeInProgress', (site) => {
    const resolve = childResolver<L, GaugeChild>('@GaugeInProgress', gauge, options.labels, site);
    return {
      start(args) {
        const child = resolve(args);
        child.inc();
        return child;
      },
      finish(child: GaugeChild) {
        child.dec();
      },
    };
  });
}

/** @GaugeInProgress for one child: `gauge.labels('x').trackInProgress()`. */
export function trackInProgressChild(child: GaugeChild): MethodDecorator {
  return createMethodDecorator('trackInProgress()', () => ({
    start() {
      child.inc();
      return child;
    },
    finish(tracked: GaugeChild) {
      tracked.dec();
    },
  }));
}
