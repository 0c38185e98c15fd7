/**
 * The comparison behind `expectMetrics`: expected samples against collected ones, by name, label
 * set and value (numbers, not text), and the failure report a test runner shows as a diff.
 */
import { AssertionError } from 'node:assert';
import { formatBound, parseBound } from '../bounds.js';
import { formatValue } from '../exposition/numbers.js';
import { escapeLabelValue } from '../exposition/tokens.js';
import type { Labels, MetricFamily, Sample } from '../snapshot.js';
import type { ExpectedSample } from './parse-text.js';

/** Labels whose values are numbers: written `1`, `1.0` or `1e0`, they name the same bucket or quantile. */
const NUMERIC_LABELS = new Set(['le', 'quantile']);

/** An `le` or `quantile` value in the canonical form the exposition writes; other values as they are. */
function canonicalLabelValue(name: string, value: string): string {
  if (!NUMERIC_LABELS.has(name)) return value;
  const bound = parseBound(value);
  return bound === bound ? formatBound(bound) : value;
}

/** A sample's identity: its name and its label set, in an order-free and collision-free form. */
export function sampleKey(name: string, labels: Labels): string {
  const pairs = Object.keys(labels)
    .sort()
    .map((label) => [label, canonicalLabelValue(label, labels[label]!)]);
  return JSON.stringify([name, pairs]);
}

/** Whether two sample values are equal as numbers (NaN equals NaN; 0 equals -0). */
export function sameValue(a: number, b: number): boolean {
  return a === b || (a !== a && b !== b);
}

/** A sample as a text line: `name{a="x"} value`, labels in the order given. */
export function sampleLine(name: string, labels: Labels, value: number, timestamp?: number): string {
  const pairs = Object.keys(labels).map((label) => `${label}="${escapeLabelValue(labels[label]!)}"`);
  const head = pairs.length === 0 ? name : `${name}{${pairs.join(',')}}`;
  return `${head} ${formatValue(value)}${timestamp === undefined ? '' : ` ${timestamp}`}`;
}

/** The collected samples whose names are among `names`, by {@link sampleKey}. */
function indexSamples(families: readonly MetricFamily[], names: ReadonlySet<string>): Map<string, Sample> {
  const index = new Map<string, Sample>();
  for (const family of families) {
    // Every sample name starts with its family's name: the others cannot hold a wanted sample.
    let wanted = false;
    for (const name of names) if (name.startsWith(family.name)) wanted = true;
    if (!wanted) continue;
    for (const sample of family.samples) {
      if (names.has(sample.name)) index.set(sampleKey(sample.name, sample.labels), sample);
    }
  }
  return index;
}

/** Up to three collected samples of the same name, to show beside a missing one. */
function sameNamed(index: Map<string, Sample>, name: string): Sample[] {
  const found: Sample[] = [];
  for (const sample of index.values()) {
    if (sample.name === name) found.push(sample);
    if (found.length === 3) break;
  }
  return found;
}

/**
 * Checks that every expected sample was collected with its value (and its timestamp, when the
 * expected line gives one).
 *
 * @throws AssertionError listing each missing or different sample; its `expected` holds the
 * expected lines and its `actual` the same lines as collected (a missing one left out), so a
 * runner's diff shows just what differs.
 */
export function assertSamples(
  caller: string,
  expected: readonly ExpectedSample[],
  families: readonly MetricFamily[],
): void {
  const index = indexSamples(families, new Set(expected.map((sample) => sample.name)));
  const problems: string[] = [];
  const expectedLines: string[] = [];
  const actualLines: string[] = [];
  for (const want of expected) {
    const wantLine = sampleLine(want.name, want.labels, want.value, want.timestamp);
    expectedLines.push(wantLine);
    const got = index.get(sampleKey(want.name, want.labels));
    if (got === undefined) {
      const others = sameNamed(index, want.name).map((s) => sampleLine(s.name, s.labels, s.value));
      const hint = others.length === 0 ? 'no sample of that name' : `samples of that name: ${others.join('; ')}`;
      problems.push(`missing (line ${want.line}): ${wantLine} (${hint})`);
      continue;
    }
    const timestamp = want.timestamp === undefined ? undefined : got.timestamp;
    const gotLine = sampleLine(want.name, want.labels, got.value, timestamp);
    actualLines.push(gotLine);
    const valueDiffers = !sameValue(want.value, got.value);
    if (valueDiffers || (want.timestamp !== undefined && want.timestamp !== got.timestamp)) {
      problems.push(`different (line ${want.line}): expected ${wantLine}, got ${gotLine}`);
    }
  }
  if (problems.length === 0) return;
  const summary = `${caller}: ${problems.length} of ${expected.length} expected samples not matched:`;
  throw new AssertionError({
    message: `${summary}\n  ${problems.join('\n  ')}`,
    expected: `${expectedLines.join('\n')}\n`,
    actual: `${actualLines.join('\n')}\n`,
    operator: caller,
  });
}
