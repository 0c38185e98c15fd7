/**
 * A streamed scrape is rendered over many event-loop turns while the application keeps writing.
 * What it shows must still be one consistent reading: no counter lower than in an earlier scrape
 * (each series is read once, when its family is collected, and collections run in call order),
 * and within a scrape a histogram's `_count` equal to its `+Inf` bucket, its buckets cumulative.
 * The writes run in a setImmediate loop beside slow clients, so they land during the renders.
 */
import { expect } from 'chai';
import { request as httpRequest } from 'node:http';
import { Counter, Histogram, Registry, exposeMetrics, type MetricsServer } from '../../lib/index.js';
import { LOOPBACK } from './support.js';

const COUNTER_FAMILIES = 30;
const COUNTER_SERIES = 1_000;
const HISTOGRAM_FAMILIES = 4;
const HISTOGRAM_SERIES = 500;
/** Series written per round of the write loop. */
const WRITES_PER_ROUND = 300;
/** Scrapes read one after the other, and pairs read at the same time. */
const SCRAPES = 6;
const OVERLAPPING_PAIRS = 3;

/** Sample lines by series (`name{labels}`), as text 0.0.4 gives them. */
function parse(body: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of body.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    values.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return values;
}

/**
 * What must hold inside one scrape: per histogram series, buckets cumulative and `_count` = `+Inf`.
 * Returns the series checked. (Plain checks gathered into one assertion: chai per series is slow.)
 */
function expectHistogramsConsistent(values: Map<string, number>, scrape: string): number {
  const problems: string[] = [];
  let checked = 0;
  for (const [series, count] of values) {
    const match = /^(app_latency_\d+_seconds)_count\{(.*)\}$/.exec(series);
    if (match === null) continue;
    const [, name, labels] = match;
    let previous = 0;
    for (const le of ['0.001', '0.01', '0.1', '1.0', '+Inf']) {
      const bucket = values.get(`${name}_bucket{${labels},le="${le}"}`);
      if (bucket === undefined) problems.push(`${name}{${labels}}: no bucket ${le}`);
      else if (bucket < previous) problems.push(`${name}{${labels}}: bucket ${le} (${bucket}) below the one before`);
      else previous = bucket;
    }
    if (count !== previous) problems.push(`${name}{${labels}}: _count ${count}, +Inf bucket ${previous}`);
    checked++;
  }
  expect(problems, `${scrape}: histogram series not consistent`).to.deep.equal([]);
  return checked;
}

/** What must hold between two scrapes, `later` started after `earlier`: no counter or count lower. */
function expectNothingBackwards(earlier: Map<string, number>, later: Map<string, number>, what: string): number {
  const problems: string[] = [];
  let compared = 0;
  for (const [series, value] of earlier) {
    if (!/_total\{|_count\{|_bucket\{/.test(series)) continue;
    const now = later.get(series);
    if (now === undefined) problems.push(`${series}: missing`);
    else if (now < value) problems.push(`${series}: went from ${value} back to ${now}`);
    compared++;
  }
  expect(problems.slice(0, 10), `${what}: series lower than before`).to.deep.equal([]);
  return compared;
}

/** GETs /metrics, reading slowly: paused for a millisecond after every chunk, so the scrape spans many turns. */
function slowScrape(port: number, onFirstByte?: () => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: LOOPBACK, port, path: '/metrics', agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        if (chunks.length === 0) onFirstByte?.();
        chunks.push(chunk);
        res.pause();
        setTimeout(() => res.resume(), 1);
      });
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error('slow scrape timed out')));
    req.end();
  });
}

