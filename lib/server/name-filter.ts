/** The `?name[]=` filter of a scrape, as Python's client offers it, keeping every family valid. */
import type { MetricFamily } from '../snapshot.js';

/** The names asked for with `name[]` in a request URL; empty when there is no filter. */
export function requestedNames(url: string | undefined): ReadonlySet<string> {
  const query = url === undefined ? -1 : url.indexOf('?');
  if (query < 0) return new Set();
  return new Set(new URLSearchParams(url!.slice(query + 1)).getAll('name[]'));
}

/**
 * Whether a filter by sample name selects a histogram: then it is kept whole, because
 * OpenMetrics has no histogram point without its +Inf bucket and no `_count` without `_sum`
 * (Python's client gives `name[]=foo_count` alone, which its own OpenMetrics parser refuses).
 * As for other types, only a sample name the family has selects it.
 */
function selectsHistogram(family: MetricFamily, names: ReadonlySet<string>): boolean {
  if (family.histogram === undefined) return family.samples.some((sample) => names.has(sample.name));
  const { name } = family;
  const { rows } = family.histogram;
  // Every row has buckets, _count and _sum; _created only when the registry collects it.
  if (rows.length === 0) return false;
  if (names.has(`${name}_bucket`) || names.has(`${name}_count`) || names.has(`${name}_sum`)) return true;
  return names.has(`${name}_created`) && rows[0]!.created !== undefined;
}

/**
 * Keeps the families asked for: a family named in `names` whole; otherwise only its samples
 * whose names are in `names` (as Python's client, so `name[]=foo_count` of a summary gives its
 * `_count` samples), and the family not at all when none are. Two exceptions keep the body
 * valid OpenMetrics: a histogram is kept whole (see {@link selectsHistogram}), and a counter's
 * `_created` brings its `_total` along (a counter point must have its total).
 */
export function filterFamilies(families: readonly MetricFamily[], names: ReadonlySet<string>): readonly MetricFamily[] {
  if (names.size === 0) return families;
  const kept: MetricFamily[] = [];
  for (const family of families) {
    if (names.has(family.name) || (family.type === 'histogram' && selectsHistogram(family, names))) {
      kept.push(family);
      continue;
    }
    if (family.type === 'histogram') continue;
    const total = family.type === 'counter' && names.has(`${family.name}_created`) ? `${family.name}_total` : undefined;
    const samples = family.samples.filter((sample) => names.has(sample.name) || sample.name === total);
    // A new family of plain samples, keeping only the fields of a MetricFamily.
    if (samples.some((sample) => names.has(sample.name))) {
      kept.push({ name: family.name, help: family.help, type: family.type, unit: family.unit, samples });
    }
  }
  return kept;
}
