/**
 * Sample lines, the same in every text format: `name{labels} value [timestamp]`, written as bytes
 * from parts prepared once: a family's line heads (tokens.ts), each series' label text (kept on its
 * label set), each bucket's `le="…"} `. A line makes no string of its own: whole numbers are
 * written as digits, other values through their shortest text.
 */
import { formatBound } from '../bounds.js';
import type { HistogramRows, Sample } from '../snapshot.js';
import type { ChunkWriter } from './chunk-writer.js';
import type { EscapingScheme } from './names.js';
import {
  pairText,
  preparedLabels,
  writeLabels,
  type FamilyHeads,
  type LineHead,
  type PreparedLabels,
} from './tokens.js';

/**
 * Sample lines written between two yields of a format's generator, where the renderer checks its
 * time budget: small enough that a slice ends close to its budget, large enough that checking is free.
 */
export const LINES_PER_YIELD = 256;

/**
 * Calls `write(start, end)` over `[0, count)` in batches of about {@link LINES_PER_YIELD} lines,
 * `linesPerSeries` per series (a histogram has one per bucket), yielding after each. The per-series
 * loop stays in a plain function, which V8 optimizes sooner and more surely than a loop inside a
 * generator.
 */
export function* inBatches(
  count: number,
  write: (start: number, end: number) => void,
  linesPerSeries = 1,
): Generator<void, void, void> {
  const batch = Math.max(1, Math.floor(LINES_PER_YIELD / linesPerSeries));
  for (let start = 0; start < count; start += batch) {
    write(start, Math.min(count, start + batch));
    yield;
  }
}

export const NEWLINE = 0x0a;
export const SPACE = 0x20;
const CLOSE_BRACE = 0x7d;

/** The longest text of a value: `-0.0000028679610904989668` (25 bytes; `-1.2345678901234567e-308` is 24). */
const VALUE_MAX_BYTES = 25;

/** Writes the head of a line up to its value: `name ` or `name{labels} `. */
export function writeHead(out: ChunkWriter, head: LineHead, labels: PreparedLabels): void {
  if (labels.length === 0) {
    out.bytes(head.bareBytes, head.ascii);
    return;
  }
  out.bytes(head.openBytes, head.ascii);
  writeLabels(out, labels);
  out.byte2(CLOSE_BRACE, SPACE);
}

/**
 * Writes one sample line. `timestamp`, when given, is already in the format's unit and form
 * (integer milliseconds in the Prometheus text formats, seconds in OpenMetrics).
 */
export function writeSample(
  out: ChunkWriter,
  head: LineHead,
  labels: PreparedLabels,
  value: number,
  timestamp?: string,
): void {
  writeSampleUpToEnd(out, head, labels, value, timestamp);
  out.byte(NEWLINE);
}

/** A sample line without its newline, for a format that adds more to it (an OpenMetrics exemplar). */
export function writeSampleUpToEnd(
  out: ChunkWriter,
  head: LineHead,
  labels: PreparedLabels,
  value: number,
  timestamp: string | undefined,
): void {
  writeHead(out, head, labels);
  out.value(value);
  if (timestamp !== undefined) {
    out.byte(SPACE);
    out.ascii(timestamp);
  }
}

/** What a family's bucket lines share: the head of `name_bucket` and each bucket's `le="…"} `. */
export interface BucketParts {
  readonly head: LineHead;
  /** Per bucket, after a series' labels: `,le="0.5"} `. */
  readonly afterLabels: readonly Uint8Array[];
  /** Per bucket, for a series without labels: `le="0.5"} `. */
  readonly alone: readonly Uint8Array[];
  /** The longest of {@link afterLabels}. */
  readonly longest: number;
}

