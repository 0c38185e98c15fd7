/** The `?name[]=` filter of a scrape, as Python's client offers it. */
import type { MetricFamily } from '../snapshot.js';

/** The names asked for with `name[]` in a request URL; empty when there is no filter. */
export function requestedNames(url: string | undefined): ReadonlySet<string> {
  const query = url === undefined ? -1 : url.indexOf('?');
  if (query < 0) return new Set();
  return new Set(new URLSearchParams(url!.slice(query + 1)).getAll('name[]'));
}

/**
 * Keeps the families asked for: a family named in `names` whole; otherwise only its samples
 * whose names are in `names` (as Python's client, so `name[]=foo_count` gives one sample), and
 * the family not at all when none are.
 */
export function filterFamilies(families: readonly MetricFamily[], names: ReadonlySet<string>): readonly MetricFamily[] {
  if (names.size === 0) return families;
  const kept: MetricFamily[] = [];
  for (const family of families) {
    if (names.has(family.name)) {
      kept.push(family);
      continue;
    }
    const samples = family.samples.filter((sample) => names.has(sample.name));
    // A new family of plain samples: not a spread, which would keep a histogram's rows (all of them).
    if (samples.length > 0) kept.push({ name: family.name, help: family.help, type: family.type, unit: family.unit, samples });
  }
  return kept;
}
