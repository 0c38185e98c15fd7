/**
 * Label values and label sets: validating the values `labels()` is given, and making a series'
 * label set, a frozen object of values by name in declared order (metrics/series-index.ts finds
 * children by their values and keeps their label sets). Values must be well-formed UTF-16: two
 * values differing only in lone surrogates would otherwise be one series on the wire (both
 * encode to U+FFFD).
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
 * Validates label values given positionally or as an object (count, names, value types,
 * well-formed strings) when a series is made or a lookup misses, never on a lookup that finds its
 * series; and makes label sets of validated values, when the series index needs them.
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
