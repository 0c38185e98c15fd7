/**
 * Timing inside one benchmark process: calibrate, warm up, then many samples; the median.
 * `run(n)` does n operations (sync, or returns a promise for async cases).
 */
import { hrtime } from 'node:process';

const now = () => Number(hrtime.bigint());

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function timeRun(run, n) {
  const start = now();
  const pending = run(n);
  if (pending !== undefined) await pending;
  return now() - start;
}

/**
 * Nanoseconds per operation: the median of `samples` samples of about `sampleMs` each, after
 * `warmupMs` of warm-up (enough for the optimizing compiler to take the loop).
 */
export async function measureOps(run, { warmupMs, sampleMs, samples }) {
  let n = 16;
  let elapsed = await timeRun(run, n);
  const warmupEnd = now() + warmupMs * 1e6;
  // Calibrate: grow n until one run takes a tenth of a sample, warming up along the way.
  while (elapsed < sampleMs * 1e5 && n < 2 ** 30) {
    n *= 2;
    elapsed = await timeRun(run, n);
  }
  while (now() < warmupEnd) elapsed = await timeRun(run, n);
  n = Math.max(1, Math.round((n * sampleMs * 1e6) / Math.max(elapsed, 1)));
  const perOp = [];
  for (let i = 0; i < samples; i++) perOp.push((await timeRun(run, n)) / n);
  return { value: median(perOp), n, samples: perOp.length, min: Math.min(...perOp), max: Math.max(...perOp) };
}

/**
 * Milliseconds per scrape and the body size: the median of `samples` scrapes after `warmup`.
 * A scrape ends with the body as bytes, as an HTTP response needs it: a string body is encoded
 * (which also flattens a rope-built string, work a string-returning API otherwise defers).
 */
export async function measureScrape(scrape, { warmup, minSamples, minMs, maxSamples, maxMs }) {
  // A text body is encoded as a server sending it would; chunks (a streamed body) are counted as sent.
  const bodyLength = async () => {
    const body = await scrape();
    if (typeof body === 'string') return Buffer.from(body, 'utf8').length;
    return Array.isArray(body) ? body.reduce((n, chunk) => n + chunk.length, 0) : body.length;
  };
  let bytes = 0;
  for (let i = 0; i < warmup; i++) bytes = await bodyLength();
  // At least minSamples scrapes and minMs of them (fast scrapes get many), at most maxSamples or maxMs.
  const ms = [];
  const began = now();
  while (ms.length < maxSamples) {
    const start = now();
    bytes = await bodyLength();
    ms.push((now() - start) / 1e6);
    const spent = (now() - began) / 1e6;
    if ((ms.length >= minSamples && spent >= minMs) || (ms.length >= 3 && spent >= maxMs)) break;
  }
  const value = median(ms);
  return {
    value,
    bytes,
    samples: ms.length,
    mbPerSecond: bytes / 1e6 / (value / 1000),
    min: Math.min(...ms),
    max: Math.max(...ms),
  };
}

/**
 * Bytes retained per series: heap used plus array buffers (typed arrays' backing stores live
 * outside the JS heap and show only there), after full GCs, around creating `count` series.
 */
export function measureHeap(fill, count, held) {
  if (typeof globalThis.gc !== 'function') throw new Error('heap cases need node --expose-gc');
  const settle = () => {
    for (let i = 0; i < 4; i++) globalThis.gc();
    return process.memoryUsage();
  };
  const before = settle();
  fill(count);
  const after = settle();
  if (held === undefined) throw new Error('unreachable: keeps the series alive until measured');
  const heap = after.heapUsed - before.heapUsed;
  const buffers = after.arrayBuffers - before.arrayBuffers;
  const external = after.external - before.external;
  return {
    value: (heap + buffers) / count,
    heapPerSeries: heap / count,
    arrayBuffersPerSeries: buffers / count,
    externalPerSeries: external / count,
    series: count,
  };
}
