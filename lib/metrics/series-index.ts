/**
 * A metric's children by label values, and each series' label set by slot.
 *
 * Children are found through one Map per label level, keyed by the values as given (V8 caches a
 * string's hash in the string, so a lookup with the same or a constant string hashes nothing).
 * A prefix of values that only one series has ends in that child itself rather than in a Map per
 * remaining level: with a label unique to each series (a user id), a Map per series would weigh
 * more than the series. Such a child's remaining values are read from its slot's entry.
 *
 * A series' label set is not made with the series. Until a walk needs it (a scrape, a report),
 * the slot keeps only what lookups need: the values below the first level, which are the Maps'
 * own key strings. The first walk that needs label sets makes and keeps them all (the exposition
 * keeps what it renders of them), and from then on a new series gets its label set when made.
 */
import type { LabelSetBuilder } from '../labels.js';
import { NO_LABELS } from '../labels.js';
import type { Labels } from '../snapshot.js';
import { DETACHED, detach, type Series, slotOf } from './series.js';

/** A level of the index: label value -> next level, or -> a child (at the last level, or alone under its prefix). */
type Level<C> = Map<string, Level<C> | C>;

/**
 * What a slot keeps besides its child: the series' label set once made; before that, its values
 * below the first level (the last value for two labels, all values for more).
 */
type SlotEntry = Labels | string | readonly string[] | undefined;

/**
 * What a metric with a series limit puts in front of new series (see series-guard.ts). It is asked
 * only on the way to making a series, never on a lookup that finds one.
 */
export interface SeriesAdmission<C> {
  /** How many series may exist before {@link overflow} is asked; Infinity when there is no limit. */
  readonly limit: number;
  /** For a label set that would be a new series at or past the limit: the child to give instead, or undefined. */
  overflow(values: readonly string[]): C | undefined;
}

/** The key a given label value is looked up by (as labels() would turn it into a string). */
function keyOf(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : (value as string);
}

function isLabelSet(entry: SlotEntry): entry is Labels {
  return typeof entry === 'object' && !Array.isArray(entry);
}

export class SeriesIndex<C extends Series> {
  private readonly root: Level<C> = new Map();
  private readonly depth: number;
  private readonly names: readonly string[];
  /** The only child of a metric without labels. */
  private unlabeled: C | undefined;
  /** Per slot: see {@link SlotEntry}. */
  private entries: SlotEntry[] = [];
  /** Slots of removed series, to give out again. */
  private free: number[] = [];
  /** Whether a new series gets its label set when made (once a walk has wanted label sets). */
  private eager = false;
  #size = 0;
  /** Set by a metric with a series limit. */
  admission: SeriesAdmission<C> | undefined;
  /** How many series have no label set yet: while none, a walk needs no values from the Maps' keys. */
  #withoutLabelSet = 0;

  constructor(private readonly keys: LabelSetBuilder) {
    this.names = keys.names;
    this.depth = keys.names.length;
  }

  /** How many series there are. */
  get size(): number {
    return this.#size;
  }

  /** The child for `labels()`'s arguments, made by `create(slot)` if there is none yet. */
  get(args: readonly unknown[], create: (slot: number) => C): C {
    const first = args[0];
    const found =
      args.length === 1 && typeof first === 'object' && first !== null && !Array.isArray(first)
        ? this.findByName(first as Readonly<Record<string, unknown>>)
        : this.findPositional(args);
    return found ?? this.insert(this.keys.values(args), create);
  }

  /** Whether validated label values (strings, in declared order) have a series. */
  has(values: readonly string[]): boolean {
    return this.findPositional(values) !== undefined;
  }

  /** The child for `labels()`'s arguments, or undefined; throws on invalid label values. */
  find(args: readonly unknown[]): C | undefined {
    const first = args[0];
    const found =
      args.length === 1 && typeof first === 'object' && first !== null && !Array.isArray(first)
        ? this.findByName(first as Readonly<Record<string, unknown>>)
        : this.findPositional(args);
    // Else validates (throws what labels() would) and looks again with the values as strings.
    return found ?? this.findPositional(this.keys.values(args));
  }

  private findPositional(args: readonly unknown[]): C | undefined {
    const depth = this.depth;
    if (args.length !== depth) return undefined;
    if (depth === 2) {
      // The common case, without the loop: a Map per level or a child alone under its first value.
      const next = this.root.get(keyOf(args[0]));
      if (next === undefined) return undefined;
      if (next instanceof Map) return next.get(keyOf(args[1])) as C | undefined;
      return this.secondValue(next) === keyOf(args[1]) ? next : undefined;
    }
    if (depth === 0) return this.unlabeled;
    let level = this.root;
    for (let i = 0; i < depth; i++) {
      const next = level.get(keyOf(args[i]));
      if (next === undefined || i === depth - 1) return next as C | undefined;
      if (!(next instanceof Map)) return this.restIsPositional(next, i + 1, args) ? next : undefined;
      level = next;
    }
    return undefined;
  }

