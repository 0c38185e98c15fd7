/**
 * prometric/testing: helpers for tests of an application's metrics. They read a registry's
 * snapshot (`registry.collect()`), the same data every exposition format writes, so they see what
 * a scrape sees: metrics of every type and the families of custom collectors, under the names the
 * exposition gives the samples (`requests_total`, `latency_seconds_bucket` with `le`).
 *
 * Kept out of the main entry: an application that never tests loads none of it.
 */
// The public entry, not registry.ts: the bundled testing entry then reads the main entry's one
// defaultRegistry, and the main entry's bundle stays as it is (package.json "bundle").
import { defaultRegistry } from '../index.js';
import type { Labels, MetricFamily, Sample } from '../snapshot.js';
import { show } from '../validation.js';
import { assertSamples } from './compare.js';
import { parseExpectedText } from './parse-text.js';

/**
 * What the helpers read samples from: a {@link Registry} (any one, the default one included) or
 * anything else whose `collect()` gives metric families as a registry's does.
 */
export interface SampleSource {
  collect(): readonly MetricFamily[] | Promise<readonly MetricFamily[]>;
}

function assertSource(caller: string, argument: string, source: unknown): asserts source is SampleSource {
  const ok = typeof source === 'object' && source !== null && typeof (source as SampleSource).collect === 'function';
  if (!ok)
    throw new TypeError(`${caller}: ${argument} must be a Registry (an object with collect()), got ${show(source)}`);
}

function assertName(caller: string, name: unknown): asserts name is string {
  if (typeof name !== 'string' || name === '') {
    throw new TypeError(`${caller}: name must be a non-empty string, got ${show(name)}`);
  }
}

function assertLabels(caller: string, labels: unknown): asserts labels is Labels {
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) {
    throw new TypeError(`${caller}: labels must be an object of label values by name, got ${show(labels)}`);
  }
  for (const [label, value] of Object.entries(labels)) {
    if (typeof value !== 'string') {
      throw new TypeError(`${caller}: labels.${label} must be a string (as exposed), got ${show(value)}`);
    }
  }
}

/**
 * The value of one sample, by the name the exposition gives it, or `undefined` when no sample
 * has that name and exactly that label set (as client_python's `REGISTRY.get_sample_value`).
 *
 * `labels` must be the sample's full label set, a registry's default labels included; label
 * values are compared as strings, as exposed: a bucket's `le` and a summary's `quantile` are
 * written in canonical form (`'0.5'`, `'1.0'`, `'+Inf'`), so `{ le: '1' }` finds no bucket.
 *
 * @example
 * ```ts
 * expect(await getSampleValue('requests_total', { route: '/' })).to.equal(3);
 * expect(await getSampleValue('latency_seconds_bucket', { le: '+Inf' }, registry)).to.equal(5);
 * ```
 * @param name A sample name: `requests_total`, `latency_seconds_bucket`, `latency_seconds_count`, a gauge's name.
 * @param labels The sample's labels (default: none).
 * @param registry Where to read (default: `defaultRegistry`).
 * @throws TypeError on a bad argument; whatever `registry.collect()` throws (a failing collector).
 */
export async function getSampleValue(
  name: string,
  labels: Labels = {},
  registry: SampleSource = defaultRegistry,
): Promise<number | undefined> {
  assertName('getSampleValue', name);
  assertLabels('getSampleValue', labels);
  assertSource('getSampleValue', 'registry', registry);
  const wanted = Object.keys(labels);
  for (const family of await registry.collect()) {
    if (!name.startsWith(family.name)) continue; // a family's sample names all start with its name
    for (const sample of family.samples) {
      if (sample.name === name && sameLabels(sample.labels, labels, wanted.length)) return sample.value;
    }
  }
  return undefined;
}

/** Whether `actual` has exactly the `count` labels of `wanted`, with the same values. */
function sameLabels(actual: Labels, wanted: Labels, count: number): boolean {
  let seen = 0;
  for (const label in actual) {
    if (actual[label] !== wanted[label]) return false;
    seen++;
  }
  return seen === count;
}

/**
 * The samples of one metric, as collected: when `name` is a family's name (`requests` for a
 * counter exposed as `requests_total`, `latency_seconds` for a histogram), every sample of that
 * family (a histogram's `_bucket`, `_count`, `_sum` and `_created` of every series); otherwise
 * every sample whose own name is `name` (`latency_seconds_bucket`, `requests_total`), whatever
 * its family. An empty array when there is none.
 *
 * @example
 * ```ts
 * const buckets = await getSamples('latency_seconds_bucket', registry);
 * expect(buckets.map((s) => s.labels.le)).to.deep.equal(['0.1', '1.0', '+Inf']);
 * ```
 * @param registry Where to read (default: `defaultRegistry`).
 * @throws TypeError on a bad argument; whatever `registry.collect()` throws.
 */
export async function getSamples(name: string, registry: SampleSource = defaultRegistry): Promise<Sample[]> {
  assertName('getSamples', name);
  assertSource('getSamples', 'registry', registry);
  const families = await registry.collect();
  const family = families.find((f) => f.name === name);
  if (family !== undefined) return [...family.samples];
  const found: Sample[] = [];
  for (const f of families) {
    if (name.startsWith(f.name)) for (const sample of f.samples) if (sample.name === name) found.push(sample);
  }
  return found;
}

/**
 * Asserts that the registry exposes every sample of `expectedText`, with its value. The text is
 * read as the text format 0.0.4 (sample lines `name{label="value"} value [timestamp]`, label values
 * escaped as exposed; `# HELP`, `# TYPE` and blank lines are skipped) and compared sample by sample,
 * not as a string: labels as a set in any order, values as numbers (`1` equals `1.0`, `NaN` equals
 * `NaN`, `+Inf`), `le` and `quantile` as numbers too (`le="1"` is the bucket exposed as
 * `le="1.0"`), a timestamp only where the line gives one. Samples the text does not name are not
 * checked: it is a subset.
 *
 * @example
 * ```ts
 * await expectMetrics(registry, `
 *   requests_total{route="/",code="200"} 2
 *   latency_seconds_bucket{le="+Inf"} 2
 *   latency_seconds_count 2
 * `);
 * ```
 * @throws AssertionError (from `node:assert`) listing every missing or different sample, with
 * `expected` and `actual` set so mocha and other runners show a diff.
 * @throws TypeError for a bad argument or an expected line that is not a sample, naming the line.
 */
export async function expectMetrics(registry: SampleSource, expectedText: string): Promise<void> {
  assertSource('expectMetrics', 'registry', registry);
  if (typeof expectedText !== 'string') {
    throw new TypeError(
      `expectMetrics: expectedText must be a string of text-format samples, got ${show(expectedText)}`,
    );
  }
  const expected = parseExpectedText('expectMetrics', expectedText);
  if (expected.length === 0) {
    throw new TypeError(`expectMetrics: expectedText holds no sample line, got ${show(expectedText)}`);
  }
  assertSamples('expectMetrics', expected, await registry.collect());
}
