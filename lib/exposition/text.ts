/**
 * Prometheus text exposition format 0.0.4: snapshot -> body.
 * Differences from OpenMetrics handled here: counter families are named with `_total`, info and
 * stateset become gauges, `_created` samples form gauge families of their own, HELP escapes only
 * backslash and newline, and there is no UNIT line and no `# EOF`. Every sample is kept: negative
 * quantiles and negative or NaN sums, which OpenMetrics forbids (see openmetrics.ts), are valid here.
 */
import type { HistogramRows, MetricFamily, Sample } from '../snapshot.js';
import { BodyWriter } from './body.js';
import { bucketParts, writeBuckets, writeSample } from './lines.js';

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

/** Writes families in the Prometheus text format 0.0.4. */
export function writeText(families: readonly MetricFamily[], out: BodyWriter): void {
  for (const family of families) {
    const name = family.type === 'counter' ? `${family.name}_total` : family.type === 'info' ? `${family.name}_info` : family.name;
    const help = escapeHelp(family.help);
    out.write(`# HELP ${name} ${help}\n# TYPE ${name} ${TEXT_TYPES[family.type]}\n`);
    const createdName = `${family.name}_created`;
    const createdHeader = `# HELP ${createdName} ${help}\n# TYPE ${createdName} gauge\n`;
    if (family.histogram !== undefined) {
      writeHistogram(out, family.name, family.histogram, createdHeader);
      continue;
    }
    const hasCreated = family.type === 'counter' || family.type === 'histogram' || family.type === 'summary';
    let created: Sample[] | undefined;
    for (const sample of family.samples) {
      if (hasCreated && sample.name === createdName) (created ??= []).push(sample);
      else writeSample(out, sample.name, sample.labels, sample.value);
    }
    if (created !== undefined) {
      out.write(createdHeader);
      for (const sample of created) writeSample(out, sample.name, sample.labels, sample.value);
    }
  }
}

/** A histogram's rows: every series' buckets, count and sum, then the `_created` gauges after them. */
function writeHistogram(out: BodyWriter, name: string, histogram: HistogramRows, createdHeader: string): void {
  const parts = bucketParts(name, histogram);
  const last = histogram.le.length - 1;
  const countName = `${name}_count`;
  const sumName = `${name}_sum`;
  let hasCreated = false;
  for (const row of histogram.rows) {
    writeBuckets(out, parts, row);
    writeSample(out, countName, row.labels, row.cumulative[last]!);
    writeSample(out, sumName, row.labels, row.sum);
    if (row.created !== undefined) hasCreated = true;
  }
  if (!hasCreated) return;
  out.write(createdHeader);
  const createdName = `${name}_created`;
  for (const row of histogram.rows) if (row.created !== undefined) writeSample(out, createdName, row.labels, row.created);
}

/** Renders families in the Prometheus text format 0.0.4. */
export function renderText(families: readonly MetricFamily[]): string {
  const out = new BodyWriter();
  writeText(families, out);
  return out.text();
}
