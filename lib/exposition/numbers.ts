/** Number formatting shared by both exposition formats. */

/**
 * A sample value: the shortest text that parses back to the same double, with the special
 * values spelled as both formats require (`+Inf`, `-Inf`, `NaN`) and the sign of -0 kept.
 */
export function formatValue(value: number): string {
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (value !== value) return 'NaN';
  if (value === 0 && 1 / value < 0) return '-0';
  return String(value);
}

/**
 * A number used as a label value (`le`, `quantile`), in OpenMetrics' canonical form: integers
 * carry `.0` (`1.0`, not `1`), so the same bound is always the same label value.
 */
export function formatBound(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return `${value === 0 ? 0 : value}.0`;
  return formatValue(value);
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITY = /^([+-]?)inf(?:inity)?$/i;

/**
 * Reads an `le` or `quantile` label value as the number it spells (`0.5`, `1e-05`, `+Inf`, `Inf`,
 * `-Infinity`), or NaN when it spells none: `NaN`, an empty string and hexadecimal among them,
 * which Python's parser would not read either.
 */
export function parseBound(text: string): number {
  if (DECIMAL.test(text)) return Number(text);
  const infinity = INFINITY.exec(text);
  if (infinity === null) return NaN;
  return infinity[1] === '-' ? -Infinity : Infinity;
}
