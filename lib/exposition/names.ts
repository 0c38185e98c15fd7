/**
 * Metric and label names on the wire: the legacy character set, and the escaping schemes a
 * scraper negotiates for names outside it (prometheus/docs, "UTF-8 escaping schemes"). A name in
 * the legacy set is written as it is under every scheme, as client_golang does, so legacy names
 * render the same whatever the scraper asks for.
 */

/** How names outside the legacy character set are written: the `escaping` parameter of Accept. */
export type EscapingScheme = 'allow-utf-8' | 'underscores' | 'dots' | 'values';

/** The scheme of a scraper that names none (and of Prometheus 2): `underscores`. */
export const DEFAULT_ESCAPING: EscapingScheme = 'underscores';

/** The schemes, as the `escaping` parameter spells them. */
export const ESCAPING_SCHEMES: readonly EscapingScheme[] = Object.freeze([
  'allow-utf-8',
  'underscores',
  'dots',
  'values',
]);

const LEGACY_METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LEGACY_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Whether a metric name is in the legacy character set, `[a-zA-Z_:][a-zA-Z0-9_:]*`. */
export function isLegacyMetricName(name: string): boolean {
  return LEGACY_METRIC_NAME.test(name);
}

/** Whether a label name is in the legacy character set, `[a-zA-Z_][a-zA-Z0-9_]*`. */
export function isLegacyLabelName(name: string): boolean {
  return LEGACY_LABEL_NAME.test(name);
}

/** Whether a code point may stand at `index` of a legacy metric name. */
function isLegacyMetricChar(code: number, index: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) || // a-z
    (code >= 0x41 && code <= 0x5a) || // A-Z
    code === 0x5f || // _
    code === 0x3a || // :
    (code >= 0x30 && code <= 0x39 && index > 0) // 0-9, not first
  );
}

/** Whether a code point may stand at `index` of a legacy label name: as for metrics, without `:`. */
function isLegacyLabelChar(code: number, index: number): boolean {
  return code !== 0x3a && isLegacyMetricChar(code, index);
}

/**
 * A name as a scraper that asked for `scheme` must read it. Legacy names are returned as they
 * are; under `allow-utf-8` every name is (the writer quotes it where the syntax needs).
 */
export function escapeName(name: string, scheme: EscapingScheme): string {
  if (scheme === 'allow-utf-8' || isLegacyMetricName(name)) return name;
  return escapeChars(name, scheme, isLegacyMetricChar);
}

/**
 * A label name as a scraper that asked for `scheme` must read it: as {@link escapeName}, except
 * that `:`, legal in metric names only, is escaped too (`a:b` is `a_b` under `underscores`).
 */
export function escapeLabelName(name: string, scheme: EscapingScheme): string {
  if (scheme === 'allow-utf-8' || isLegacyLabelName(name)) return name;
  return escapeChars(name, scheme, isLegacyLabelChar);
}

/** The escaping proper, code point by code point (a non-BMP character is one code point). */
function escapeChars(
  name: string,
  scheme: EscapingScheme,
  isLegacyChar: (code: number, index: number) => boolean,
): string {
  let out = scheme === 'values' ? 'U__' : '';
  let index = 0;
  for (const char of name) {
    const code = char.codePointAt(0)!;
    if (code === 0x5f) out += scheme === 'underscores' ? '_' : '__';
    else if (isLegacyChar(code, index)) out += char;
    else if (scheme === 'dots' && code === 0x2e) out += '_dot_';
    else if (scheme === 'values') out += `_${code.toString(16).toUpperCase()}_`;
    else out += '_';
    index++;
  }
  return out;
}

/** A name inside double quotes (`{"my.metric", …}`): backslash, newline and quote escaped. */
export function quoteName(name: string): string {
  return `"${/[\\\n"]/.test(name) ? name.replace(/[\\\n"]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`)) : name}"`;
}

/**
 * The names a scraper may see for `names`: each as it is, and, when outside the legacy set, as
 * every scheme but `allow-utf-8` escapes it. Two metrics whose sets meet would be one name to some
 * scraper (`a.b` and `a_b` under `underscores`), so a registry lets only one of them in.
 */
export function wireNames(names: Iterable<string>): Set<string> {
  const all = new Set<string>();
  for (const name of names) {
    all.add(name);
    if (isLegacyMetricName(name)) continue;
    for (const scheme of ['underscores', 'dots', 'values'] as const) all.add(escapeName(name, scheme));
  }
  return all;
}

/**
 * Two of `labelNames` that some scheme writes alike (`x.y` and `x_y` under `underscores`), with
 * that scheme; undefined when every scraper sees them apart. A series would carry such a label twice.
 */
export function labelNameClash(labelNames: readonly string[]): [string, string, EscapingScheme] | undefined {
  // Legacy names are written as they are under every scheme: only another name can meet one.
  if (labelNames.every(isLegacyLabelName)) return undefined;
  for (const scheme of ['underscores', 'dots', 'values'] as const) {
    const seen = new Map<string, string>();
    for (const name of labelNames) {
      const wire = escapeLabelName(name, scheme);
      const other = seen.get(wire);
      if (other !== undefined) return [other, name, scheme];
      seen.set(wire, name);
    }
  }
  return undefined;
}
