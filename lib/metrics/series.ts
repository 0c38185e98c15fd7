/**
 * What every series (a metric's child) is: a slot number in its metric, by which the metric finds
 * the series' label set and whatever else it keeps per series outside the child object.
 */
import type { Labels } from '../snapshot.js';

/** The key of a child's metric, for code that is handed a series and needs its family (multi-worker reporting). */
export const OWNER = Symbol('prometric.owner');

/** What a series' metric answers about it. */
export interface SeriesOwner {
  /** @internal The label set of one of its series. */
  seriesLabels(series: Series): Labels;
}

/** The slot of a series that is no longer its metric's (removed): it writes nothing the metric keeps. */
export const DETACHED = -1;

/** A series' slot in its metric, or {@link DETACHED} (module-private state, read through this function). */
export let slotOf: (series: Series) => number;
/** Marks a removed series as no longer its metric's, so that its slot can go to a new series. */
export let detach: (series: Series) => void;

/**
 * The base of every child class. A child keeps no label set of its own: its metric keeps them by
 * slot (see metrics/series-index.ts), so a series costs the child object, its index entry and its
 * numbers, and its label set only once something (a scrape) needs it.
 */
export abstract class Series {
  #slot: number;

  static {
    slotOf = (series) => series.#slot;
    detach = (series) => {
      series.#slot = DETACHED;
    };
  }

  /** @internal */
  constructor(slot: number) {
    this.#slot = slot;
  }

  /** @internal The series' labels (made when first asked for, then kept by the metric). */
  get labels(): Labels {
    return (this[OWNER] as SeriesOwner).seriesLabels(this);
  }

  /** @internal The metric this series belongs to. */
  abstract get [OWNER](): object;
}
