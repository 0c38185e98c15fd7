/**
 * Numbers that are label values: a histogram bucket's `le` and a summary's `quantile`. They are
 * written in OpenMetrics' canonical form, Go's `%g` with `.0` added to integers (`1e-05`, `0.0001`,
 * `1.0`, `100000.0`, `1e+06`, `+Inf`), the form client_golang and client_python write, so that the
 * same bound is the same series in a fleet of services in several languages.
 */

/**
 * A number as an `le` or `quantile` label value, in canonical form: the shortest digits that read
 * back as the same double, in exponent form when the exponent is below -4 or 6 and above (Go's
 * `strconv.FormatFloat(v, 'g', -1, 64)`), with `.0` added to an integer in plain form.
 */
export function formatBound(value: number): string {
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (value !== value) return 'NaN';
  if (value === 0) return '0.0'; // -0 too: the same bound must be the same series
  // toExponential() without digits gives the shortest round-trip digits: "-1.2345e+6".
  const text = value.toExponential();
  const e = text.indexOf('e');
  const exponent = Number(text.slice(e + 1));
  const negative = value < 0;
  const digits = text.slice(negative ? 1 : 0, e).replace('.', '');
  const sign = negative ? '-' : '';
  if (exponent < -4 || exponent >= 6) {
    const mantissa = digits.length === 1 ? digits : `${digits[0]}.${digits.slice(1)}`;
    const magnitude = Math.abs(exponent);
    return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${magnitude < 10 ? '0' : ''}${magnitude}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = digits.length <= exponent + 1 ? digits.padEnd(exponent + 1, '0') : digits.slice(0, exponent + 1);
  const fraction = digits.slice(exponent + 1);
  return `${sign}${whole}.${fraction === '' ? '0' : fraction}`;
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
