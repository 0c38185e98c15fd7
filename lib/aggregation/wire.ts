/**
 * Reports as JSON text for the cluster IPC channel, whose own JSON would turn Infinity and NaN
 * (a gauge's value, a sum) into null: such numbers travel as `{"\u0000": "Infinity"}`, which no
 * report contains otherwise.
 */
import type { Report } from './report.js';

const NUMBER_KEY = '\u0000';

export function encodeReport(report: Report): string {
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
