/**
 * OpenMetrics 1.0.0 text format: snapshot -> body. Family names are the OpenMetrics ones
 * (a counter's without `_total`), HELP escapes backslash, newline and double quote, a unit
 * gets a `# UNIT` line, and the body ends with `# EOF`.
 */
import type { HistogramRows, MetricFamily } from '../snapshot.js';
import { BodyWriter } from './body.js';
import { bucketParts, writeBuckets, writeSample } from './lines.js';

/** Content-Type of this format, exactly as the OpenMetrics specification gives it. */
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

function escapeHelp(help: string): string {
  return /[\\\n"]/.test(help) ? help.replace(/[\\\n"]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`)) : help;
}

/** Writes families in the OpenMetrics 1.0.0 text format. */
export function writeOpenMetrics(families: readonly MetricFamily[], out: BodyWriter): void {
  for (const family of families) {
    out.write(`# HELP ${family.name} ${escapeHelp(family.help)}\n# TYPE ${family.name} ${family.type}\n`);
    if (family.unit !== '') out.write(`# UNIT ${family.name} ${family.unit}\n`);
    if (family.histogram !== undefined) writeHistogram(out, family.name, family.histogram);
    else writeSamples(out, family);
  }
  out.write('# EOF\n');
}

// Both writers below: a sum is counter-like in OpenMetrics and may not be negative, and a count
// needs its sum: a series whose sum went negative (negative observations) shows only its buckets
// or quantiles here, while the text format keeps both.

/** A family given as plain samples. */
function writeSamples(out: BodyWriter, family: MetricFamily): void {
  const hasSum = family.type === 'histogram' || family.type === 'summary';
  const sumName = `${family.name}_sum`;
  const countName = `${family.name}_count`;
  const samples = family.samples;
  for (let i = 0; i < samples.length; i++) {
    const sample = samples[i]!;
    if (hasSum) {
      if (sample.name === sumName && sample.value < 0) continue;
      if (sample.name === countName) {
        const next = samples[i + 1];
        if (next !== undefined && next.name === sumName && next.labels === sample.labels && next.value < 0) {
          i++;
          continue;
        }
      }
    }
    writeSample(out, sample.name, sample.labels, sample.value);
  }
}

/** A histogram given as rows: per series its buckets, count, sum and created. */
function writeHistogram(out: BodyWriter, name: string, histogram: HistogramRows): void {
  const parts = bucketParts(name, histogram);
  const last = histogram.le.length - 1;
  const countName = `${name}_count`;
  const sumName = `${name}_sum`;
  const createdName = `${name}_created`;
  for (const row of histogram.rows) {
    writeBuckets(out, parts, row);
    if (!(row.sum < 0)) {
      writeSample(out, countName, row.labels, row.cumulative[last]!);
      writeSample(out, sumName, row.labels, row.sum);
    }
    if (row.created !== undefined) writeSample(out, createdName, row.labels, row.created);
  }
}

/** Renders families in the OpenMetrics 1.0.0 text format. */
export function renderOpenMetrics(families: readonly MetricFamily[]): string {
  const out = new BodyWriter();
  writeOpenMetrics(families, out);
  return out.text();
}
