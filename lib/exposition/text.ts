/**
 * Prometheus text exposition format 0.0.4: snapshot -> body.
 * Differences from OpenMetrics handled here: counter families are named with `_total`, info and
 * stateset become gauges, `_created` samples form gauge families of their own, HELP escapes only
 * backslash and newline, and there is no UNIT line and no `# EOF`. Every sample is kept: negative
 * quantiles and negative or NaN sums, which OpenMetrics forbids (see openmetrics.ts), are valid here.
 */
import type { HistogramRows, MetricFamily, Sample } from '../snapshot.js';
import { BodyWriter } from './body.js';
import { bucketParts, writeBuckets, writeFamilySample, writeSample, type FamilyLines as Lines } from './lines.js';
import { DEFAULT_ESCAPING, type EscapingScheme } from './names.js';
import { FamilyHeads, labelText } from './tokens.js';

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
 * (names outside the legacy set quoted), the two being the same for legacy names.
 */
export function writeText(families: readonly MetricFamily[], out: BodyWriter, escaping = DEFAULT_ESCAPING): void {
  for (const family of families) {
    const heads = new FamilyHeads(family.name, escaping);
    const sampleName =
      family.type === 'counter' ? `${family.name}_total` : family.type === 'info' ? `${family.name}_info` : family.name;
    const name = heads.of(sampleName).metadata;
    const help = escapeHelp(family.help);
    out.write(`# HELP ${name} ${help}\n# TYPE ${name} ${TEXT_TYPES[family.type]}\n`);
    const createdName = `${family.name}_created`;
    const created = heads.of(createdName).metadata;
    const createdHeader = `# HELP ${created} ${help}\n# TYPE ${created} gauge\n`;
    const lines: Lines = { out, heads, escaping };
    if (family.histogram !== undefined) {
      writeHistogram(lines, family.name, family.histogram, createdHeader);
      continue;
    }
    const hasCreated = family.type === 'counter' || family.type === 'histogram' || family.type === 'summary';
    let createdSamples: Sample[] | undefined;
    for (const sample of family.samples) {
      if (hasCreated && sample.name === createdName) (createdSamples ??= []).push(sample);
      else write(lines, sample);
    }
    if (createdSamples !== undefined) {
      out.write(createdHeader);
      for (const sample of createdSamples) write(lines, sample);
    }
  }
}

/** One sample line; a timestamp in integer milliseconds, as this format has it. */
function write(lines: Lines, sample: Sample): void {
  const { timestamp } = sample;
  writeFamilySample(lines, sample, timestamp === undefined ? undefined : String(timestamp));
}

/** A histogram's rows: every series' buckets, count and sum, then the `_created` gauges after them. */
function writeHistogram(lines: Lines, name: string, histogram: HistogramRows, createdHeader: string): void {
  const { out, heads, escaping } = lines;
  const parts = bucketParts(heads.of(`${name}_bucket`), histogram);
  const last = histogram.bounds.length - 1;
  const countHead = heads.of(`${name}_count`);
  const sumHead = heads.of(`${name}_sum`);
  let hasCreated = false;
  for (const row of histogram.rows) {
    const labels = labelText(row.labels, escaping);
    writeBuckets(out, parts, labels, row);
    writeSample(out, countHead, labels, row.cumulative[last]!);
    writeSample(out, sumHead, labels, row.sum);
    if (row.created !== undefined) hasCreated = true;
  }
  if (!hasCreated) return;
  out.write(createdHeader);
  const createdHead = heads.of(`${name}_created`);
  for (const row of histogram.rows) {
    if (row.created !== undefined) writeSample(out, createdHead, labelText(row.labels, escaping), row.created);
  }
}

/** Renders families in the Prometheus text format (see {@link writeText}). */
export function renderText(families: readonly MetricFamily[], escaping: EscapingScheme = 'underscores'): string {
  const out = new BodyWriter();
  writeText(families, out, escaping);
  return out.text();
}
