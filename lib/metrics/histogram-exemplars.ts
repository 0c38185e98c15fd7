/** The exemplars of one histogram series: the last per classic bucket, or a few per native bucket. */
import type { Exemplar } from '../snapshot.js';
import { NATIVE_EXEMPLAR_LIMIT } from './exemplar.js';

/**
 * A series' exemplars. A histogram with classic buckets keeps the last exemplar of each bucket.
 * A native-only histogram has only its `+Inf` bucket: it keeps the most recent exemplar of each
 * native bucket, at most {@link NATIVE_EXEMPLAR_LIMIT} (the oldest goes first), as client_golang
 * keeps a small bounded set for native histograms.
 */
export class HistogramExemplars {
  readonly #byBucket: (Exemplar | undefined)[];
  /** A native-only histogram's, oldest first, with the native bucket each came from. */
  #native: { readonly bucket: string; readonly exemplar: Exemplar }[] | undefined;

  constructor(buckets: number) {
    this.#byBucket = new Array<Exemplar | undefined>(buckets).fill(undefined);
  }

  /** Keeps `exemplar` as the last of classic bucket `index`. */
  keep(index: number, exemplar: Exemplar): void {
    this.#byBucket[index] = exemplar;
  }

  /** Keeps `exemplar` as the most recent one, replacing an older one of the same native bucket. */
  keepNative(bucket: string, exemplar: Exemplar): void {
    const kept = (this.#native ??= []);
    const same = kept.findIndex((entry) => entry.bucket === bucket);
    if (same >= 0) kept.splice(same, 1);
    else if (kept.length >= NATIVE_EXEMPLAR_LIMIT) kept.shift();
    kept.push({ bucket, exemplar });
    this.#byBucket[this.#byBucket.length - 1] = exemplar;
  }

  /** Each bucket's last exemplar, a copy. */
  byBucket(): (Exemplar | undefined)[] {
    return this.#byBucket.slice();
  }

  /** A native-only histogram's exemplars, oldest first; undefined for one with classic buckets. */
  native(): Exemplar[] | undefined {
    return this.#native?.map((entry) => entry.exemplar);
  }
}
