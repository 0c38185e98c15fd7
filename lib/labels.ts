/**
 * Label sets: validating label values, the series key, and the children cache (SeriesIndex).
 *
 * Children are found by their label values through one Map per label (no string is built on a
 * lookup). The key a series carries is its rendered label text, `a="x",b="y"`, with values
 * escaped as both exposition formats require; it is built once, when the series is made, and
 * serves as the prepared label text at scrape time. Escaping makes it unambiguous (a quote
 * inside a value is always `\"`), and values must be well-formed UTF-16, so two different label
 * sets never share one, neither here nor once the body is encoded as UTF-8.
 */
import { isWellFormed, notWellFormed, show } from './validation.js';

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

/**
 * Turns one given label value into its string, or throws naming the metric, label and value.
 * Strings must be well-formed UTF-16: two values differing only in lone surrogates would
 * otherwise be one series on the wire (both encode to U+FFFD).
 */
export function labelValueToString(metric: string, label: string, value: unknown): string {
  if (typeof value === 'string') {
    if (isWellFormed(value)) return value;
    throw notWellFormed(`Metric ${metric}: label ${show(label)}`, value);
  }
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
 * The key from its parts, as one flat string. Concatenating with `+` leaves a tree of cons
 * strings that V8 keeps as it is (about 120 B more per 2-label series, measured), and a fresh
 * cons-string key costs ~300-400 ns to hash in a Map lookup; `join` makes one sequential string.
 */
function flatKey(parts: string[]): string {
  if (parts.length === 0) return '';
  parts.push('"');
  return parts.join('');
}

/**
 * Builds series keys from label values given positionally or as an object, validating count,
 * names, value types and well-formed strings. It runs only when a series is made (or a lookup
 * misses), never on a lookup that finds its series. Construction precomputes the `name="`
 * fragments so a key build is a handful of concatenations.
 */
export class LabelKeyBuilder {
  readonly names: readonly string[];
  private readonly prefixes: string[];

  constructor(private readonly metric: string, names: readonly string[]) {
    // A copy: the metric's labelNames is frozen, and V8 reads frozen arrays on a slower path.
    this.names = [...names];
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
    const parts: string[] = [];
    for (let i = 0; i < names.length; i++) {
      const value = values[i];
      const text = labelValueToString(this.metric, names[i]!, value);
      parts.push(this.prefixes[i]!, escapeLabelValue(text));
    }
    return flatKey(parts);
  }

  /** Key from an object of values by name; every declared name and no other must be present. */
  fromObject(values: Readonly<Record<string, unknown>>): string {
    const names = this.names;
    const parts: string[] = [];
    for (let i = 0; i < names.length; i++) {
      const value = values[names[i]!];
      if (value === undefined) {
        throw new TypeError(`Metric ${this.metric}: missing label ${show(names[i])} in ${show(values)}; expected [${names.join(', ')}]`);
      }
      const text = labelValueToString(this.metric, names[i]!, value);
      parts.push(this.prefixes[i]!, escapeLabelValue(text));
    }
    let given = 0;
    for (const _ in values) given++;
    if (given !== names.length) {
      const extra = Object.keys(values).filter((k) => !names.includes(k));
      throw new TypeError(`Metric ${this.metric}: unknown label(s) [${extra.join(', ')}]; expected [${names.join(', ')}]`);
    }
    return flatKey(parts);
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

/** A level of the series index: label value -> next level, or -> child at the last level. */
type IndexLevel<C> = Map<string, IndexLevel<C> | C>;

/**
 * A metric's children, found by their label values without building a string: one Map per
 * label, keyed by the value as given (V8 caches a string's hash in the string, so a lookup with
 * the same or a constant string hashes nothing), the last level holding the children. A miss
 * falls back to {@link LabelKeyBuilder}, which validates, escapes and builds the key once, when
 * the series is created. Iterates depth first: series are grouped by their first label value.
 */
export class SeriesIndex<C extends { readonly key: string }> {
  private readonly root: IndexLevel<C> = new Map();
  private readonly depth: number;
  /** The only child of a metric without labels. */
  private unlabeled: C | undefined;

  constructor(private readonly metric: string, private readonly keys: LabelKeyBuilder) {
    this.depth = keys.names.length;
  }

  /** The child for `labels()`'s arguments, made by `create(key)` if there is none yet. */
  get(args: readonly unknown[], create: (key: string) => C): C {
    const first = args[0];
    const found = args.length === 1 && typeof first === 'object' && first !== null && !Array.isArray(first)
      ? this.findByObject(first as Readonly<Record<string, unknown>>)
      : this.findPositional(args);
    return found ?? this.insert(args, create);
  }

  /** The child for `labels()`'s arguments, or undefined; throws on invalid label values. */
  find(args: readonly unknown[]): C | undefined {
    const first = args[0];
    const found = args.length === 1 && typeof first === 'object' && first !== null && !Array.isArray(first)
      ? this.findByObject(first as Readonly<Record<string, unknown>>)
      : this.findPositional(args);
    if (found !== undefined) return found;
    this.keys.fromArguments(args); // validates: throws what labels() would
    return this.walk(this.stringValues(args), false) as C | undefined;
  }

  private findPositional(args: readonly unknown[]): C | undefined {
    const depth = this.depth;
    if (args.length !== depth) return undefined;
    if (depth === 0) return this.unlabeled;
    let level: IndexLevel<C> | C | undefined = this.root;
    for (let i = 0; i < depth; i++) {
      const value = args[i];
      level = (level as IndexLevel<C>).get(typeof value === 'string' ? value : typeof value === 'number' ? String(value) : (value as string));
      if (level === undefined) return undefined;
    }
    return level as C;
  }

  private findByObject(values: Readonly<Record<string, unknown>>): C | undefined {
    const names = this.keys.names;
    const depth = this.depth;
    let given = 0;
    for (const _ in values) given++;
    if (given !== depth || depth === 0) return undefined;
    let level: IndexLevel<C> | C | undefined = this.root;
    for (let i = 0; i < depth; i++) {
      const value = values[names[i]!];
      level = (level as IndexLevel<C>).get(typeof value === 'string' ? value : typeof value === 'number' ? String(value) : (value as string));
      if (level === undefined) return undefined;
    }
    return level as C;
  }

  /** The label values as strings in declared order (called once they are validated). */
  private stringValues(args: readonly unknown[]): string[] {
    const first = args[0];
    const names = this.keys.names;
    const byObject = args.length === 1 && typeof first === 'object' && first !== null && !Array.isArray(first);
    return names.map((name, i) => labelValueToString(this.metric, name, byObject ? (first as Record<string, unknown>)[name] : args[i]));
  }

  /** Follows (and with `make`, makes) the levels for values; returns the last level's entry. */
  private walk(values: readonly string[], make: boolean): IndexLevel<C> | C | undefined {
    let level: IndexLevel<C> = this.root;
    for (let i = 0; i < values.length - 1; i++) {
      let next = level.get(values[i]!) as IndexLevel<C> | undefined;
      if (next === undefined) {
        if (!make) return undefined;
        next = new Map();
        level.set(values[i]!, next);
      }
      level = next;
    }
    return make ? level : level.get(values[values.length - 1]!);
  }

  private insert(args: readonly unknown[], create: (key: string) => C): C {
    const key = this.keys.fromArguments(args); // validates, throws on bad label values
    if (this.depth === 0) return (this.unlabeled ??= create(key));
    const values = this.stringValues(args);
    const last = this.walk(values, true) as IndexLevel<C>;
    const leaf = values[values.length - 1]!;
    let child = last.get(leaf) as C | undefined;
    if (child === undefined) {
      child = create(key);
      last.set(leaf, child);
    }
    return child;
  }

  /** Removes the series of `labels()`'s arguments; returns it, or undefined when there was none. */
  delete(args: readonly unknown[]): C | undefined {
    const child = this.find(args);
    if (child === undefined) return undefined;
    const values = this.stringValues(args);
    const path: IndexLevel<C>[] = [this.root];
    for (let i = 0; i < values.length - 1; i++) path.push(path[i]!.get(values[i]!) as IndexLevel<C>);
    path[path.length - 1]!.delete(values[values.length - 1]!);
    // Prune levels left empty, so removed label values do not keep Maps alive.
    for (let i = path.length - 1; i > 0 && path[i]!.size === 0; i--) path[i - 1]!.delete(values[i - 1]!);
    return child;
  }

  /** Removes every labeled series. */
  clear(): void {
    this.root.clear();
  }

  /** Calls `f` on every child. */
  forEach(f: (child: C) => void): void {
    if (this.depth === 0) {
      if (this.unlabeled !== undefined) f(this.unlabeled);
      return;
    }
    const visit = (level: IndexLevel<C>, remaining: number): void => {
      if (remaining === 1) for (const child of level.values()) f(child as C);
      else for (const next of level.values()) visit(next as IndexLevel<C>, remaining - 1);
    };
    visit(this.root, this.depth);
  }

  /** Every child (as Map.prototype.values() does, for code written against a Map of children). */
  values(): IterableIterator<C> {
    return this[Symbol.iterator]();
  }

  *[Symbol.iterator](): IterableIterator<C> {
    const all: C[] = [];
    this.forEach((child) => all.push(child));
    yield* all;
  }
}
