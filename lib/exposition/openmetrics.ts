/**
 * OpenMetrics 1.0.0 text format: snapshot -> body. Family names are the OpenMetrics ones
 * (a counter's without `_total`), HELP escapes backslash, newline and double quote, a unit
 * gets a `# UNIT` line, and the body ends with `# EOF`.
 */
import type { MetricFamily } from '../snapshot.js';
import { formatValue } from './numbers.js';

/** Content-Type of this format, exactly as the OpenMetrics specification gives it. */
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

function escapeHelp(help: string): string {
  return /[\\\n"]/.test(help) ? help.replace(/[\\\n"]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`)) : help;
}

/** Renders families in the OpenMetrics 1.0.0 text format. */
export function renderOpenMetrics(families: readonly MetricFamily[]): string {
  let out = '';
  for (const family of families) {
    out += `# HELP ${family.name} ${escapeHelp(family.help)}\n# TYPE ${family.name} ${family.type}\n`;
    if (family.unit !== '') out += `# UNIT ${family.name} ${family.unit}\n`;
    for (const sample of family.samples) {
      const labels = sample.labels === '' ? '' : `{${sample.labels}}`;
      out += `${sample.name}${labels} ${formatValue(sample.value)}\n`;
    }
  }
  return `${out}# EOF\n`;
}
