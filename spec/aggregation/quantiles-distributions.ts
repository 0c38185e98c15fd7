/**
 * The four distributions the quantile specs feed their workers, from a seeded generator: the
 * workers draw them, and the spec draws them again to know every observation exactly; and how
 * the specs compare quantiles with the exact ones.
 */
import { seededRandom } from '../support/seeded-random.js';

export const DISTRIBUTIONS = ['uniform', 'exponential', 'normal', 'lognormal'] as const;
export type Distribution = (typeof DISTRIBUTIONS)[number];

/** The seed of worker `i`'s distribution. */
export const seedOf = (i: number): number => 1_000 + i;

/** How many observations each worker makes. */
export const PER_WORKER = 50_000;

/** The percentiles the summaries expose. */
export const PERCENTILES: readonly number[] = [0.01, 0.1, 0.5, 0.9, 0.99];

/**
 * `count` observations of a distribution, the same for the same seed: uniform on [0, 1),
 * exponential of rate 1, normal of mean 100 and deviation 10, log-normal of mu 0 and sigma 1.
 */
export function draw(distribution: Distribution, seed: number, count: number): Float64Array {
  const next = seededRandom(seed);
  // Box-Muller; 1 - next() is in (0, 1], so the logarithm is finite.
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    switch (distribution) {
      case 'uniform':
        values[i] = next();
        break;
      case 'exponential':
        values[i] = -Math.log(1 - next());
        break;
      case 'normal':
        values[i] = 100 + 10 * gaussian();
        break;
      case 'lognormal':
        values[i] = Math.exp(gaussian());
        break;
    }
  }
  return values;
}

/** The observation at rank `q * (n - 1)` of sorted values (the rank the sketch's error is stated at). */
export function exactQuantile(sorted: Float64Array, q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

/** The quantile samples of summary `name` in a text exposition, by quantile. */
export function quantilesIn(body: string, name: string): Map<number, number> {
  const found = new Map<number, number>();
  const pattern = new RegExp(`^${name}\\{(?:[^}]*,)?quantile="([^"]+)"[^}]*\\} (\\S+)$`, 'gm');
  for (const match of body.matchAll(pattern)) found.set(Number(match[1]), Number(match[2]));
  return found;
}

/** Every observation of the four workers (worker i draws DISTRIBUTIONS[i] from seedOf(i)), sorted. */
export function allObservations(perWorker: number): Float64Array {
  const all = new Float64Array(DISTRIBUTIONS.length * perWorker);
  DISTRIBUTIONS.forEach((distribution, i) => all.set(draw(distribution, seedOf(i), perWorker), i * perWorker));
  return all.sort();
}

export interface QuantileRow {
  readonly q: number;
  readonly exact: number;
  readonly answered: number;
  readonly relativeError: number;
}

/** Each percentile's answer against the exact observation at its rank in `sorted`. */
export function compareQuantiles(sorted: Float64Array, answered: ReadonlyMap<number, number>): QuantileRow[] {
  return PERCENTILES.map((q) => {
    const exact = exactQuantile(sorted, q);
    const value = answered.get(q) ?? NaN;
    return { q, exact, answered: value, relativeError: Math.abs(value - exact) / Math.abs(exact) };
  });
}

/** What prom-client's cluster aggregation answers for a summary's quantiles: the workers' own ones added up. */
export function summedQuantiles(own: ReadonlyArray<ReadonlyMap<number, number>>): Map<number, number> {
  return new Map(PERCENTILES.map((q) => [q, own.reduce((total, quantiles) => total + (quantiles.get(q) ?? NaN), 0)]));
}

export function describeRows(rows: readonly QuantileRow[]): string {
  return rows
    .map(
      (r) =>
        `      q=${r.q}: true ${r.exact.toPrecision(6)}, answered ${r.answered.toPrecision(6)}, ` +
        `relative error ${(100 * r.relativeError).toFixed(3)}%`,
    )
    .join('\n');
}
