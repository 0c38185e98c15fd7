/**
 * OpenMetrics 1.0.0 text format: snapshot -> body. Family names are the OpenMetrics ones
 * (a counter's without `_total`), HELP escapes backslash, newline and double quote, a unit
 * gets a `# UNIT` line, timestamps are in seconds, and the body ends with `# EOF`.
 */
import type {
  Exemplar,
  HistogramRow,
  HistogramRows,
  Labels,
  MetricFamily,
  Sample,
  SeriesColumns,
} from '../snapshot.js';
import { ChunkWriter, chunksText } from './chunk-writer.js';
import {
  bucketParts,
  inBatches,
  NEWLINE,
  LINES_PER_YIELD,
  SPACE,
  writeHistogramLines,
  writeFamilySample,
  writeSample,
  writeSampleUpToEnd,
  type BucketParts,
  type FamilyLines as Lines,
} from './lines.js';
import { DEFAULT_ESCAPING, type EscapingScheme } from './names.js';
import { formatValue } from './numbers.js';
import { FamilyHeads, lineHead, preparedLabels, writeLabels, type LineHead, type PreparedLabels } from './tokens.js';

/** Content-Type of this format, exactly as the OpenMetrics specification gives it. */
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

function escapeHelp(help: string): string {
  return /[\\\n"]/.test(help) ? help.replace(/[\\\n"]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`)) : help;
}

/**
 * Writes families in the OpenMetrics 1.0.0 text format, names escaped per `escaping`. A generator:
 * it yields every few hundred series, so that a renderer can stop to give the event loop a turn.
 */
export function* writeOpenMetrics(
  families: readonly MetricFamily[],
  out: ChunkWriter,
  escaping = DEFAULT_ESCAPING,
): Generator<void, void, void> {
  for (const family of families) {
    const heads = new FamilyHeads(family.name, escaping);
    const name = heads.of(family.name).metadata;
    out.text(`# HELP ${name} ${escapeHelp(family.help)}\n# TYPE ${name} ${family.type}\n`);
    if (family.unit !== '') out.text(`# UNIT ${name} ${family.unit}\n`);
    const lines: Lines = { out, heads, escaping };
    if (family.histogram !== undefined) yield* writeHistogram(lines, family.name, family.histogram);
    else if (family.columns !== undefined) yield* writeColumns(lines, family, family.columns);
    else yield* writeSamples(lines, family);
  }
  out.text('# EOF\n');
}

/** One sample line; a timestamp in seconds, as this format has it. */
function write(lines: Lines, sample: Sample): void {
  const { timestamp, exemplar } = sample;
  const seconds = timestamp === undefined ? undefined : formatValue(timestamp / 1000);
  if (exemplar === undefined) {
    writeFamilySample(lines, sample, seconds);
    return;
  }
  const labels = preparedLabels(sample.labels, lines.escaping);
  writeExemplarSample(lines.out, lines.heads.of(sample.name), labels, sample.value, seconds, exemplar);
}

/** ` # {trace_id="abc"} 0.3 1700000000.123`: an exemplar after its sample's value, its timestamp in seconds. */
function writeExemplar(out: ChunkWriter, exemplar: Exemplar): void {
  out.text(' # {');
  // Exemplar label names are legacy names (metrics/exemplar.ts): no escaping scheme changes them.
  writeLabels(out, preparedLabels(exemplar.labels, 'underscores'));
  out.text('} ');
  out.value(exemplar.value);
  out.byte(SPACE);
  out.value(exemplar.timestamp);
}

/** A sample line with its exemplar (OpenMetrics puts them on counters' `_total` and on buckets). */
function writeExemplarSample(
  out: ChunkWriter,
  head: LineHead,
  labels: PreparedLabels,
  value: number,
  timestamp: string | undefined,
  exemplar: Exemplar,
): void {
  writeSampleUpToEnd(out, head, labels, value, timestamp);
  writeExemplar(out, exemplar);
  out.byte(NEWLINE);
}

/** Parts of no bucket line: {@link writeHistogramLines} with them writes only a series' totals. */
const NO_BUCKETS: BucketParts = { head: lineHead('', '', 'underscores'), afterLabels: [], alone: [], longest: 0 };

/** A series' bucket lines, each with its bucket's exemplar if it has one. */
function writeExemplarBuckets(out: ChunkWriter, parts: BucketParts, labels: PreparedLabels, row: HistogramRow): void {
  const exemplars = row.exemplars!;
  const pairs = labels.length === 0 ? parts.alone : parts.afterLabels;
  for (let i = 0; i < pairs.length; i++) {
    out.bytes(parts.head.openBytes, parts.head.ascii);
    writeLabels(out, labels);
    out.bytes(pairs[i]!);
    out.value(row.cumulative[i]!);
    const exemplar = exemplars[i];
    if (exemplar !== undefined) writeExemplar(out, exemplar);
    out.byte(NEWLINE);
  }
}

/** A counter's or gauge's columns: per series its value (a counter's `_total`, with its exemplar) and `_created`. */
function* writeColumns(lines: Lines, family: MetricFamily, columns: SeriesColumns): Generator<void, void, void> {
  const { out, heads, escaping } = lines;
  const { labels, values, created, exemplars } = columns;
  const counter = family.type === 'counter';
  const head = heads.of(counter ? `${family.name}_total` : family.name);
  const createdHead = heads.of(`${family.name}_created`);
  yield* inBatches(labels.length, (start, end) => {
    for (let i = start; i < end; i++) {
      const prepared = preparedLabels(labels[i]!, escaping);
      const exemplar = exemplars?.[i];
      if (exemplar === undefined) writeSample(out, head, prepared, values[i]!);
      else writeExemplarSample(out, head, prepared, values[i]!, undefined, exemplar);
      if (created !== undefined) writeSample(out, createdHead, prepared, created[i]!);
    }
  });
}