/** Prepares the parts of a histogram family's bucket lines: none for a native-only histogram. */
export function bucketParts(head: LineHead, histogram: HistogramRows): BucketParts {
  if (histogram.classic === false) return { head, afterLabels: [], alone: [], longest: 0 };
  const alone = histogram.bounds.map((bound) => Buffer.from(`${pairText('le', formatBound(bound))}} `, 'latin1'));
  const afterLabels = alone.map((pair) => Buffer.concat([Buffer.of(0x2c), pair]));
  return { head, afterLabels, alone, longest: Math.max(0, ...afterLabels.map((pair) => pair.length)) };
}

/**
 * Writes one histogram series' bucket lines from its cumulative counts, then, with `totals`, its
 * `_count` and `_sum` lines. The series' label text is written once and copied within the chunk:
 * the head of the first bucket line for the other buckets, the labels for the totals.
 */
export function writeHistogramLines(
  out: ChunkWriter,
  parts: BucketParts,
  labels: PreparedLabels,
  cumulative: ArrayLike<number>,
  totals?: { readonly countHead: LineHead; readonly sumHead: LineHead; readonly count: number; readonly sum: number },
): void {
  const buckets = parts.alone.length;
  const open = parts.head.openBytes;
  const headBytes = open.length + labels.length;
  // Room for every line, so that the copies below stay in one chunk.
  let room = buckets * (headBytes + parts.longest + VALUE_MAX_BYTES + 1);
  if (totals !== undefined) {
    room += totals.countHead.openBytes.length + totals.sumHead.openBytes.length;
    room += 2 * (labels.length + VALUE_MAX_BYTES + 3);
  }
  out.room(room);
  // Where this series' label text was last written, to copy it from: a position in `labelsIn`.
  let labelsAt = -1;
  let labelsIn = out.buf;
  if (buckets > 0) {
    const pairs = labels.length === 0 ? parts.alone : parts.afterLabels;
    const first = out.buf;
    const start = out.pos;
    out.bytes(open, parts.head.ascii);
    labelsAt = out.pos;
    labelsIn = out.buf;
    writeLabels(out, labels);
    out.bytes(pairs[0]!);
    out.value(cumulative[0]!);
    out.byte(NEWLINE);
    for (let i = 1; i < buckets; i++) {
      out.repeat(start, headBytes, first);
      out.bytes(pairs[i]!);
      out.value(cumulative[i]!);
      out.byte(NEWLINE);
    }
  }
  if (totals === undefined) return;
  labelsAt = writeHeadAt(out, totals.countHead, labels, labelsAt, labelsIn);
  labelsIn = out.buf;
  out.value(totals.count);
  out.byte(NEWLINE);
  writeHeadAt(out, totals.sumHead, labels, labelsAt, labelsIn);
  out.value(totals.sum);
  out.byte(NEWLINE);
}

/**
 * {@link writeHead}, copying the label text from `labelsAt` of `labelsIn` when it was written
 * there (not -1). Returns where the label text of this line is, in the chunk current on return.
 */
function writeHeadAt(
  out: ChunkWriter,
  head: LineHead,
  labels: PreparedLabels,
  labelsAt: number,
  labelsIn: Buffer,
): number {
  if (labels.length === 0) {
    out.bytes(head.bareBytes, head.ascii);
    return labelsAt;
  }
  out.bytes(head.openBytes, head.ascii);
  // The label text and `} ` in the same chunk, so that the position returned stays right.
  out.room(labels.length + 2);
  const at = out.pos;
  if (labelsAt < 0) writeLabels(out, labels);
  else out.repeat(labelsAt, labels.length, labelsIn);
  out.byte2(CLOSE_BRACE, SPACE);
  return at;
}

/** Where a family's lines go, and how its names are written. */
export interface FamilyLines {
  readonly out: ChunkWriter;
  readonly heads: FamilyHeads;
  readonly escaping: EscapingScheme;
}

/** Writes a sample of a family given as samples; `timestamp` in the format's unit, if it has one. */
export function writeFamilySample(lines: FamilyLines, sample: Sample, timestamp: string | undefined): void {
  writeSample(
    lines.out,
    lines.heads.of(sample.name),
    preparedLabels(sample.labels, lines.escaping),
    sample.value,
    timestamp,
  );
}