  private findByName(values: Readonly<Record<string, unknown>>): C | undefined {
    const names = this.names;
    const depth = this.depth;
    let given = 0;
    for (const _ in values) given++;
    if (given !== depth || depth === 0) return undefined;
    if (depth === 2) {
      const next = this.root.get(keyOf(values[names[0]!]));
      if (next === undefined) return undefined;
      if (next instanceof Map) return next.get(keyOf(values[names[1]!])) as C | undefined;
      return this.secondValue(next) === keyOf(values[names[1]!]) ? next : undefined;
    }
    let level = this.root;
    for (let i = 0; i < depth; i++) {
      const next = level.get(keyOf(values[names[i]!]));
      if (next === undefined || i === depth - 1) return next as C | undefined;
      if (!(next instanceof Map)) return this.restIsByName(next, i + 1, values) ? next : undefined;
      level = next;
    }
    return undefined;
  }

  /** Whether a child alone under a prefix has `args`' values from level `from` on. */
  private restIsPositional(child: C, from: number, args: readonly unknown[]): boolean {
    for (let j = from; j < this.depth; j++) if (this.valueOf(child, j) !== keyOf(args[j])) return false;
    return true;
  }

  private restIsByName(child: C, from: number, values: Readonly<Record<string, unknown>>): boolean {
    for (let j = from; j < this.depth; j++) {
      if (this.valueOf(child, j) !== keyOf(values[this.names[j]!])) return false;
    }
    return true;
  }

  /** The second value of a child of a two-label index, from its slot's entry. */
  private secondValue(child: C): string {
    const entry = this.entries[slotOf(child)];
    return typeof entry === 'string' ? entry : (entry as Labels)[this.names[1]!]!;
  }

  /** A child's value at `level` (> 0), from its slot's entry. */
  private valueOf(child: C, level: number): string {
    const entry = this.entries[slotOf(child)];
    if (typeof entry === 'string') return entry;
    if (Array.isArray(entry)) return (entry as readonly string[])[level]!;
    return (entry as Labels)[this.names[level]!]!;
  }

  /** The child of validated `values`: found (a lookup misses values given as numbers or booleans) or made. */
  private insert(values: readonly string[], create: (slot: number) => C): C {
    const depth = this.depth;
    if (depth === 0) return (this.unlabeled ??= this.make(values, create));
    const admission = this.admission;
    if (admission !== undefined && this.#size >= admission.limit) {
      // Values given as numbers missed the lookup but may name a series: only a new one is refused.
      const instead = this.findPositional(values) ?? admission.overflow(values);
      if (instead !== undefined) return instead;
    }
    let level = this.root;
    for (let i = 0; i < depth - 1; i++) {
      const next = level.get(values[i]!);
      if (next === undefined) {
        const child = this.make(values, create);
        level.set(values[i]!, child);
        return child;
      }
      if (next instanceof Map) {
        level = next;
        continue;
      }
      if (this.restIsPositional(next, i + 1, values)) return next;
      // Another series shares this prefix: the one alone here moves one level down (under the
      // same key string its entry holds, so no string is copied).
      const below: Level<C> = new Map();
      below.set(this.valueOf(next, i + 1), next);
      level.set(values[i]!, below);
      level = below;
    }
    const last = values[depth - 1]!;
    let child = level.get(last) as C | undefined;
    if (child === undefined) {
      child = this.make(values, create);
      level.set(last, child);
    }
    return child;
  }

  private make(values: readonly string[], create: (slot: number) => C): C {
    const slot = this.free.pop() ?? this.entries.length;
    const child = create(slot);
    this.#size++;
    const depth = this.depth;
    if (this.eager) {
      this.entries[slot] = this.keys.labelSet(values);
    } else {
      this.entries[slot] = depth <= 1 ? undefined : depth === 2 ? values[1] : values;
      this.#withoutLabelSet++;
    }
    return child;
  }

  /** The label set of a held child (made, and kept, if it was not yet); an empty one for a removed child. */
  labelsOf(child: C): Labels {
    const slot = slotOf(child);
    if (this.depth === 0 || slot === DETACHED) return NO_LABELS;
    const entry = this.entries[slot];
    if (isLabelSet(entry)) return entry;
    // Only a walk knows the values the Maps hold: every missing label set is made at once.
    this.forEach(() => {});
    return this.entries[slot] as Labels;
  }

