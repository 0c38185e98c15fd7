/**
 * Label sets: turning label values into the series key, and the children cache.
 *
 * The key of a series is its rendered label text, `a="x",b="y"`, with values escaped as both
 * exposition formats require. Escaping makes the key unambiguous (a quote inside a value is
 * always `\"`), so two different label sets can never share a key, and the same string serves
 * as the prepared label text at scrape time: one string per series, built once.
 */
import { show } from './validation.js';

/** What a label value may be given as; numbers and booleans are turned into strings. */
export type LabelValue = string | number | boolean;

/** Label values by name, typed against a metric's label names. */
export type LabelValues<L extends string> = { readonly [K in L]: LabelValue };

const NEEDS_ESCAPE = /[\\"\n]/;

/** Escapes a label value for both the Prometheus text and the OpenMetrics format. */
export function escapeLabelValue(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** Turns one given label value into its string, or throws naming the metric, label and value. */
export function labelValueToString(metric: string, label: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TypeError(`Metric ${metric}: label ${show(label)} must be a string, number or boolean, got ${show(value)}`);
}

/** Renders `name="value",...` for names and raw (unescaped) values in the same order. */
export function renderLabelPairs(names: readonly string[], values: readonly string[]): string {
  let text = '';
  for (let i = 0; i < names.length; i++) {
    if (i > 0) text += ',';
    text += `${names[i]}="${escapeLabelValue(values[i]!)}"`;
  }
  return text;
}

/** Parses label text made by {@link renderLabelPairs} back into values by name. */
export function parseLabelText(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf('="', i);
    const name = text.slice(i, eq);
    let value = '';
    let j = eq + 2;
    for (; text[j] !== '"'; j++) {
      if (text[j] === '\\') {
        j++;
        value += text[j] === 'n' ? '\n' : text[j];
      } else {
        value += text[j];
      }
    }
    labels[name] = value;
    i = j + 2; // past the closing quote and the comma
  }
  return labels;
}

/**
 * Builds series keys from label values given positionally or as an object, validating count,
 * names and value types. Construction precomputes the `name="` fragments so a key build is a
 * handful of concatenations.
 */
export class LabelKeyBuilder {
  private readonly prefixes: string[];

  constructor(private readonly metric: string, readonly names: readonly string[]) {
    this.prefixes = names.map((name, i) => `${i === 0 ? '' : '",'}${name}="`);
  }

  /** Key from values in declared order. */
  fromPositional(values: readonly unknown[]): string {
    const names = this.names;
    if (values.length !== names.length) {
      throw new TypeError(
        `Metric ${this.metric}: expected ${names.length} label value(s) for [${names.join(', ')}], got ${values.length}: ${show(values)}`,
      );
    }
    let key = '';
    for (let i = 0; i < names.length; i++) {
      const value = values[i];
      const text = typeof value === 'string' ? value : labelValueToString(this.metric, names[i]!, value);
      key += this.prefixes[i] + (NEEDS_ESCAPE.test(text) ? escapeLabelValue(text) : text);
    }
    return names.length === 0 ? key : `${key}"`;
  }

  /** Key from an object of values by name; every declared name and no other must be present. */
  fromObject(values: Readonly<Record<string, unknown>>): string {
    const names = this.names;
    let key = '';
    for (let i = 0; i < names.length; i++) {
      const value = values[names[i]!];
      if (value === undefined) {
        throw new TypeError(`Metric ${this.metric}: missing label ${show(names[i])} in ${show(values)}; expected [${names.join(', ')}]`);
      }
      const text = typeof value === 'string' ? value : labelValueToString(this.metric, names[i]!, value);
      key += this.prefixes[i] + (NEEDS_ESCAPE.test(text) ? escapeLabelValue(text) : text);
    }
    let given = 0;
    for (const _ in values) given++;
    if (given !== names.length) {
      const extra = Object.keys(values).filter((k) => !names.includes(k));
      throw new TypeError(`Metric ${this.metric}: unknown label(s) [${extra.join(', ')}]; expected [${names.join(', ')}]`);
    }
    return names.length === 0 ? key : `${key}"`;
  }

  /** Key from either calling form of `labels()`. */
  fromArguments(args: readonly unknown[]): string {
    const first = args[0];
    if (args.length === 1 && typeof first === 'object' && first !== null && !Array.isArray(first)) {
      return this.fromObject(first as Record<string, unknown>);
    }
    return this.fromPositional(args);
  }
}
