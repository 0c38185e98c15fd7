/**
 * OpenMetrics 1.0.0 text format: snapshot -> body. Family names are the OpenMetrics ones
 * (a counter's without `_total`), HELP escapes backslash, newline and double quote, a unit
 * gets a `# UNIT` line, and the body ends with `# EOF`.
 */
import type { HistogramRows, MetricFamily } from '../snapshot.js';
import { BodyWriter } from './body.js';
import { bucketParts, writeBuckets, writeSample } from './lines.js';
import { parseBound } from './numbers.js';

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

/**
 * The value of the `le` pair in rendered label text, or undefined. In escaped text `le="` starts a
 * pair only at the start or after a comma: inside a value every quote is written `\"`.
 */
function leValue(labels: string): string | undefined {
  let at = 0;
  if (!labels.startsWith('le="')) {
    at = labels.indexOf(',le="') + 1;
    if (at === 0) return undefined;
  }
  const start = at + 'le="'.length;
  return labels.slice(start, labels.indexOf('"', start));
}

function isNegativeBound(le: string | undefined): boolean {
  return le !== undefined && parseBound(le) < 0;
}

/** A family given as plain samples. */
function writeSamples(out: BodyWriter, family: MetricFamily): void {
  if (family.type === 'histogram') writeHistogramSamples(out, family);
  else if (family.type === 'summary') writeSummarySamples(out, family);
  else for (const sample of family.samples) writeSample(out, sample.name, sample.labels, sample.value);
}

/** A summary's samples, without the negative quantiles and the sums OpenMetrics forbids. */
function writeSummarySamples(out: BodyWriter, family: MetricFamily): void {
  const sumName = `${family.name}_sum`;
  for (const sample of family.samples) {
    if (sample.name === family.name && sample.value < 0) continue;
    if (sample.name === sumName && !isShowableSum(sample.value)) continue;
    writeSample(out, sample.name, sample.labels, sample.value);
  }
}

/**
 * A histogram's samples, as collectors give them (normalized: per point its buckets by `le`,
 * then _count, _sum, _created) or as `histogramSamples` expands rows. _count and _sum are
 * written only as a pair, and only when the sum may be shown and no bucket bound is negative.
 */
function writeHistogramSamples(out: BodyWriter, family: MetricFamily): void {
  const bucketName = `${family.name}_bucket`;
  const countName = `${family.name}_count`;
  const sumName = `${family.name}_sum`;
  const samples = family.samples;
  let pointStarts = true;
  let negativeBound = false;
  for (let i = 0; i < samples.length; i++) {
    const sample = samples[i]!;
    if (sample.name === bucketName) {
      const le = leValue(sample.labels);
      if (pointStarts) negativeBound = false;
      if (isNegativeBound(le)) negativeBound = true;
      // The +Inf bucket ends a point's buckets: the next bucket starts another point.
      pointStarts = le === '+Inf';
    } else if (sample.name === countName) {
      const next = samples[i + 1];
      const paired = next !== undefined && next.name === sumName && next.labels === sample.labels;
      if (paired && !negativeBound && isShowableSum(next.value)) {
        writeSample(out, sample.name, sample.labels, sample.value);
        writeSample(out, next.name, next.labels, next.value);
      }
      if (paired) i++;
      continue;
    } else if (sample.name === sumName) {
      continue; // a _sum without its _count before it
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
  // Bounds are ascending, so the first says whether any is negative.
  const negativeBound = histogram.le.length > 0 && isNegativeBound(leValue(histogram.le[0]!));
  for (const row of histogram.rows) {
    writeBuckets(out, parts, row);
    if (!negativeBound && isShowableSum(row.sum)) {
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
