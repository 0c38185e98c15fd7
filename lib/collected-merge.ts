/**
 * The families of several registries' collections, exposed as one: each registry's families in
 * order, the registries in order. Two registries that expose one name would make the scraper merge
 * (or reject) their series behind the user's back, so that is an error naming both, never a merge.
 */
import { reservedNames } from './collected-family.js';
import type { MetricFamily } from './snapshot.js';

/** What one registry of a merged view collected, with the words that name it in errors. */
export interface CollectedPart {
  /** `registry #2`, or `registry #2 (payments)` when the registry has a name. */
  readonly source: string;
  readonly families: readonly MetricFamily[];
}

/** How a registry is named in errors: its 1-based position in the merge, and its name when it has one. */
export function partSource(index: number, name: string | undefined): string {
  return name === undefined ? `registry #${index + 1}` : `registry #${index + 1} (${name})`;
}

/**
 * All families of `parts`, in order.
 *
 * @throws Error naming both registries when a family name, or a sample name as some scraper may see
 *   it (`a.b` and `a_b` under `underscores`), is exposed by two of them.
 */
export function mergeCollected(parts: readonly CollectedPart[]): MetricFamily[] {
  const merged: MetricFamily[] = [];
  /** Every name in use so far, to the family and registry that use it. */
  const owners = new Map<string, { family: string; source: string }>();
  for (const { source, families } of parts) {
    for (const family of families) {
      const names = reservedNames(family);
      for (const name of names) {
        const owner = owners.get(name);
        if (owner === undefined) continue;
        if (owner.family === family.name) {
          throw new Error(`metric ${family.name} is exposed by ${owner.source} and ${source}`);
        }
        throw new Error(
          `metric ${family.name} of ${source} and metric ${owner.family} of ${owner.source} both expose the name ${name}`,
        );
      }
      for (const name of names) owners.set(name, { family: family.name, source });
      merged.push(family);
    }
  }
  return merged;
}