// What OpenMetrics forbids and our types can produce, and what we do about it. The text format
// 0.0.4 has none of these rules and keeps every sample (text.ts).
// - A histogram's or summary's _sum is counter-like: it may not be negative or NaN. Negative
//   observations make it negative, +Inf and -Inf together make it NaN. Such a summary series
//   shows its _count without the _sum. A histogram's _count comes only with its _sum, and a
//   histogram with a negative bucket bound may not have a _sum at all: such a histogram series
//   shows its buckets (and _created) without _count and _sum.
// - A summary's quantile values may not be negative ("Quantile values MUST NOT be negative"). A
//   negative quantile, from negative observations, is left out; the series' other quantiles, and
//   NaN for an empty window, stay.

/** Whether a sum may be shown: not negative, not NaN. */
function isShowableSum(sum: number): boolean {
  return sum >= 0;
}

/** Whether two label sets hold the same labels (in any order). */
function sameLabels(a: Labels, b: Labels): boolean {
  if (a === b) return true;
  let count = 0;
  for (const name in a) {
    if (a[name] !== b[name]) return false;
    count++;
  }
  for (const _ in b) count--;
  return count === 0;
}

/** A family given as plain samples. */
function* writeSamples(lines: Lines, family: MetricFamily): Generator<void, void, void> {
  if (family.type === 'histogram') {
    yield* writeHistogramSamples(lines, family);
    return;
  }
  const summary = family.type === 'summary';
  const sumName = `${family.name}_sum`;
  const samples = family.samples;
  for (let i = 0; i < samples.length; i++) {
    const sample = samples[i]!;
    if (i % LINES_PER_YIELD === LINES_PER_YIELD - 1) yield;
    // A summary's samples go without the negative quantiles and the sums OpenMetrics forbids.
    if (summary && sample.name === family.name && sample.value < 0) continue;
    if (summary && sample.name === sumName && !isShowableSum(sample.value)) continue;
    write(lines, sample);
  }
}

/**
 * A histogram's samples, as collectors give them (normalized: per point its buckets by `le`,
 * then _count, _sum, _created) or as `histogramSamples` expands rows. _count and _sum are
 * written only as a pair, and only when the sum may be shown and no bucket bound is negative.
 */
function* writeHistogramSamples(lines: Lines, family: MetricFamily): Generator<void, void, void> {
  const bucketName = `${family.name}_bucket`;
  const countName = `${family.name}_count`;
  const sumName = `${family.name}_sum`;
  const samples = family.samples;
  let pointStarts = true;
  let negativeBound = false;
  for (let i = 0; i < samples.length; i++) {
    const sample = samples[i]!;
    if (i % LINES_PER_YIELD === LINES_PER_YIELD - 1) yield;
    if (sample.name === bucketName) {
      const le = sample.labels.le;
      if (pointStarts) negativeBound = false;
      if (le?.startsWith('-')) negativeBound = true;
      // The +Inf bucket ends a point's buckets: the next bucket starts another point.
      pointStarts = le === '+Inf';
    } else if (sample.name === countName) {
      const next = samples[i + 1];
      const paired = next !== undefined && next.name === sumName && sameLabels(next.labels, sample.labels);
      if (paired && !negativeBound && isShowableSum(next.value)) {
        write(lines, sample);
        write(lines, next);
      }
      if (paired) i++;
      continue;
    } else if (sample.name === sumName) {
      continue; // a _sum without its _count before it
    }
    write(lines, sample);
  }
}

/**
 * A histogram given as rows: per series its buckets, count, sum and created. A native-only
 * histogram shows its `+Inf` bucket (its count) and no other: OpenMetrics requires at least one
 * bucket per histogram point (Python's parser refuses one without `+Inf`), as client_golang writes it.
 */
function* writeHistogram(lines: Lines, name: string, histogram: HistogramRows): Generator<void, void, void> {
  const { out, heads, escaping } = lines;
  // A native-only family's bounds are just [Infinity], its cumulative counts just its count.
  const parts = bucketParts(heads.of(`${name}_bucket`), { ...histogram, classic: true });
  const last = histogram.bounds.length - 1;
  const countHead = heads.of(`${name}_count`);
  const sumHead = heads.of(`${name}_sum`);
  const createdHead = heads.of(`${name}_created`);
  // Bounds are ascending, so the first says whether any is negative.
  const negativeBound = histogram.bounds[0]! < 0;
  const rows = histogram.rows;
  yield* inBatches(
    rows.length,
    (start, end) => {
      for (let i = start; i < end; i++) {
        const row = rows[i]!;
        const labels = preparedLabels(row.labels, escaping);
        const totals =
          !negativeBound && isShowableSum(row.sum)
            ? { countHead, sumHead, count: row.cumulative[last]!, sum: row.sum }
            : undefined;
        if (row.exemplars === undefined) {
          writeHistogramLines(out, parts, labels, row.cumulative, totals);
        } else {
          writeExemplarBuckets(out, parts, labels, row);
          if (totals !== undefined) writeHistogramLines(out, NO_BUCKETS, labels, row.cumulative, totals);
        }
        if (row.created !== undefined) writeSample(out, createdHead, labels, row.created);
      }
    },
    last + 4,
  );
}

/** Renders families in the OpenMetrics 1.0.0 text format. */
export function renderOpenMetrics(families: readonly MetricFamily[], escaping: EscapingScheme = 'underscores'): string {
  const out = new ChunkWriter();
  for (const _ of writeOpenMetrics(families, out, escaping));
  return chunksText(out.end(), out.nonAscii);
}
