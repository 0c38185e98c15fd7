/**
 * The server under load in load.spec: started there as a child process with `node --expose-gc`,
 * so the heap is measured after real collections and away from the load generator's own heap.
 * Serves a registry of 10,000 series on 127.0.0.1 and answers the parent's IPC messages:
 * `{ port, series, heapBefore }` once listening, `{ heapAfter, heapPeak }` to "heap", and exits on
 * "stop".
 */
import { get } from 'node:http';
import { Counter, Gauge, Registry, exposeMetrics } from '../../lib/index.js';

const SERIES_PER_FAMILY = 5_000;

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined || process.send === undefined)
  throw new Error('load-target: run with node --expose-gc as a child process with IPC');

const registry = new Registry();
const requests = new Counter({
  name: 'load_requests',
  help: 'Requests by route and status',
  labelNames: ['route', 'status'],
  registry,
});
const inFlight = new Gauge({
  name: 'load_in_flight',
  help: 'Requests in flight by route and worker',
  labelNames: ['route', 'worker'],
  registry,
});
for (let i = 0; i < SERIES_PER_FAMILY; i++) {
  requests.labels({ route: `/api/v1/resource/${i % 1000}`, status: String(200 + Math.floor(i / 1000)) }).inc(i);
  inFlight.labels({ route: `/api/v1/resource/${i % 1000}`, worker: String(Math.floor(i / 1000)) }).set(i / 7);
}

/** Heap after full collections (twice: the first may only schedule finalizers). */
function settledHeap(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

// The defaults: 50 connections are more than maxConcurrentScrapes, so this also shows the queue
// absorbing them without a single 503.
const server = await exposeMetrics(0, { host: '127.0.0.1', registry });
// Scrapes before the baseline, so the baseline includes what the first scrapes allocate for good
// (compiled code, caches) and the comparison is about what the load leaves behind: through the
// endpoint itself, whose streamed path registry.metrics() does not take, a few at once.
const scrapeOnce = (): Promise<void> =>
  new Promise((resolve, reject) =>
    get({ host: '127.0.0.1', port: server.port, path: '/metrics', agent: false }, (res) => {
      res.resume();
      res.on('end', resolve);
    }).on('error', reject),
  );
for (let round = 0; round < 3; round++) await Promise.all(Array.from({ length: 10 }, scrapeOnce));
await registry.metrics();
let heapPeak = 0;
setInterval(() => (heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)), 50).unref();
process.send({ port: server.port, series: 2 * SERIES_PER_FAMILY, heapBefore: settledHeap() });

process.on('message', (message) => {
  if (message === 'heap') process.send!({ heapAfter: settledHeap(), heapPeak });
  if (message === 'stop') void server.close().then(() => process.disconnect());
});
