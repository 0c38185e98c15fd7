/**
 * What differs between the libraries in the cluster cases, each side written the way that library's
 * documentation shows: how the primary aggregates and scrapes, and what a worker declares.
 * The harness (primary.js, worker.js) is the same for both.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The family every worker fills: one label, `series` values, each series inc'ed once. */
export const FAMILY = 'cluster_requests_total';
/** The family whose bound child the inc case times (two labels, as the single-process counter.bound). */
export const BOUND_FAMILY = 'cluster_bound_requests_total';

/** Label values differ per worker, so the primary shows workers x series distinct series. */
export const keyOf = (worker, j) => `w${worker}_${j}`;
/** Each series is inc'ed once, by an amount that varies, so a check of the sum catches lost series. */
export const amountOf = (j) => (j % 97) + 1;

/** The same import the single-process cases use, so a PROMETRIC_ENTRY build is benchmarked throughout. */
async function importPrometric() {
  return import(process.env.PROMETRIC_ENTRY || 'prometric');
}

/** The primary's side: starts aggregating (before any fork) and says how to scrape it. */
export async function primarySide(lib) {
  if (lib === 'prometric') {
    const M = await importPrometric();
    if (typeof M.aggregateClusterMetrics !== 'function') return { skip: 'aggregateClusterMetrics is not exported yet' };
    const aggregation = M.aggregateClusterMetrics();
    return {
      scrape: () => M.defaultRegistry.metrics(),
      stop: () => aggregation.stop(),
    };
  }
  if (lib === 'prom-client') {
    const { AggregatorRegistry } = require('prom-client');
    const registry = new AggregatorRegistry();
    return { scrape: () => registry.clusterMetrics(), stop: () => {} };
  }
  throw new Error(`no cluster side for ${lib}`);
}

/**
 * A worker's side: declares the series on the library's default registry (the one the primary
 * aggregates) and returns the bound child to time.
 */
export async function workerSide(lib, { worker, series }) {
  if (lib === 'prometric') {
    // No aggregation code in a worker: the primary's aggregateClusterMetrics() told it through the environment.
    const M = await importPrometric();
    const family = new M.Counter({ name: FAMILY, help: 'Requests per key.', labelNames: ['key'] });
    for (let j = 0; j < series; j++) family.labels(keyOf(worker, j)).inc(amountOf(j));
    const bound = new M.Counter({ name: BOUND_FAMILY, help: 'Requests.', labelNames: ['method', 'status'] });
    return { child: bound.labels('GET', '200') };
  }
  if (lib === 'prom-client') {
    const M = require('prom-client');
    // Its workers answer the primary's requests only once an AggregatorRegistry exists in them (its example/cluster.js).
    new M.AggregatorRegistry();
    const family = new M.Counter({ name: FAMILY, help: 'Requests per key.', labelNames: ['key'] });
    for (let j = 0; j < series; j++) family.labels(keyOf(worker, j)).inc(amountOf(j));
    const bound = new M.Counter({ name: BOUND_FAMILY, help: 'Requests.', labelNames: ['method', 'status'] });
    return { child: bound.labels('GET', '200') };
  }
  throw new Error(`no cluster side for ${lib}`);
}
