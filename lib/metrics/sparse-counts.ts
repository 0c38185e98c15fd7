/**
 * Counts by integer bucket index, sparse: the populated buckets of one sign of a native
 * histogram. An open-addressing table of (index, count) pairs in one Float64Array, so that an
 * increment is a probe and an add (no allocation), memory follows the number of populated buckets
 * rather than the span of indices (one outlier at 1e300 costs one pair, not a dense run of
 * thousands), and the table grows only when a new bucket needs room.
 */
import type { BucketSpan } from '../native-histogram.js';

/** Not a bucket index: indices stay within about ±540,000 at schema 8. */
const EMPTY = 2 ** 31;
/** A table of one empty pair, shared and never written: the first insert replaces it with a table of its own. */
const NO_PAIRS = Float64Array.of(EMPTY, 0);
const MIN_CAPACITY = 8;

/** Populated buckets of one sign: index -> count (always >= 1 once present). */
export class SparseCounts {
  /** Pairs: slot k holds its index at 2k and its count at 2k + 1; capacity a power of two. */
  #pairs: Float64Array = NO_PAIRS;
  #size = 0;

  /** How many buckets are populated. */
  get size(): number {
    return this.#size;
  }

  /** Adds `amount` to bucket `index`; true when the bucket was not populated before. */
  add(index: number, amount: number): boolean {
    const pairs = this.#pairs;
    const mask = (pairs.length >>> 1) - 1;
    // Neighbouring indices take neighbouring slots: the usual run of buckets never collides.
    let slot = index & mask;
    for (;;) {
      const at = slot << 1;
      const held = pairs[at];
      if (held === index) {
        pairs[at + 1]! += amount;
        return false;
      }
      if (held === EMPTY) break;
      slot = (slot + 1) & mask;
    }
    this.#insert(index, amount);
    return true;
  }

  /** The count of bucket `index` (0 when not populated). */
  get(index: number): number {
    const pairs = this.#pairs;
    const mask = (pairs.length >>> 1) - 1;
    for (let slot = index & mask; ; slot = (slot + 1) & mask) {
      const held = pairs[slot << 1];
      if (held === index) return pairs[(slot << 1) + 1]!;
      if (held === EMPTY) return 0;
    }
  }

  /** Calls `visit` for each populated bucket, in no particular order. */
  forEach(visit: (index: number, count: number) => void): void {
    const pairs = this.#pairs;
    for (let at = 0; at < pairs.length; at += 2) {
      const index = pairs[at]!;
      if (index !== EMPTY) visit(index, pairs[at + 1]!);
    }
  }

  /** The populated indices, ascending. */
  indices(): number[] {
    const indices: number[] = [];
    this.forEach((index) => indices.push(index));
    return indices.sort((a, b) => a - b);
  }

  /** Forgets every bucket and gives the table's memory back. */
  clear(): void {
    this.#pairs = NO_PAIRS;
    this.#size = 0;
  }

  /**
   * The buckets as the protobuf `Histogram` message wants them: spans of consecutive indices
   * (the first span's offset is its first index, a later one's the gap since the previous span)
   * and each bucket's count as a delta from the previous bucket's. Gaps of one or two empty
   * buckets are written as zero counts inside the span rather than as a new span, as
   * client_golang does: two deltas cost less than a span.
   */
  spansAndDeltas(): { spans: BucketSpan[]; deltas: number[] } {
    const spans: { offset: number; length: number }[] = [];
    const deltas: number[] = [];
    let previousCount = 0;
    let next = 0;
    for (const index of this.indices()) {
      const gap = index - next;
      const span = spans[spans.length - 1];
      if (span === undefined || gap > 2) {
        spans.push({ offset: gap, length: 1 });
      } else {
        for (let k = 0; k < gap; k++) {
          deltas.push(0 - previousCount); // not -previousCount: -0 for an empty run
          previousCount = 0;
        }
        span.length += gap + 1;
      }
      const count = this.get(index);
      deltas.push(count - previousCount);
      previousCount = count;
      next = index + 1;
    }
    return { spans, deltas };
  }

  #insert(index: number, amount: number): void {
    if ((this.#size + 1) * 2 > this.#pairs.length >>> 1) this.#grow();
    const pairs = this.#pairs;
    const mask = (pairs.length >>> 1) - 1;
    let slot = index & mask;
    while (pairs[slot << 1] !== EMPTY) slot = (slot + 1) & mask;
    pairs[slot << 1] = index;
    pairs[(slot << 1) + 1] = amount;
    this.#size++;
  }

  /** Doubles the capacity (keeping the table at most half full, so probes stay short) and re-places every pair. */
  #grow(): void {
    const old = this.#pairs;
    const capacity = Math.max(MIN_CAPACITY, old.length); // old.length is twice the old capacity
    this.#pairs = new Float64Array(capacity * 2).fill(EMPTY);
    this.#size = 0;
    for (let at = 0; at < old.length; at += 2) {
      if (old[at] !== EMPTY) this.#insert(old[at]!, old[at + 1]!);
    }
  }
}
