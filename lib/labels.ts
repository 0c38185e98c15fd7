/**
 * Label sets: validating label values, making a series' label set, and the children cache
 * (SeriesIndex).
 *
 * Children are found by their label values through one Map per label (no string is built on a
 * lookup). A series carries its labels as data, a frozen object of values by name in declared
 * order, made once when the series is made. Values must be well-formed UTF-16: two values
 * differing only in lone surrogates would otherwise be one series on the wire (both encode to
 * U+FFFD).
 */
import { labelSet } from './label-set.js';
import type { Labels } from './snapshot.js';
import { isWellFormed, notWellFormed, show } from './validation.js';

/** What a label value may be given as; numbers and booleans are turned into strings. */
export type LabelValue = string | number | boolean;

/** Label values by name, typed against a metric's label names. */
export type LabelValues<L extends string> = { readonly [K in L]: LabelValue };

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type LastOfUnion<U> = UnionToIntersection<U extends unknown ? () => U : never> extends () => infer R ? R : never;
/** The members of a union as a tuple (in no particular order: only its length is used). */
type UnionToTuple<U, Last = LastOfUnion<U>> = [U] extends [never] ? [] : [...UnionToTuple<Exclude<U, Last>>, Last];

/**
 * The arguments of `labels()` in declared order: one value per label name when the names are
 * literal types (so a missing or extra value does not compile), any number when they are `string`.
 */
export type PositionalLabelValues<L extends string> = string extends L ? LabelValue[] : ValuesFor<UnionToTuple<L>>;

/** One label value for each member of a tuple. */
type ValuesFor<T extends unknown[]> = T extends [unknown, ...infer Rest] ? [LabelValue, ...ValuesFor<Rest>] : [];

/** The arguments of `labels()` by name: none for a metric without labels. */
export type NamedLabelValues<L extends string> = [L] extends [never] ? [] : [values: LabelValues<L>];

/** The label set of a series without labels. */
export const NO_LABELS: Labels = labelSet([], []);

/** Turns one given label value into its string, or throws naming the metric, label and value. */
export function labelValueToString(metric: string, label: string, value: unknown): string {
  if (typeof value === 'string') {
    if (isWellFormed(value)) return value;
    throw notWellFormed(`Metric ${metric}: label ${show(label)}`, value);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TypeError(`Metric ${metric}: label ${show(label)} must be a string, number or boolean, got ${show(value)}`);
}

/** Whether `labels()`'s arguments are one object of values by name. */
function isByName(args: readonly unknown[]): boolean {
  const first = args[0];
  return args.length === 1 && typeof first === 'object' && first !== null && !Array.isArray(first);
}

/**
 * Makes series label sets from label values given positionally or as an object, validating
 * count, names, value types and well-formed strings. It runs only when a series is made (or a
 * lookup misses), never on a lookup that finds its series.
 */
export class LabelSetBuilder {
  readonly names: readonly string[];

  constructor(
    private readonly metric: string,
    names: readonly string[],
  ) {
    // A copy: the metric's labelNames is frozen, and V8 reads frozen arrays on a slower path.
    this.names = [...names];
  }

  /** The values in declared order, validated and as strings, from either calling form. */
  values(args: readonly unknown[]): string[] {
    const names = this.names;
    if (isByName(args)) {
      const given = args[0] as Readonly<Record<string, unknown>>;
      const values = names.map((name) => {
        const value = given[name];
        if (value === undefined) {
          throw new TypeError(
            `Metric ${this.metric}: missing label ${show(name)} in ${show(given)}; expected [${names.join(', ')}]`,
          );
        }
        return labelValueToString(this.metric, name, value);
      });
      let count = 0;
      for (const _ in given) count++;
      if (count !== names.length) {
        const extra = Object.keys(given).filter((k) => !names.includes(k));
        throw new TypeError(
          `Metric ${this.metric}: unknown label(s) [${extra.join(', ')}]; expected [${names.join(', ')}]`,
        );
      }
      return values;
    }
    if (args.length !== names.length) {
      throw new TypeError(
        `Metric ${this.metric}: expected ${names.length} label value(s) for [${names.join(', ')}], got ${args.length}: ${show(args)}`,
      );
    }
    return names.map((name, i) => labelValueToString(this.metric, name, args[i]));
  }

  /** The label set of validated values in declared order. */
  labelSet(values: readonly string[]): Labels {
    return values.length === 0 ? NO_LABELS : labelSet(this.names, values);
  }
}

/** A level of the series index: label value -> next level, or -> child at the last level. */
type IndexLevel<C> = Map<string, IndexLevel<C> | C>;

/**
 * A metric's children, found by their label values without building a string: one Map per
 * label, keyed by the value as given (V8 caches a string's hash in the string, so a lookup with
 * the same or a constant string hashes nothing), the last level holding the children. A miss
 * falls back to {@link LabelSetBuilder}, which validates the values and makes the label set
 * once, when the series is created. Iterates depth first: series are grouped by their first
 * label value.
 */
export class SeriesIndex<C> {
  private readonly root: IndexLevel<C> = new Map();
  private readonly depth: number;
  /** The only child of a metric without labels. */
  private unlabeled: C | undefined;

  constructor(private readonly keys: LabelSetBuilder) {
    this.depth = keys.names.length;
  }

  /** The child for `labels()`'s arguments, made by `create(labels)` if there is none yet. */
  get(args: readonly unknown[], create: (labels: Labels) => C): C {
    const first = args[0];
    const found =
      args.length === 1 && typeof first === 'object' && first !== null && !Array.isArray(first)
        ? this.findByObject(first as Readonly<Record<string, unknown>>)
        : this.findPositional(args);
    return found ?? this.insert(args, create);
  }

  /** The child for `labels()`'s arguments, or undefined; throws on invalid label values. */
  find(args: readonly unknown[]): C | undefined {
    const first = args[0];
    const found =
      args.length === 1 && typeof first === 'object' && first !== null && !Array.isArray(first)
        ? this.findByObject(first as Readonly<Record<string, unknown>>)
        : this.findPositional(args);
    if (found !== undefined) return found;
    // Validates (throws what labels() would), then looks again with the values as strings.
    return this.walk(this.keys.values(args), false) as C | undefined;
  }

  private findPositional(args: readonly unknown[]): C | undefined {
    const depth = this.depth;
    if (args.length !== depth) return undefined;
    if (depth === 0) return this.unlabeled;
    let level: IndexLevel<C> | C | undefined = this.root;
    for (let i = 0; i < depth; i++) {
      const value = args[i];
      level = (level as IndexLevel<C>).get(
        typeof value === 'string' ? value : typeof value === 'number' ? String(value) : (value as string),
      );
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
      level = (level as IndexLevel<C>).get(
        typeof value === 'string' ? value : typeof value === 'number' ? String(value) : (value as string),
      );
      if (level === undefined) return undefined;
    }
    return level as C;
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

  private insert(args: readonly unknown[], create: (labels: Labels) => C): C {
    const values = this.keys.values(args); // validates, throws on bad label values
    if (this.depth === 0) return (this.unlabeled ??= create(NO_LABELS));
    const last = this.walk(values, true) as IndexLevel<C>;
    const leaf = values[values.length - 1]!;
    let child = last.get(leaf) as C | undefined;
    if (child === undefined) {
      child = create(this.keys.labelSet(values));
      last.set(leaf, child);
    }
    return child;
  }

  /** Removes the series of `labels()`'s arguments; returns it, or undefined when there was none. */
  delete(args: readonly unknown[]): C | undefined {
    const child = this.find(args);
    if (child === undefined) return undefined;
    const values = this.keys.values(args);
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
