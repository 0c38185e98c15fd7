/**
 * Name rules of the Prometheus data model, shared by metrics, registries and collectors.
 * Every check throws a TypeError whose message names the metric and the bad value.
 *
 * Names follow Prometheus 3: any non-empty UTF-8 string (label names without the reserved `__`
 * prefix). Names outside the legacy character set are quoted or escaped when written, per the
 * scheme the scraper negotiated (exposition/names.ts).
 */

const UNIT = /^[a-zA-Z0-9_]+$/;

/** Quotes a value for an error message, so empty strings and odd characters stay visible. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** `String.prototype.isWellFormed` (ES2024, in Node 20), which the ES2023 type library does not declare. */
interface WellFormedCheck {
  isWellFormed(): boolean;
}

/**
 * Whether a string is well-formed UTF-16, i.e. has no lone surrogate. Only such strings survive
 * the UTF-8 encoding of a body: every lone surrogate becomes U+FFFD there, so `'\uD800'` and
 * `'\uDC00'` would be one label value on the wire.
 */
export function isWellFormed(text: string): boolean {
  return (text as unknown as WellFormedCheck).isWellFormed();
}

/** The error for a string that is not well-formed; `subject` names the metric and the argument. */
export function notWellFormed(subject: string, text: string): TypeError {
  const why = 'a lone surrogate has no UTF-8 encoding';
  return new TypeError(`${subject} must be well-formed UTF-16 (${why}), got ${show(text)}`);
}

/** Throws naming the metric and the argument unless `text` is well-formed UTF-16. */
export function assertWellFormed(metric: string, argument: string, text: string): void {
  if (!isWellFormed(text)) throw notWellFormed(`Metric ${metric}: ${argument}`, text);
}

/** Metric names: any non-empty string with a UTF-8 encoding (no lone surrogate). */
export function assertMetricName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name === '') {
    throw new TypeError(`Invalid metric name ${show(name)}: must be a non-empty string`);
  }
  if (!isWellFormed(name)) throw notWellFormed('Metric name', name);
}

/**
 * Label names: any non-empty string with a UTF-8 encoding; the `__` prefix is reserved for
 * Prometheus itself.
 */
export function assertLabelName(metric: string, name: unknown): asserts name is string {
  if (typeof name !== 'string' || name === '') {
    throw new TypeError(`Metric ${metric}: invalid label name ${show(name)}: must be a non-empty string`);
  }
  if (!isWellFormed(name)) throw notWellFormed(`Metric ${metric}: label name`, name);
  if (name.startsWith('__')) {
    throw new TypeError(
      `Metric ${metric}: label name ${show(name)} is reserved (the "__" prefix is for Prometheus' internal use)`,
    );
  }
}

export function assertHelp(metric: string, help: unknown): asserts help is string {
  if (typeof help !== 'string') {
    throw new TypeError(`Metric ${metric}: help must be a string, got ${show(help)}`);
  }
  assertWellFormed(metric, 'help', help);
}

export function assertUnit(metric: string, unit: unknown): asserts unit is string {
  if (typeof unit !== 'string' || !UNIT.test(unit)) {
    throw new TypeError(`Metric ${metric}: invalid unit ${show(unit)}: must match ${UNIT.source}`);
  }
}

/** Validates a list of label names: each valid, none repeated, none of the reserved ones. */
export function assertLabelNames(
  metric: string,
  names: unknown,
  reserved: readonly string[] = [],
): asserts names is readonly string[] {
  if (!Array.isArray(names)) {
    throw new TypeError(`Metric ${metric}: labelNames must be an array of strings, got ${show(names)}`);
  }
  const seen = new Set<string>();
  for (const name of names) {
    assertLabelName(metric, name);
    if (reserved.includes(name)) {
      throw new TypeError(`Metric ${metric}: label name ${show(name)} is reserved for this metric type`);
    }
    if (seen.has(name)) {
      throw new TypeError(`Metric ${metric}: label name ${show(name)} is given twice`);
    }
    seen.add(name);
  }
}

export function assertFiniteNumber(metric: string, argument: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RangeError(`Metric ${metric}: ${argument} must be a finite number, got ${show(value)}`);
  }
}

/**
 * Throws unless `value` is a positive integer: a TypeError for what is not a number, a RangeError
 * for a number that is not one. `labelCount` (a metric's) refuses a limit on a metric without labels.
 */
export function assertMaxSeries(where: string, option: string, value: unknown, labelCount?: number): void {
  if (typeof value !== 'number') {
    throw new TypeError(`${where}: ${option} must be a positive integer, got ${show(value)}`);
  }
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${where}: ${option} must be a positive integer, got ${show(value)}`);
  }
  if (labelCount === 0) {
    throw new TypeError(`${where}: ${option} needs label names (a metric without labels has one series)`);
  }
}

/**
 * An object literal (or one without a prototype), for options read as pairs: a Map, a class
 * instance or an array has no own enumerable pairs, and taking it for an empty object would
 * silently mean something else (a Pushgateway grouping key: another group).
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
