/**
 * Sample lines, the same in every text format: `name{labels} value [timestamp]`. Lines are
 * written as their parts, with label text prepared once per series (tokens.ts) and line heads
 * once per family, so that a line makes no string of its own before it joins the body.
 */
import { formatBound } from '../bounds.js';
import type { HistogramRow, HistogramRows, Sample } from '../snapshot.js';
import type { BodyWriter } from './body.js';
import { formatValue } from './numbers.js';
import type { EscapingScheme } from './names.js';
import { labelText, pairText, type FamilyHeads, type LineHead } from './tokens.js';

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

/**
 * Writes one sample line. `timestamp`, when given, is already in the format's unit and form
 * (integer milliseconds in the Prometheus text formats, seconds in OpenMetrics).
 */
export function writeSample(out: BodyWriter, head: LineHead, labels: string, value: number, timestamp?: string): void {
  const end = timestamp === undefined ? lineEnd(value) : `${formatValue(value)} ${timestamp}\n`;
  if (labels === '') out.write2(head.bare, end);
  else out.write4(head.open, labels, '} ', end);
}

/** What a family's bucket lines share: the head of `name_bucket` and each bucket's `le="…"} `. */
export interface BucketParts {
  readonly head: LineHead;
  /** Per bucket: `le="0.5"} `. */
  readonly close: readonly string[];
}

/** Prepares the parts of a histogram family's bucket lines: none for a native-only histogram. */
export function bucketParts(head: LineHead, histogram: HistogramRows): BucketParts {
  if (histogram.classic === false) return { head, close: [] };
  return { head, close: histogram.bounds.map((bound) => `${pairText('le', formatBound(bound))}} `) };
}

/** Writes one series' bucket lines from its cumulative counts; `labels` is the series' label text. */
export function writeBuckets(out: BodyWriter, parts: BucketParts, labels: string, row: HistogramRow): void {
  const { close } = parts;
  const head = labels === '' ? parts.head.open : `${parts.head.open}${labels},`;
  const cumulative = row.cumulative;
  for (let i = 0; i < close.length; i++) out.write3(head, close[i]!, lineEnd(cumulative[i]!));
}

/** Where a family's lines go, and how its names are written. */
export interface FamilyLines {
  readonly out: BodyWriter;
  readonly heads: FamilyHeads;
  readonly escaping: EscapingScheme;
}

/** Writes a sample of a family given as samples; `timestamp` in the format's unit, if it has one. */
export function writeFamilySample(lines: FamilyLines, sample: Sample, timestamp: string | undefined): void {
  writeSample(
    lines.out,
    lines.heads.of(sample.name),
    labelText(sample.labels, lines.escaping),
    sample.value,
    timestamp,
  );
}