describe('streamed scrapes during concurrent writes: counters never go backwards, histograms stay whole', function () {
  this.timeout(120_000);
  const registry = new Registry();
  const counters: Counter<'method' | 'route'>[] = [];
  const histograms: Histogram<'route'>[] = [];
  let server: MetricsServer;
  let writing = false;
  let rounds = 0;
  let stopped: Promise<void> = Promise.resolve();

  /** Starts the write loop: a round of increments and observations per event-loop turn, bounded in time. */
  const startWriting = (): void => {
    writing = true;
    const until = Date.now() + 90_000;
    stopped = new Promise((resolve) => {
      let next = 0;
      const round = (): void => {
        if (!writing || Date.now() > until) {
          resolve();
          return;
        }
        for (let i = 0; i < WRITES_PER_ROUND; i++, next++) {
          const counter = counters[next % COUNTER_FAMILIES]!;
          counter.labels(['GET', 'POST'][next & 1]!, `/r/${(next * 7) % COUNTER_SERIES}`).inc((next % 3) + 1);
          if (i % 4 === 0) {
            const histogram = histograms[next % HISTOGRAM_FAMILIES]!;
            histogram.labels(`/r/${(next * 13) % HISTOGRAM_SERIES}`).observe((next % 2000) / 1000);
          }
        }
        rounds++;
        setImmediate(round);
      };
      setImmediate(round);
    });
  };

  before(async () => {
    for (let f = 0; f < COUNTER_FAMILIES; f++) {
      const counter = new Counter({
        name: `app_requests_${f}`,
        help: 'Requests',
        labelNames: ['method', 'route'],
        registry,
      });
      for (let i = 0; i < COUNTER_SERIES; i++) counter.labels(['GET', 'POST'][i & 1]!, `/r/${i}`).inc(i);
      counters.push(counter);
    }
    for (let f = 0; f < HISTOGRAM_FAMILIES; f++) {
      const histogram = new Histogram({
        name: `app_latency_${f}_seconds`,
        help: 'Latency',
        labelNames: ['route'],
        buckets: [0.001, 0.01, 0.1, 1],
        registry,
      });
      for (let i = 0; i < HISTOGRAM_SERIES; i++) histogram.labels(`/r/${i}`).observe(i / 1000);
      histograms.push(histogram);
    }
    server = await exposeMetrics(0, { host: LOOPBACK, registry });
    startWriting();
  });

  after(async () => {
    writing = false;
    await stopped;
    await server?.close();
  });

  it('in consecutive slow scrapes over HTTP, with writes landing during each', async () => {
    let previous: Map<string, number> | undefined;
    for (let i = 0; i < SCRAPES; i++) {
      const roundsBefore = rounds;
      const values = parse(await slowScrape(server.port));
      expect(rounds - roundsBefore, `write rounds during scrape ${i}`).to.be.greaterThan(0);
      expect(expectHistogramsConsistent(values, `scrape ${i}`)).to.equal(HISTOGRAM_FAMILIES * HISTOGRAM_SERIES);
      if (previous !== undefined) {
        const compared = expectNothingBackwards(previous, values, `scrape ${i - 1} -> ${i}`);
        expect(compared).to.be.greaterThan(COUNTER_FAMILIES * COUNTER_SERIES);
      }
      previous = values;
    }
  });

  it('in scrapes that overlap: the one started later never shows less', async () => {
    for (let pair = 0; pair < OVERLAPPING_PAIRS; pair++) {
      let startSecond!: () => void;
      const secondStarted = new Promise<void>((resolve) => (startSecond = resolve));
      const first = slowScrape(server.port, startSecond);
      // The second asks once the first is answering: its collection comes after the first's.
      await secondStarted;
      const second = slowScrape(server.port);
      const [earlier, later] = (await Promise.all([first, second])).map(parse);
      expectHistogramsConsistent(earlier!, `pair ${pair}, first`);
      expectHistogramsConsistent(later!, `pair ${pair}, second`);
      expectNothingBackwards(earlier!, later!, `pair ${pair}`);
    }
  });

  /** Reads a whole registry.stream() as text. */
  const readStream = async (iterator: AsyncIterator<Uint8Array>): Promise<string> => {
    const chunks: Uint8Array[] = [];
    for (let step = await iterator.next(); step.done !== true; step = await iterator.next()) chunks.push(step.value);
    return Buffer.concat(chunks).toString('utf8');
  };

  it('in registry.stream() read in process, with the write loop running between its slices', async () => {
    let previous: Map<string, number> | undefined;
    for (let i = 0; i < SCRAPES; i++) {
      const roundsBefore = rounds;
      const values = parse(await readStream(registry.stream('text')[Symbol.asyncIterator]()));
      // Only turns between the stream's slices let the write loop run while it is read.
      expect(rounds - roundsBefore, `write rounds during stream ${i}`).to.be.greaterThan(0);
      expectHistogramsConsistent(values, `stream ${i}`);
      if (previous !== undefined) expectNothingBackwards(previous, values, `stream ${i - 1} -> ${i}`);
      previous = values;
    }
  });

  it('in streams started at once: the one asked for second never shows less than the first', async () => {
    for (let pair = 0; pair < OVERLAPPING_PAIRS * 4; pair++) {
      const first = registry.stream('text')[Symbol.asyncIterator]();
      const second = registry.stream('text')[Symbol.asyncIterator]();
      // Both collections are asked for in the same turn, the first first, and run beside the writes.
      const [earlier, later] = (await Promise.all([readStream(first), readStream(second)])).map(parse);
      expectHistogramsConsistent(earlier!, `pair ${pair}, first`);
      expectHistogramsConsistent(later!, `pair ${pair}, second`);
      expectNothingBackwards(earlier!, later!, `pair ${pair}`);
    }
  });
});
