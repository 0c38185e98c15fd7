/**
 * Prometheus text exposition format 0.0.4: snapshot -> body.
 * Differences from OpenMetrics handled here: counter families are named with `_total`, info and
 * stateset become gauges, `_created` samples form gauge families of their own, HELP escapes only
 * backslash and newline, and there is no UNIT line and no `# EOF`.
 */
import type { MetricFamily, Sample } from '../snapshot.js';
import { BodyWriter } from './body.js';
import { formatValue } from './numbers.js';

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

function writeSample(out: BodyWriter, sample: Sample): void {
  out.write(sample.labels === '' ? `${sample.name} ${formatValue(sample.value)}\n` : `${sample.name}{${sample.labels}} ${formatValue(sample.value)}\n`);
}

/** Writes families in the Prometheus text format 0.0.4. */
export function writeText(families: readonly MetricFamily[], out: BodyWriter): void {
  for (const family of families) {
    const name = family.type === 'counter' ? `${family.name}_total` : family.type === 'info' ? `${family.name}_info` : family.name;
    const help = escapeHelp(family.help);
    out.write(`# HELP ${name} ${help}\n# TYPE ${name} ${TEXT_TYPES[family.type]}\n`);
    const hasCreated = family.type === 'counter' || family.type === 'histogram' || family.type === 'summary';
    const createdName = `${family.name}_created`;
    let created: Sample[] | undefined;
    for (const sample of family.samples) {
      if (hasCreated && sample.name === createdName) (created ??= []).push(sample);
      else writeSample(out, sample);
    }
    if (created !== undefined) {
      out.write(`# HELP ${createdName} ${help}\n# TYPE ${createdName} gauge\n`);
      for (const sample of created) writeSample(out, sample);
    }
  }
}

/** Renders families in the Prometheus text format 0.0.4. */
export function renderText(families: readonly MetricFamily[]): string {
  const out = new BodyWriter();
  writeText(families, out);
  return out.text();
}
