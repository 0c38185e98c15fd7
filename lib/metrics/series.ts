/** What every series (a metric's child) is: a label set, fixed for the series' life. */
import type { Labels } from '../snapshot.js';

/** The key of a child's metric, for code that is handed a series and needs its family (multi-worker reporting). */
export const OWNER = Symbol('prometric.owner');

/** The base of every child class: its label set, readable and never replaced. */
export abstract class Series {
  readonly #labels: Labels;

  /** @internal */
  constructor(labels: Labels) {
    this.#labels = labels;
  }

  /** @internal The series' labels. */
  get labels(): Labels {
    return this.#labels;
  }

  /** @internal The metric this series belongs to. */
  abstract get [OWNER](): object;
}
