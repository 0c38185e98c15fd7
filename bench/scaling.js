/**
 * One cell of the scaling table, in a fresh process: heap per series, then scrape time back to
 * back and right after a full GC, for `count` series of one library.
 *
 * Heap: four full GCs before and after `fill(count)`, (Δ heapUsed + Δ arrayBuffers) / count, as the
 * heap cases measure; measured again once the scrapes are done, so memory a library builds at its
 * first scrape (and keeps) shows too. Back to back: the median of scrapes run one after another
 * (as measureScrape times them: a string body encoded to bytes, a streamed one as its chunks).
 * After GC: `gc()` (a full mark-compact, what V8's idle cleanup leaves a quiet service with), then
 * one scrape, timed alone; the median of several.
 *
 * A library whose first scrape shows that the measurement would take more than CAP_MS gets no
 * scrape figures ("n/a (over N s)"), only its heap and that one scrape's time.
 */
import { hrtime } from 'node:process';
import { measureScrape, median } from './measure.js';

const CAP_MS = 20_000;
/** Scrapes the measurement makes after the first: at least 3 back to back and 3 after a GC. */
const PLANNED_SCRAPES = 6;
const AFTER_GC_MAX = 7;
const AFTER_GC_MAX_MS = 2000;
const now = () => Number(hrtime.bigint()) / 1e6;

/**
 * Full GCs until the heap stops shrinking (at most 4, as the heap cases run; one in the smoke run,
 * whose figures mean nothing): a full GC of a million-series heap takes about a second here.
 */
function settle(smoke) {
  let previous = Number.POSITIVE_INFINITY;
  for (let i = 0; i < (smoke ? 1 : 4); i++) {
    globalThis.gc();
    const used = process.memoryUsage().heapUsed;
    if (previous - used < previous * 0.001) break;
    previous = used;
  }
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/** Occurrences of `needle` (a string) in a byte buffer. */
function occurrences(buffer, needle) {
  let count = 0;
  for (let i = buffer.indexOf(needle); i !== -1; i = buffer.indexOf(needle, i + needle.length)) count++;
  return count;
}

/** Throws unless the body holds `count` series of `metric` (a line each, or 12 bucket lines each). */
function checkBody(body, metric, count) {
  const got = metric === 'counter' ? occurrences(body, '_total{') : occurrences(body, '_bucket{') / 12;
  if (got !== count) throw new Error(`the scrape shows ${got} ${metric} series, expected ${count}`);
}

/** Times and checks one scrape; returns its time and size only. */
async function firstScrape(bytesOf, metric, count) {
  const start = now();
  const body = await bytesOf();
  const ms = now() - start;
  checkBody(body, metric, count);
  return { ms, bytes: body.length };
}

export async function runScalingCase(body, { metric, count, smoke }) {
  if (typeof globalThis.gc !== 'function') throw new Error('scaling cases need node --expose-gc');
  // A text body is encoded as a server sending it would; chunks (a streamed body) are sent as they are.
  const sent = async () => {
    const scraped = await body.scrape();
    return typeof scraped === 'string' ? Buffer.from(scraped, 'utf8') : scraped;
  };
  const bytesOf = async () => {
    const scraped = await sent();
    return Array.isArray(scraped) ? Buffer.concat(scraped) : scraped;
  };
  const before = settle(smoke);
  body.fill(count);
  const filled = settle(smoke);
  const heap = { heapPerSeries: (filled - before) / count };

  // The first scrape, checked, in a function of its own: its body must not stay reachable from this frame.
  const first = await firstScrape(bytesOf, metric, count);
  if (!smoke && first.ms * PLANNED_SCRAPES > CAP_MS) {
    return { ...heap, skip: `over ${CAP_MS / 1000} s`, oneScrapeMs: first.ms, bytes: first.bytes, series: count };
  }

  const backToBack = await measureScrape(
    body.scrape,
    smoke
      ? { warmup: 0, minSamples: 1, minMs: 0, maxSamples: 1, maxMs: 0 }
      : { warmup: 0, minSamples: 3, minMs: 300, maxSamples: 30, maxMs: 2000 },
  );
  const afterGc = [];
  const began = now();
  const [least, most] = smoke ? [1, 1] : [3, AFTER_GC_MAX];
  while (afterGc.length < least || (afterGc.length < most && now() - began < AFTER_GC_MAX_MS)) {
    globalThis.gc();
    const start = now();
    await sent();
    afterGc.push(now() - start);
  }
  // A turn of the event loop first: until then the last scrape's body is still reachable (from this
  // async function's suspended frame), which would count a whole body as heap of the series.
  await new Promise((resolve) => setImmediate(resolve));
  const scraped = settle(smoke);
  if (body.held === undefined) throw new Error('unreachable: keeps the series alive until measured');
  return {
    ...heap,
    heapPerSeriesScraped: (scraped - before) / count,
    value: backToBack.value,
    afterGcMs: median(afterGc),
    afterGcSamples: afterGc.length,
    backToBackSamples: backToBack.samples,
    bytes: backToBack.bytes,
    series: count,
  };
}
