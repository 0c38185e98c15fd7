/**
 * The scrape-under-load case, run in the benchmark process (bench/worker.js) as the service: one
 * node:http server in this process answers /ping (200 "ok") and /metrics (the library's handler
 * over the 18.5 MB registry), while this process tracks its event-loop blocks (loop-blocks.js).
 * The client (client.js, forked) pings at a steady rate, without scrapes and then during
 * sequential full scrapes, and reports its windows and latencies.
 *
 * Per measured scrape: the longest event-loop block from the request's arrival here to its
 * response's close. Per process: the /ping p99 during the scrapes, outside them, and their ratio.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from '../measure.js';
import { trackLoopBlocks } from './loop-blocks.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Bounds the whole case (a registry this size takes prom-client ~1 s a scrape). */
const CASE_TIMEOUT_MS = 100_000;

const p99 = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(sorted.length * 0.99) - 1)];
};

/** Sample lines of the body of `sizes`: one per counter series, 14 per histogram series (12 buckets, count, sum). */
function expectedSamples(sizes) {
  return sizes.counterMetrics * sizes.counterSeries + sizes.histogramMetrics * sizes.histogramSeries * 14;
}

function startServer(handler, windows) {
  const server = http.createServer((req, res) => {
    if (req.url === '/ping') {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 2 });
      res.end('ok');
    } else if (req.url.startsWith('/metrics')) {
      const window = { start: performance.now(), end: Number.NaN };
      windows.push(window);
      res.on('close', () => (window.end = performance.now()));
      handler(req, res);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  server.keepAliveTimeout = CASE_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** Runs the client to its end; rejects on its error, its early exit or the case's timeout. */
function runClient(settings) {
  const child = fork(path.join(here, 'client.js'), [JSON.stringify(settings)], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the load client did not finish in ${CASE_TIMEOUT_MS} ms`));
    }, CASE_TIMEOUT_MS);
    child.once('message', (message) => {
      clearTimeout(timer);
      if (message.error) reject(new Error(`load client: ${message.error}`));
      else resolve(message);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the load client exited (${signal ?? code}) without a report`));
    });
  });
}

/**
 * Serves `handler` under load and returns the case's figures: `value` is the median over the
 * measured scrapes of each one's longest block (ms).
 */
export async function runLoadCase(handler, sizes) {
  const windows = [];
  const blocks = trackLoopBlocks();
  const server = await startServer(handler, windows);
  try {
    const settings = { port: server.address().port, ...sizes.load };
    const report = await runClient(settings);
    const samples = expectedSamples(sizes);
    for (const s of report.scrapes) {
      if (s.status !== 200 || s.samples !== samples)
        throw new Error(`a scrape answered ${s.status} with ${s.samples} samples, expected 200 with ${samples}`);
    }
    const measured = windows.slice(sizes.load.warmupScrapes);
    if (measured.length !== sizes.load.scrapes || measured.some((w) => Number.isNaN(w.end)))
      throw new Error(`the server saw ${windows.length} scrapes, not all of them ended`);
    const blocksMs = measured.map((w) => blocks.maxBlockDuring(w.start, w.end));
    const outside = p99(report.outside);
    const during = p99(report.during);
    return {
      value: median(blocksMs),
      blocksMs,
      worstBlockMs: Math.max(...blocksMs),
      pingP99OutsideMs: outside,
      pingP99DuringMs: during,
      p99Ratio: during / outside,
      pings: { outside: report.outside.length, during: report.during.length, dropped: report.dropped },
      scrapeMs: median(report.scrapes.map((s) => s.end - s.start)),
      bytes: report.scrapes[0].bytes,
    };
  } finally {
    blocks.stop();
    server.closeAllConnections();
    server.close();
  }
}
