/**
 * The cardinality guard of one labeled metric: at its series limit (its `maxSeries`, else its
 * registry's `maxSeriesPerMetric`), a label set without a series gets the one overflow series,
 * whose label values are all `__overflow__`, instead of a series of its own. Each such call is
 * counted in `prometric_series_overflow_total{metric}` and the first one warns.
 *
 * The limit counts real series; the overflow series is one more. It sits in front of series
 * creation only (see SeriesAdmission): a lookup that finds a series, and a bound child's inc() or
 * observe(), never reach it.
 */
import type { Registry } from '../registry.js';
import { warn } from '../warning.js';
import type { Series } from './series.js';
import type { SeriesAdmission, SeriesIndex } from './series-index.js';
import { countSeriesOverflow } from './series-overflow.js';

/** The value of every label of the overflow series. */
export const OVERFLOW_LABEL_VALUE = '__overflow__';

export class SeriesGuard<C extends Series> implements SeriesAdmission<C> {
  readonly #overflowValues: readonly string[];
  #warned = false;

  constructor(
    private readonly metricName: string,
    labelCount: number,
    /** The metric's own limit, or undefined to follow the registry's. */
    private readonly maxSeries: number | undefined,
    private readonly registry: Registry | null,
    private readonly index: SeriesIndex<C>,
    private readonly create: (slot: number) => C,
  ) {
    this.#overflowValues = Object.freeze(Array.from({ length: labelCount }, () => OVERFLOW_LABEL_VALUE));
  }

  /** The series the index may hold before it asks: the real ones' limit (the overflow series aside). */
  get limit(): number {
    return this.maxSeries ?? this.registry?.getMaxSeriesPerMetric() ?? Infinity;
  }

  overflow(values: readonly string[]): C | undefined {
    if (values.every((value) => value === OVERFLOW_LABEL_VALUE)) return undefined;
    const overflowHeld = this.index.has(this.#overflowValues);
    if (this.index.size - (overflowHeld ? 1 : 0) < this.limit) return undefined;
    if (this.registry !== null) countSeriesOverflow(this.registry, this.metricName);
    if (!this.#warned) {
      this.#warned = true;
      warn(
        `Metric ${this.metricName} reached its limit of ${this.limit} series: new label sets go to its series ` +
          `with every label "${OVERFLOW_LABEL_VALUE}" (counted in prometric_series_overflow_total)`,
      );
    }
    return this.index.get(this.#overflowValues, this.create);
  }
}
