/**
 * Tells a reporting worker which series were written, without any cost to a process that does
 * not report: only when tracking starts are the series classes' write methods (inc, observe,
 * set...) replaced by wrappers that call the original and then note the series. A run of writes
 * to one series (a loop of inc()) pays one comparison each after the first.
 */
import { CounterChild } from '../metrics/counter.js';
import { EnumChild } from '../metrics/enum.js';
import { GaugeChild } from '../metrics/gauge.js';
import { HistogramChild } from '../metrics/histogram.js';
import { InfoChild } from '../metrics/info.js';
import { SummaryChild } from '../metrics/summary.js';

type Method = (this: object, a?: unknown, b?: unknown) => unknown;

/** Every method that writes a series, by the prototype that holds it. */
const WRITES: ReadonlyArray<readonly [object, readonly string[]]> = [
  [CounterChild.prototype, ['inc']],
  [GaugeChild.prototype, ['inc', 'dec', 'set', 'setToCurrentTime', 'setFunction']],
  [HistogramChild.prototype, ['observe']],
  [SummaryChild.prototype, ['observe']],
  [InfoChild.prototype, ['info']],
  [EnumChild.prototype, ['state']],
];

/** The series noted last; the reporter forgets it when it reports, so that the next write is noted again. */
let last: object | undefined;
let restore: (() => void) | undefined;

/**
 * Calls `onWrite(series)` after writes to a series (at least after the first of each run of writes
 * to one series since {@link forgetLastWrite}). One tracker at a time; returns a function that stops it.
 */
export function trackWrites(onWrite: (series: object) => void): () => void {
  restore?.();
  const originals: Array<[Record<string, Method>, string, Method]> = [];
  for (const [prototype, names] of WRITES) {
    const methods = prototype as Record<string, Method>;
    for (const name of names) {
      const original = methods[name]!;
      originals.push([methods, name, original]);
      methods[name] = function tracked(this: object, a?: unknown, b?: unknown): unknown {
        const result = original.call(this, a, b);
        if (this !== last) {
          last = this;
          onWrite(this);
        }
        return result;
      };
    }
  }
  const stop = (): void => {
    for (const [methods, name, original] of originals) methods[name] = original;
    last = undefined;
    if (restore === stop) restore = undefined;
  };
  restore = stop;
  return stop;
}

/** Makes the next write to any series be noted, even to the series noted last. */
export function forgetLastWrite(): void {
  last = undefined;
}
