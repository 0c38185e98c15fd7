/**
 * registry.stream(): the body in chunks, rendered in slices with event-loop turns between them,
 * byte for byte the body registry.metrics() gives, in every format and under every escaping
 * scheme, for a registry large enough to take many chunks and many slices. The families cover
 * every path a format renders from: counter and gauge columns (with exemplars and `_created`),
 * histogram rows (classic, with exemplars, native), and plain samples (summary, info, enum, a
 * collector's families with timestamps), with names and label values outside ASCII.
 */
import { expect } from 'chai';
import {
  Counter,
  ESCAPING_SCHEMES,
  Enum,
  Gauge,
  Histogram,
  Info,
  Registry,
  Summary,
  renderExpositionBytes,
  type ExpositionFormat,
} from '../../lib/index.js';

const FORMATS: readonly ExpositionFormat[] = ['text', 'openmetrics', 'protobuf'];
const COUNTER_SERIES = 20_000;
const HISTOGRAM_SERIES = 2_000;

async function streamed(
  registry: Registry,
  format: ExpositionFormat,
  options: Parameters<Registry['stream']>[1] = {},
): Promise<{ body: Buffer; chunks: number; turns: number }> {
  // Counts the event-loop turns that ran while the stream was read: a render in slices gives some.
  let turns = 0;
  let ticking = true;
  const tick = (): void => {
    turns++;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  const chunks: Uint8Array[] = [];
  try {
    for await (const chunk of registry.stream(format, options)) chunks.push(chunk);
  } finally {
    ticking = false;
  }
  return { body: Buffer.concat(chunks), chunks: chunks.length, turns };
}

function bodyBytes(body: string | Buffer): Buffer {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

function buildRegistry(): Registry {
  const registry = new Registry({ created: true, labels: { region: 'eu-west' } });
  const requests = new Counter({
    name: 'app_requests',
    help: 'Requests "served"\nby route',
    labelNames: ['method', 'route'],
    registry,
  });
  for (let i = 0; i < COUNTER_SERIES; i++) {
    const route = i % 97 === 0 ? `/käse/${i}/"quoted"\\` : `/api/v1/resource/${i}`;
    const child = requests.labels(['GET', 'POST', 'PUT', 'DELETE'][i & 3]!, route);
    if (i % 1000 === 0) child.inc(i + 0.25, { trace_id: `t${i}` });
    else child.inc(i);
  }
  const temperature = new Gauge({
    name: 'app_temperature_celsius',
    help: 'Temperature',
    labelNames: ['room'],
    registry,
  });
  for (let i = 0; i < 3_000; i++) temperature.labels(`room ${i}`).set(i % 3 === 0 ? -i / 7 : i * 1e21);
  temperature.labels('nan').set(NaN);
  temperature.labels('inf').set(Infinity);
  temperature.labels('zero').set(-0);
  new Gauge({ name: 'app.utf8.gauge', help: 'A UTF-8 name', labelNames: ['clé.x'], registry }).labels('é').set(1);
  const latency = new Histogram({
    name: 'app_latency_seconds',
    help: 'Latency',
    labelNames: ['route'],
    buckets: [0.01, 0.1, 1, 10],
    registry,
  });
  for (let i = 0; i < HISTOGRAM_SERIES; i++) {
    const child = latency.labels(`/r/${i}`);
    for (let k = 0; k < 5; k++) child.observe(((i + k) % 23) / 2);
    if (i % 500 === 0) child.observe(0.05, { trace_id: `h${i}` });
  }
  const native = new Histogram({ name: 'app_native_seconds', help: 'Native', native: { bucketFactor: 1.1 }, registry });
  for (let k = 0; k < 50; k++) native.observe(k / 10);
  const summary = new Summary({ name: 'app_job_seconds', help: 'Jobs', labelNames: ['job'], registry });
  for (let i = 0; i < 200; i++) summary.labels(`job${i}`).observe(i % 2 === 0 ? i : -i);
  new Info({ name: 'app_build', help: 'Build', registry }).info({ version: '1.2.3', commit: 'abc' });
  new Enum({ name: 'app_state', help: 'State', states: ['up', 'down'], registry }).state('down');
  registry.registerCollector(function timestamped() {
    return [
      {
        name: 'external_queue_depth',
        help: 'Depth, from a collector',
        type: 'gauge',
        samples: Array.from({ length: 600 }, (_, i) => ({
          labels: { queue: `q${i}`, note: 'naïve' },
          value: i / 3,
          timestamp: 1_700_000_000_000 + i,
        })),
      },
    ];
  });
  return registry;
}

describe('registry.stream(): the body in chunks, equal to registry.metrics()', function () {
  this.timeout(60_000);
  const registry = buildRegistry();

  for (const format of FORMATS) {
    for (const escaping of ESCAPING_SCHEMES) {
      it(`${format}, escaping ${escaping}: many chunks, byte for byte metrics()'s body`, async () => {
        const { body, chunks, turns } = await streamed(registry, format, { escaping });
        const whole = bodyBytes(await registry.metrics(format, { escaping }));
        expect(chunks, 'chunks of the streamed body').to.be.greaterThan(10);
        expect(turns, 'event-loop turns while it was rendered').to.be.greaterThan(1);
        expect(body.length).to.equal(whole.length);
        expect(body.equals(whole), 'the streamed body equals metrics()').to.equal(true);
      });
    }
  }

  it('joins to the same body as metrics() for a small registry too (one chunk)', async () => {
    const small = new Registry();
    new Counter({ name: 'jobs', help: 'Jobs', registry: small }).inc(3);
    for (const format of FORMATS) {
      const { body, chunks } = await streamed(small, format);
      expect(chunks, format).to.equal(1);
      expect(body.equals(bodyBytes(await small.metrics(format))), format).to.equal(true);
    }
  });

  it('stops rendering when the reader stops, and when its signal is aborted', async () => {
    const first = registry.stream('text')[Symbol.asyncIterator]();
    expect((await first.next()).done).to.equal(false);
    expect((await first.return!()).done, 'return() ends the stream').to.equal(true);
    expect((await first.next()).done, 'nothing after return()').to.equal(true);

    const aborter = new AbortController();
    const chunks: Uint8Array[] = [];
    let failure: unknown;
    try {
      for await (const chunk of registry.stream('openmetrics', { signal: aborter.signal })) {
        chunks.push(chunk);
        aborter.abort();
      }
    } catch (error) {
      failure = error;
    }
    expect((failure as Error | undefined)?.name).to.equal('AbortError');
    expect(chunks.length).to.be.lessThan(5);
  });

  it('renders again when its result is iterated again (each iteration is a scrape)', async () => {
    const small = new Registry();
    const jobs = new Counter({ name: 'jobs', help: 'Jobs', registry: small });
    jobs.inc(3);
    const stream = small.stream('text');
    const read = async (): Promise<string> => {
      const chunks: Uint8Array[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      return Buffer.concat(chunks).toString('utf8');
    };
    expect(await read()).to.include('jobs_total 3\n');
    jobs.inc(2);
    expect(await read()).to.include('jobs_total 5\n');
  });

  it('leaves the collection queue when its signal is aborted, and a hung metric holds it no longer than timeoutMs', async () => {
    class HungCounter extends Counter {
      // A subclass's collect() may return a promise; this one never settles.
      override collect(): ReturnType<Counter['collect']> {
        return new Promise(() => {}) as unknown as ReturnType<Counter['collect']>;
      }
    }
    const stuck = new Registry();
    new HungCounter({ name: 'hung', help: 'Never collected', registry: stuck });
    const first = stuck.collect({ timeoutMs: 300 });
    // Waits behind the hung collection: aborting it rejects at once, without waiting its turn.
    const aborter = new AbortController();
    const queued = stuck.collect({ signal: aborter.signal });
    const abortedAt = Date.now();
    aborter.abort();
    const queuedFailure = await queued.then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(queuedFailure?.name).to.equal('AbortError');
    expect(Date.now() - abortedAt).to.be.lessThan(250);
    const firstFailure = await first.then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(firstFailure?.name).to.equal('CollectionTimeoutError');
    expect(firstFailure?.message).to.include('metric hung');
    // The turn was given back: a later collection runs (and times out on the same metric, not on the queue).
    const later = await stuck.collect({ timeoutMs: 100 }).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(later?.message).to.include('metric hung');
  });

  it('gives a small body a buffer of its size after a large body was rendered', async () => {
    const large = renderExpositionBytes(await registry.collect(), 'text');
    const small = new Registry();
    new Counter({ name: 'jobs', help: 'Jobs', registry: small }).inc();
    const body = renderExpositionBytes(await small.collect(), 'text');
    expect(large.length).to.be.greaterThan(1_000_000);
    expect(body.buffer.byteLength, 'the bytes behind the small body').to.be.lessThan(64 * 1024 + 1);
  });

  it('rejects bad arguments at the call, naming the method and the value', () => {
    expect(() => registry.stream('json' as ExpositionFormat)).to.throw(TypeError, /Registry\.stream: format .*"json"/);
    expect(() => registry.stream('text', { escaping: 'none' as never })).to.throw(TypeError, /options\.escaping/);
    expect(() => registry.stream('text', { timeoutMs: -1 })).to.throw(
      RangeError,
      /Registry\.stream: options\.timeoutMs/,
    );
    expect(() => registry.stream('text', { colour: 1 } as never)).to.throw(TypeError, /colour/);
  });

  it('fails the first chunk, before any byte, when a collector fails', async () => {
    const failing = new Registry();
    new Counter({ name: 'jobs', help: 'Jobs', registry: failing }).inc();
    failing.registerCollector(() => {
      throw new Error('disk gone');
    }, 'diskCollector');
    const iterator = failing.stream('text')[Symbol.asyncIterator]();
    let failure: unknown;
    try {
      await iterator.next();
    } catch (error) {
      failure = error;
    }
    expect((failure as Error | undefined)?.message).to.equal('Collecting collector diskCollector failed: disk gone');
  });
});
