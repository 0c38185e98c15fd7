/**
 * Adds native histograms together. Workers may have halved their resolution independently, so
 * each is first brought down to the lowest schema among them (bucket i at schema s lies inside
 * bucket ceil(i/2) at schema s-1, exactly); the sum is then halved further while it has more
 * populated buckets than the histogram's limit, as a single process would.
 */
import type { BucketSpan, NativeHistogramPoint } from '../native-histogram.js';
import { SparseCounts } from '../metrics/sparse-counts.js';

const MIN_SCHEMA = -4;

/** The index at schema `to` of the bucket that holds bucket `index` of schema `from` (to <= from). */
function reduceIndex(index: number, from: number, to: number): number {
  let i = index;
  for (let s = from; s > to; s--) i = Math.ceil(i / 2);
  return i;
}

/** Calls `visit(index, count)` for each bucket a span/delta list describes. */
function forEachBucket(
  spans: readonly BucketSpan[],
  deltas: readonly number[],
  visit: (index: number, count: number) => void,
): void {
  let index = 0;
  let count = 0;
  let d = 0;
  for (const span of spans) {
    index += span.offset;
    for (let k = 0; k < span.length; k++) {
      count += deltas[d++] ?? 0;
      if (count !== 0) visit(index, count);
      index++;
    }
  }
}

/**
 * The sum of native histogram points of one definition (same zero threshold), at the lowest
 * schema among them, with at most `maxBuckets` populated buckets (0: no limit).
 */
export function addNativePoints(points: readonly NativeHistogramPoint[], maxBuckets: number): NativeHistogramPoint {
  let schema = Infinity;
  let zeroThreshold = 0;
  for (const p of points) {
    schema = Math.min(schema, p.schema);
    zeroThreshold = Math.max(zeroThreshold, p.zeroThreshold);
  }
  if (points.length === 0) schema = 0;
  let positive = new SparseCounts();
  let negative = new SparseCounts();
  let zeroCount = 0;
  let count = 0;
  let sum = 0;
  for (const p of points) {
    zeroCount += p.zeroCount;
    count += p.count;
    sum += p.sum;
    forEachBucket(p.positiveSpans, p.positiveDeltas, (i, c) => positive.add(reduceIndex(i, p.schema, schema), c));
    forEachBucket(p.negativeSpans, p.negativeDeltas, (i, c) => negative.add(reduceIndex(i, p.schema, schema), c));
  }
  while (maxBuckets > 0 && positive.size + negative.size > maxBuckets && schema > MIN_SCHEMA) {
    positive = halved(positive);
    negative = halved(negative);
    schema--;
  }
  const pos = positive.spansAndDeltas();
  const neg = negative.spansAndDeltas();
  return {
    schema,
    zeroThreshold,
    zeroCount,
    count,
    sum,
    // The specification's no-op span: an empty native histogram is still told from a classic one.
    positiveSpans: pos.spans.length === 0 ? [{ offset: 0, length: 0 }] : pos.spans,
    positiveDeltas: pos.deltas,
    negativeSpans: neg.spans,
    negativeDeltas: neg.deltas,
  };
}

function halved(counts: SparseCounts): SparseCounts {
  const next = new SparseCounts();
  counts.forEach((index, count) => next.add(Math.ceil(index / 2), count));
  return next;
}
