/**
 * The cluster cases, run in the benchmark process (bench/worker.js) as the cluster primary: it starts
 * the library's aggregation, forks the workers (bench/cluster/worker.js), waits until the primary's
 * scrape shows every worker's series with their values, then measures:
 *   cluster.scrape     N scrapes at the primary (text format): ms per scrape, as measureScrape does;
 *   cluster.bound-inc  a bound child's inc() in one worker (the others idle but aggregated), in a
 *                      tight loop: ns/op;
 *   cluster.bound-inc-per-run  the same, one inc per synchronous run (what a request handler does).
 * Every forked worker is killed when the case ends, whether it succeeded or threw.
 */
import cluster from 'node:cluster';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureScrape } from '../measure.js';
import { amountOf, BOUND_FAMILY, FAMILY, primarySide } from './adapters.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const POLL_MS = 100;
/** Bounds on every wait: worker start, aggregation catching up, a measurement. */
const WAIT_MS = 60_000;

const live = new Set();
// Backstop: a worker must not outlive this process, even when the case throws past its cleanup.
process.on('exit', () => {
  for (const child of live) killQuietly(child.process.pid);
});

function killQuietly(pid) {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The scrape's series of FAMILY and the sum of their values, and the value of the bound series.
 * Parsed from the text format both libraries write (`name{labels} value`).
 */
export function readBody(body) {
  let series = 0;
  let sum = 0;
  let bound = 0;
  for (const line of body.split('\n')) {
    if (line.startsWith(`${FAMILY}{`)) {
      series++;
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    } else if (line.startsWith(`${BOUND_FAMILY}{`)) {
      bound += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return { series, sum, bound };
}

/** Polls `scrape` until `done(reading)` holds; throws with the last reading after WAIT_MS. */
async function pollUntil(scrape, done, what) {
  const deadline = Date.now() + WAIT_MS;
  let reading;
  for (;;) {
    const body = await scrape();
    reading = readBody(typeof body === 'string' ? body : body.toString('utf8'));
    if (done(reading)) return reading;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(reading)} after ${WAIT_MS} ms`);
    await sleep(POLL_MS);
  }
}

/** Resolves with the first `{ bench: kind }` message from `child`; rejects if it exits or reports an error first. */
function nextMessage(child, kind) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => settle(new Error(`worker ${child.id}: no ${kind} in ${WAIT_MS} ms`)), WAIT_MS);
    const onMessage = (message) => {
      if (message?.bench === kind) settle(undefined, message);
      else if (message?.bench === 'error') settle(new Error(`worker ${message.worker}: ${message.message}`));
    };
    const onExit = (code, signal) => settle(new Error(`worker ${child.id} exited (${signal ?? code}) before ${kind}`));
    function settle(error, message) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(message);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** Forks `workers` cluster workers, each declaring `series` series of its own. */
function forkWorkers(lib, workers, series) {
  const forked = [];
  for (let k = 0; k < workers; k++) {
    // setupPrimary applies to the next fork: each worker gets its own index.
    cluster.setupPrimary({
      exec: path.join(here, 'worker.js'),
      args: ['--lib', lib, '--worker', String(k), '--series', String(series)],
    });
    const child = cluster.fork();
    live.add(child);
    child.once('exit', () => live.delete(child));
    forked.push(child);
  }
  return forked;
}

/** Kills every worker this process forked and waits (bounded) until each has exited. */
async function killWorkers() {
  const exits = [...live].map(
    (child) =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        killQuietly(child.process.pid);
      }),
  );
  await Promise.race([Promise.all(exits), sleep(5000)]);
}

/**
 * Runs one cluster case for one library and returns its result fields (value: ms per scrape or
 * ns per inc), or `{ skip }` when the library has no such API.
 */
export async function runClusterCase(lib, id, { sizes, ops, scrape: scrapeOptions }) {
  const workers = sizes.clusterWorkers;
  const series = sizes.clusterSeries;
  const primary = await primarySide(lib);
  if (primary.skip) return { skip: primary.skip };
  try {
    const began = performance.now();
    const forked = forkWorkers(lib, workers, series);
    await Promise.all(forked.map((child) => nextMessage(child, 'ready')));
    const expectedSum = workers * Array.from({ length: series }, (_, j) => amountOf(j)).reduce((a, b) => a + b, 0);
    await pollUntil(
      primary.scrape,
      (r) => r.series === workers * series && r.sum === expectedSum,
      `the primary's scrape waiting for ${workers} x ${series} series summing to ${expectedSum}`,
    );
    const readyMs = Math.round(performance.now() - began);

    if (id === 'cluster.scrape') {
      const result = await measureScrape(primary.scrape, scrapeOptions);
      // The measured scrapes must still be the whole cluster's.
      const last = readBody(String(await primary.scrape()));
      if (last.series !== workers * series || last.sum !== expectedSum)
        throw new Error(`${id}: the primary lost series while measured: ${JSON.stringify(last)}`);
      return { ...result, workers, seriesPerWorker: series, readyMs };
    }
    if (id === 'cluster.bound-inc' || id === 'cluster.bound-inc-per-run') {
      // One worker at a time measures: several at once would share the cores and time each other.
      const measuring = forked[0];
      const reply = nextMessage(measuring, 'inc-result');
      measuring.send({ bench: 'measure-inc', ops, perRun: id === 'cluster.bound-inc-per-run' });
      const { result, incs } = await reply;
      // And the primary really aggregated them: its scrape catches up with every inc the worker made.
      const caughtUpBegan = performance.now();
      await pollUntil(primary.scrape, (r) => r.bound === incs, `the primary's scrape waiting for ${incs} bound incs`);
      return {
        ...result,
        workers,
        seriesPerWorker: series,
        readyMs,
        incs,
        catchUpMs: Math.round(performance.now() - caughtUpBegan),
      };
    }
    throw new Error(`unknown cluster case ${id}`);
  } finally {
    try {
      primary.stop();
    } finally {
      await killWorkers();
    }
  }
}
