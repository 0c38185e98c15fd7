/**
 * The one target process of prometheus-formats.spec, started there with an IPC channel. It serves:
 * - the seed sample (samples/python-example-1.ts, imported here, so it runs as it does alone: the
 *   default registry on its own port, printing "Serving metrics at ..." and "Processed N requests");
 * - a registry with every metric type on 127.0.0.1, `_created` on (counters, histograms, summaries).
 *
 * Values are set before anything is served and never change afterwards, so Prometheus instances
 * scraping at different moments store the same numbers (the seed's runtime metrics excepted).
 *
 * Every HTTP exchange of both servers is recorded here, on the target side, so the spec can tell
 * which format each scrape got without a proxy in front: the scraper's Accept header, the answered
 * Content-Type, and the `scraper` query parameter each Prometheus job adds to its URL.
 *
 * Protocol (IPC): once both servers listen and the sample has processed its requests, the child
 * sends `{ everyTypePort, startedAt }`; to "exchanges" it answers `{ exchanges: TargetExchange[] }`.
 * SIGTERM stops it (the sample's own handler closes its server and exits).
 */
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Enum, Gauge, Histogram, Info, Registry, Summary, exposeMetrics } from '../../lib/index.js';

/** One scrape as the target saw it. */
export interface TargetExchange {
  /** Which of the two servers answered. */
  readonly server: 'seed' | 'every-type';
  /** The `scraper` URL parameter, naming the Prometheus job (or '' without one). */
  readonly scraper: string;
  readonly accept: string | undefined;
  readonly status: number;
  readonly contentType: string | undefined;
}

/** What the child sends once ready. */
export interface TargetReady {
  readonly everyTypePort: number;
  /** When the registry was filled (ms since the epoch): the timestamp of `formats_last_sync`. */
  readonly startedAt: number;
}

const SEED = new URL('../../samples/python-example-1.js', import.meta.url);
const send = process.send?.bind(process);
if (send === undefined) throw new Error('formats-target: run as a child process with an IPC channel');

// -------------------------------------------------------------------------------------------------
// The registry with every metric type: fixed values, including the ones formats spell differently
// (NaN, ±Inf, tiny and huge numbers, bounds written in exponent form, label values to escape).

const startedAt = Date.now();
const registry = new Registry({ created: true, labels: { region: 'eu-west' } });

const requests = new Counter({
  name: 'formats_requests',
  help: 'Requests by route and code',
  labelNames: ['route', 'code'],
  registry,
});
requests.labels('/api', '200').inc(7);
requests.labels('/api', '500').inc(2.5);
requests.labels('quote " backslash \\ newline \n é', '200').inc(1e-3);

const temperature = new Gauge({
  name: 'formats_temperature',
  unit: 'celsius',
  help: 'Sensor reading',
  labelNames: ['sensor'],
  registry,
});
temperature.labels('negative').set(-3.25);
temperature.labels('tiny').set(5e-324);
temperature.labels('huge').set(1.7e308);
temperature.labels('nan').set(NaN);
temperature.labels('plus_inf').set(Infinity);
temperature.labels('minus_inf').set(-Infinity);

const latency = new Histogram({
  name: 'formats_latency_seconds',
  help: 'Latency with bounds in plain and exponent form',
  labelNames: ['method'],
  buckets: [1e-5, 0.005, 0.1, 1, 2.5, 1e6],
  registry,
});
for (const seconds of [3e-6, 0.004, 0.05, 0.05, 0.7, 3, 2e6]) latency.labels('GET').observe(seconds);
latency.labels('POST').observe(0.2);

const payload = new Summary({
  name: 'formats_payload',
  unit: 'bytes',
  help: 'Payload sizes',
  percentiles: [0.5, 0.9, 0.99],
  registry,
});
for (let i = 1; i <= 100; i++) payload.observe(i * 10);

new Info({ name: 'formats_build', help: 'Build facts', registry }).info({ version: '1.2.3', revision: 'abc123' });

const phase = new Enum({
  name: 'formats_phase',
  help: 'Worker phase',
  labelNames: ['worker'],
  states: ['starting', 'running', 'stopped'],
  registry,
});
phase.labels('w1').state('running');
phase.labels('w2').state('stopped');

// A name outside the legacy set: every format here is asked for `underscores`, so all write
// formats_utf8_name{zone_name="..."}.
const utf8 = new Gauge({ name: 'formats.utf8.name', help: 'A UTF-8 name', labelNames: ['zone.name'], registry });
utf8.labels('α').set(1);

registry.registerCollector(
  () => [
    {
      name: 'formats_legacy_queue',
      help: 'Queue depth from a collector',
      type: 'unknown',
      samples: [
        { labels: { queue: 'a' }, value: 3 },
        { labels: { queue: 'b' }, value: -1.5 },
      ],
    },
    // A timestamp of its own (recent, so Prometheus accepts it): the same in every format.
    {
      name: 'formats_last_sync',
      help: 'Last sync, observed earlier',
      type: 'gauge',
      samples: [{ value: 42, timestamp: startedAt }],
    },
  ],
  'formatsCollector',
);

// -------------------------------------------------------------------------------------------------
// Recording: Node publishes every finished response on this channel. The handlers set their headers
// with writeHead(status, headers), which getHeader() cannot read back: the header block can.

const exchanges: TargetExchange[] = [];
/** Set once the every-type server listens; the seed's server is on another port. */
let everyTypePort = -1;

function contentTypeOf(response: ServerResponse): string | undefined {
  const block = (response as unknown as { _header?: string })._header ?? '';
  return /^content-type: *(.*?)\r$/im.exec(block)?.[1];
}

subscribe('http.server.response.finish', (message) => {
  type Finished = { request: IncomingMessage; response: ServerResponse; server: Server };
  const { request, response, server } = message as Finished;
  const url = new URL(request.url ?? '/', 'http://target');
  exchanges.push({
    server: (server.address() as AddressInfo | null)?.port === everyTypePort ? 'every-type' : 'seed',
    scraper: url.searchParams.get('scraper') ?? '',
    accept: request.headers.accept,
    status: response.statusCode,
    contentType: contentTypeOf(response),
  });
});

const everyType = await exposeMetrics(0, { host: '127.0.0.1', registry });
everyTypePort = everyType.port;

// The seed reads PORT and REQUESTS from the environment the spec gives this process.
await import(SEED.href);

process.on('message', (message) => {
  if (message === 'exchanges') send({ exchanges });
});
send({ everyTypePort: everyType.port, startedAt } satisfies TargetReady);
