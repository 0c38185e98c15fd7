/**
 * Tells whoever listens that an instrument (a timer, an error counter, an in-flight gauge) has
 * just written to a series. Multi-worker reporting listens, to send what a call recorded before
 * the caller goes on; with nobody listening, this is one check per call.
 */

/** Called with each series an instrument wrote to. */
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
