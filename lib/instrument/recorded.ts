/**
 * Tells whoever listens that a series has just been written (a counter's inc(), a histogram's
 * observe(), a gauge's set()...). Multi-worker reporting listens, to send what changed before a
 * caller goes on; with nobody listening, a write pays one check.
 */

/** Called with each series written to. */
export type RecordedListener = (series: object) => void;

let listener: RecordedListener | undefined;

/** Sets (or, with undefined, removes) the one listener. */
export function listenToRecorded(next: RecordedListener | undefined): void {
  listener = next;
}

/** Reports a write to `series`. */
export function recorded(series: object): void {
  if (listener !== undefined) listener(series);
}
