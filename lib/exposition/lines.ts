/**
 * Sample lines, the same in both text formats: `name{labels} value`. Lines are written as their
 * parts, with label fragments prepared once per family or series, so that a line makes no
 * string of its own before it joins the body.
 */
import type { HistogramRow, HistogramRows } from '../snapshot.js';
import type { BodyWriter } from './body.js';
import { formatValue } from './numbers.js';

/** Line ends (`value\n`) of small whole numbers, made once: most bucket counts are such. */
const SMALL_LINE_ENDS: string[] = [];
const SMALL_LIMIT = 1024;

/** `value\n`: the end of a sample line. */
function lineEnd(value: number): string {
  if (value >= 0 && value < SMALL_LIMIT && (value | 0) === value && !Object.is(value, -0)) {
    return (SMALL_LINE_ENDS[value] ??= `${value}\n`);
  }
  return `${formatValue(value)}\n`;
}

/** Writes one sample line. */
export function writeSample(out: BodyWriter, name: string, labels: string, value: number): void {
  if (labels === '') out.write3(name, ' ', lineEnd(value));
  else out.write5(name, '{', labels, '} ', lineEnd(value));
}

/** What a family's bucket lines share: `name_bucket{` and each bucket's `le="…"} `. */
export interface BucketParts {
  readonly open: string;
  readonly close: readonly string[];
}

/** Prepares the parts of a histogram family's bucket lines. */
export function bucketParts(name: string, histogram: HistogramRows): BucketParts {
  return { open: `${name}_bucket{`, close: histogram.le.map((le) => `${le}} `) };
}

/** Writes one series' bucket lines from its cumulative counts. */
export function writeBuckets(out: BodyWriter, parts: BucketParts, row: HistogramRow): void {
  const { close } = parts;
  const head = row.labels === '' ? parts.open : `${parts.open}${row.labels},`;
  const cumulative = row.cumulative;
  for (let i = 0; i < close.length; i++) out.write3(head, close[i]!, lineEnd(cumulative[i]!));
}
