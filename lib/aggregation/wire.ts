/**
 * Reports as JSON text for the cluster IPC channel, whose own JSON would turn Infinity and NaN
 * (a gauge's value, a sum) into null: such numbers travel as `{"\u0000": "Infinity"}`, which no
 * report contains otherwise.
 */
import type { Report } from './report.js';

const NUMBER_KEY = '\u0000';

export function encodeReport(report: Report): string {
  const text = JSON.stringify(report);
  // JSON writes a non-finite number as null; without any null the plain text is exact (a replacer
  // costs about twice the stringify). A null can also be a bucket without exemplar: that takes the slow path.
  if (!text.includes('null')) return text;
  return JSON.stringify(report, (_key, value: unknown) =>
    typeof value === 'number' && !Number.isFinite(value) ? { [NUMBER_KEY]: String(value) } : value,
  );
}

export function decodeReport(text: string): Report {
  return JSON.parse(text, (_key, value: unknown) => {
    if (typeof value === 'object' && value !== null && Object.hasOwn(value, NUMBER_KEY)) {
      return Number((value as Record<string, string>)[NUMBER_KEY]);
    }
    return value;
  }) as Report;
}
