/**
 * Prometheus text exposition format 0.0.4: snapshot -> body.
 * Differences from OpenMetrics handled here: counter families are named with `_total`, info and
 * stateset become gauges, `_created` samples form gauge families of their own, HELP escapes only
 * backslash and newline, and there is no UNIT line and no `# EOF`. Every sample is kept: negative
 * quantiles and negative or NaN sums, which OpenMetrics forbids (see openmetrics.ts), are valid here.
 */
import type { HistogramRows, MetricFamily, Sample, SeriesColumns } from '../snapshot.js';
import { ChunkWriter, chunksText } from './chunk-writer.js';
import {
  bucketParts,
  inBatches,
  LINES_PER_YIELD,
  writeHistogramLines,
  writeFamilySample,
  writeSample,
  type FamilyLines as Lines,
} from './lines.js';
import { DEFAULT_ESCAPING, type EscapingScheme } from './names.js';
import { FamilyHeads, preparedLabels } from './tokens.js';

/** Content-Type of this format, exactly as the format's documentation gives it. */
export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const TEXT_TYPES: Record<MetricFamily['type'], string> = {
  counter: 'counter',
  gauge: 'gauge',
  histogram: 'histogram',
  summary: 'summary',
  info: 'gauge',
  stateset: 'gauge',
  unknown: 'untyped',
};

function escapeHelp(help: string): string {
  return /[\\\n]/.test(help) ? help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n') : help;
}

/**
 * Writes families in the Prometheus text format: 0.0.4, or 1.0.0 when `escaping` is `allow-utf-8`
 * (names outside the legacy set quoted), the two being the same for legacy names. A generator:
 * it yields every few hundred series, so that a renderer can stop to give the event loop a turn.
 */
export function* writeText(
  families: readonly MetricFamily[],
  out: ChunkWriter,
  escaping = DEFAULT_ESCAPING,
): Generator<void, void, void> {
  for (const family of families) {
    const heads = new FamilyHeads(family.name, escaping);
    const sampleName =
      family.type === 'counter' ? `${family.name}_total` : family.type === 'info' ? `${family.name}_info` : family.name;
    const name = heads.of(sampleName).metadata;
    const help = escapeHelp(family.help);
    out.text(`# HELP ${name} ${help}\n# TYPE ${name} ${TEXT_TYPES[family.type]}\n`);
    const createdName = `${family.name}_created`;
    const created = heads.of(createdName).metadata;
    const createdHeader = `# HELP ${created} ${help}\n# TYPE ${created} gauge\n`;
    const lines: Lines = { out, heads, escaping };
    if (family.histogram !== undefined) {
      yield* writeHistogram(lines, family.name, family.histogram, createdHeader);
      continue;
    }
    if (family.columns !== undefined) {
      yield* writeColumns(lines, sampleName, createdName, family.columns, createdHeader);
      continue;
    }
    const hasCreated = family.type === 'counter' || family.type === 'histogram' || family.type === 'summary';
    let createdSamples: Sample[] | undefined;
    const samples = family.samples;
    for (let i = 0; i < samples.length; i++) {
      const sample = samples[i]!;
      if (hasCreated && sample.name === createdName) (createdSamples ??= []).push(sample);
      else write(lines, sample);
      if (i % LINES_PER_YIELD === LINES_PER_YIELD - 1) yield;
    }
    if (createdSamples !== undefined) {
      out.text(createdHeader);
      for (let i = 0; i < createdSamples.length; i++) {
        write(lines, createdSamples[i]!);
        if (i % LINES_PER_YIELD === LINES_PER_YIELD - 1) yield;
      }
    }
  }
}

/** One sample line; a timestamp in integer milliseconds, as this format has it. */
function write(lines: Lines, sample: Sample): void {
  const { timestamp } = sample;
  writeFamilySample(lines, sample, timestamp === undefined ? undefined : String(timestamp));
}

/** A counter's or gauge's columns: every series' value, then a counter's `_created` gauges after them. */
function* writeColumns(
  lines: Lines,
  sampleName: string,
  createdName: string,
  columns: SeriesColumns,
  createdHeader: string,
): Generator<void, void, void> {
  const { out, heads, escaping } = lines;
  const { labels, values, created } = columns;
  const head = heads.of(sampleName);
  yield* inBatches(labels.length, (start, end) => {
    for (let i = start; i < end; i++) writeSample(out, head, preparedLabels(labels[i]!, escaping), values[i]!);
  });
  if (created === undefined || labels.length === 0) return;
  out.text(createdHeader);
  const createdHead = heads.of(createdName);
  yield* inBatches(labels.length, (start, end) => {
    for (let i = start; i < end; i++) writeSample(out, createdHead, preparedLabels(labels[i]!, escaping), created[i]!);
  });
}

/** A histogram's rows: every series' buckets, count and sum, then the `_created` gauges after them. */
function* writeHistogram(
  lines: Lines,
  name: string,
  histogram: HistogramRows,
  createdHeader: string,
): Generator<void, void, void> {
  const { out, heads, escaping } = lines;
  const parts = bucketParts(heads.of(`${name}_bucket`), histogram);
  const last = histogram.bounds.length - 1;
  const countHead = heads.of(`${name}_count`);
  const sumHead = heads.of(`${name}_sum`);
  const rows = histogram.rows;
  let hasCreated = false;
  yield* inBatches(
    rows.length,
    (start, end) => {
      for (let i = start; i < end; i++) {
        const row = rows[i]!;
        const cumulative = row.cumulative;
        const totals = { countHead, sumHead, count: cumulative[last]!, sum: row.sum };
        writeHistogramLines(out, parts, preparedLabels(row.labels, escaping), cumulative, totals);
        if (row.created !== undefined) hasCreated = true;
      }
    },
    last + 3,
  );
  if (!hasCreated) return;
  out.text(createdHeader);
  const createdHead = heads.of(`${name}_created`);
  yield* inBatches(rows.length, (start, end) => {
    for (let i = start; i < end; i++) {
      const row = rows[i]!;
      if (row.created !== undefined) writeSample(out, createdHead, preparedLabels(row.labels, escaping), row.created);
    }
  });
}

/** Renders families in the Prometheus text format (see {@link writeText}). */
export function renderText(families: readonly MetricFamily[], escaping: EscapingScheme = 'underscores'): string {
  const out = new ChunkWriter();
  for (const _ of writeText(families, out, escaping));
  return chunksText(out.end(), out.nonAscii);
}