  /** Removes the series of `labels()`'s arguments; returns its child, now detached, or undefined. */
  delete(args: readonly unknown[]): C | undefined {
    const child = this.find(args);
    if (child === undefined) return undefined;
    const values = this.keys.values(args);
    const path: Level<C>[] = [this.root];
    let i = 0;
    for (; i < values.length - 1; i++) {
      const next = path[i]!.get(values[i]!);
      if (!(next instanceof Map)) break;
      path.push(next);
    }
    path[i]!.delete(values[i]!);
    // Prune levels left empty, so removed label values do not keep Maps alive.
    for (let k = i; k > 0 && path[k]!.size === 0; k--) path[k - 1]!.delete(values[k - 1]!);
    if (!isLabelSet(this.entries[slotOf(child)])) this.#withoutLabelSet--;
    this.entries[slotOf(child)] = undefined;
    this.free.push(slotOf(child));
    detach(child);
    this.#size--;
    return child;
  }

  /** Removes every labeled series, detaching their children. */
  clear(): void {
    this.forEachChild(detach);
    this.root.clear();
    this.entries = [];
    this.free = [];
    this.unlabeled = undefined;
    this.#size = 0;
    this.#withoutLabelSet = 0;
  }

  /**
   * Calls `f` with every child and its label set (made and kept where it was not yet), grouped by
   * their first label value, in the order the series were made within a group.
   */
  forEach(f: (child: C, labels: Labels) => void): void {
    const depth = this.depth;
    if (depth === 0) {
      if (this.unlabeled !== undefined) f(this.unlabeled, NO_LABELS);
      return;
    }
    this.eager = true;
    if (this.#withoutLabelSet === 0) {
      // Every series has its label set (the common case from the second scrape on).
      const entries = this.entries;
      const visitKept = (level: Level<C>, remaining: number): void => {
        for (const next of level.values()) {
          if (remaining > 1 && next instanceof Map) visitKept(next, remaining - 1);
          else f(next as C, entries[slotOf(next as C)] as Labels);
        }
      };
      visitKept(this.root, depth);
      return;
    }
    const values = new Array<string>(depth);
    const visit = (level: Level<C>, i: number): void => {
      level.forEach((next, value) => {
        values[i] = value;
        if (i < depth - 1 && next instanceof Map) visit(next, i + 1);
        else f(next as C, this.labelSetOf(next as C, values, i + 1));
      });
    };
    visit(this.root, 0);
  }

  /** The kept label set of a child reached through `count` levels of `values`, made if it was not yet. */
  private labelSetOf(child: C, values: string[], count: number): Labels {
    const slot = slotOf(child);
    const entry = this.entries[slot];
    if (isLabelSet(entry)) return entry;
    for (let j = count; j < this.depth; j++) values[j] = this.valueOf(child, j);
    const labels = this.keys.labelSet(values);
    this.entries[slot] = labels;
    this.#withoutLabelSet--;
    return labels;
  }

  /** Calls `f` with every child, making no label set. */
  forEachChild(f: (child: C) => void): void {
    if (this.depth === 0) {
      if (this.unlabeled !== undefined) f(this.unlabeled);
      return;
    }
    const visit = (level: Level<C>, remaining: number): void => {
      level.forEach((next) => {
        if (remaining > 1 && next instanceof Map) visit(next, remaining - 1);
        else f(next as C);
      });
    };
    visit(this.root, this.depth);
  }

  /** Calls `f` with every child's label values in declared order (an array reused between calls), making no label set. */
  forEachValues(f: (child: C, values: readonly string[]) => void): void {
    const depth = this.depth;
    if (depth === 0) {
      if (this.unlabeled !== undefined) f(this.unlabeled, []);
      return;
    }
    const values = new Array<string>(depth);
    const visit = (level: Level<C>, i: number): void => {
      level.forEach((next, value) => {
        values[i] = value;
        if (i < depth - 1 && next instanceof Map) visit(next, i + 1);
        else {
          for (let j = i + 1; j < depth; j++) values[j] = this.valueOf(next as C, j);
          f(next as C, values);
        }
      });
    };
    visit(this.root, 0);
  }

  /** Every child (as Map.prototype.values() does, for code written against a Map of children). */
  values(): IterableIterator<C> {
    return this[Symbol.iterator]();
  }

  *[Symbol.iterator](): IterableIterator<C> {
    const all: C[] = [];
    this.forEachChild((child) => all.push(child));
    yield* all;
  }
}
