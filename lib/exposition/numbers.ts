/** Sample values as the text formats write them (label values that are numbers: bounds.ts). */

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
