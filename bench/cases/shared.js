/** Inputs every library gets identically: observed values, bucket bounds, label values, sizes. */

/** The 11 bucket bounds of prom-client's default (and the "11 buckets"). */
export const BUCKETS = Object.freeze([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);

export const METHODS = Object.freeze(['GET', 'POST', 'PUT', 'DELETE']);

/**
 * 1024 latencies in seconds, log-uniform over 2.5 ms .. 12 s (so every bucket is hit and the
 * bucket search cannot be predicted), from a fixed-seed generator: the same for every library.
 */
export const VALUES = (() => {
  const values = new Float64Array(1024);
  let seed = 0x2545f491;
  for (let i = 0; i < values.length; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    values[i] = Math.exp(-6 + (seed / 2 ** 32) * 8.5);
  }
  return values;
})();

/** Sizes of the serialization and heap cases; smoke mode shrinks them to run in milliseconds. */
export function sizes(smoke) {
  return smoke
    ? {
        counterMetrics: 10,
        counterSeries: 100,
        histogramMetrics: 2,
        histogramSeries: 100,
        heapCounters: 2000,
        heapHistograms: 1000,
        clusterWorkers: 2,
        clusterSeries: 100,
        load: { pingEveryMs: 2, baselineMs: 200, warmupScrapes: 1, scrapes: 2 },
      }
    : {
        counterMetrics: 100,
        counterSeries: 1000,
        histogramMetrics: 10,
        histogramSeries: 1000,
        heapCounters: 50000,
        heapHistograms: 20000,
        clusterWorkers: 4,
        clusterSeries: 10000,
        load: { pingEveryMs: 2, baselineMs: 2000, warmupScrapes: 1, scrapes: 10 },
      };
}

/** The label values of series j of a metric: 4 methods x 250 routes per 1000 series. */
export function routeOf(j) {
  return `/api/v1/resource/${j >> 2}`;
}

/** Series per family in the scaling cases (as in the scrape cases), so N series are N / 1000 families. */
export const SCALING_FAMILY_SERIES = 1000;

/**
 * The label layouts of the scaling table, each value a fresh string built per series (as request
 * data would be), never a shared constant. `values(g)`: the label values of series g of the registry.
 *   A: method x route, 4 methods x 250 routes per family (the other cases' layout; a method is one of
 *      4 constants, as `req.method` is, the route a fresh string);
 *   B: two values unique to each series, a user id and a session id.
 */
export const LAYOUTS = Object.freeze({
  A: {
    title: '`method` (4 constants, as `req.method` is) × `route` (a fresh string per series)',
    labelNames: ['method', 'route'],
    values: (g) => [METHODS[g & 3], routeOf(g % SCALING_FAMILY_SERIES)],
  },
  B: {
    title: '`user_id` × `session_id` (fresh strings unique to each series)',
    labelNames: ['user_id', 'session_id'],
    values: (g) => [`u${100000 + g}`, `s${(Math.imul(g + 1, 0x9e3779b1) >>> 0).toString(16)}`],
  },
});

/** The smoke run's stand-in for every scaling size (the 1M rows are skipped there). */
export const SCALING_SMOKE_SERIES = 300;

/** Keeps results alive so the optimizing compiler cannot drop the work that made them. */
export const sink = { value: 0 };
