/**
 * The target process of native-e2e.spec, started there with an IPC channel: a service whose method
 * is timed by `@Timed` into a native histogram (`native: true`, schema 3), called with durations
 * from a known distribution, then served on 127.0.0.1 for a real Prometheus to scrape.
 *
 * The durations are made, not waited for: `performance.now` (which the library's clock reads from
 * globalThis at each call) is replaced by a script that answers 0 when the timer starts and the
 * chosen number of milliseconds when it ends, so each call "takes" exactly that long and the timer
 * observes `ms / 1000` with no rounding. Outside a scripted call it answers the real clock.
 *
 * The durations are log-uniform from 1 ms to 10 s (a seeded generator, both ends included), all
 * recorded before the server listens, so every scrape sees the same histogram.
 *
 * Its one argument is the number of calls to make (at least 2).
 *
 * Protocol (IPC): once it listens, the child sends `NativeTargetReady`; to "exchanges" it answers
 * `{ exchanges: NativeTargetExchange[] }` (the Accept and Content-Type of every HTTP exchange).
 * SIGTERM stops it.
 */
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Histogram, Registry, Timed, exposeMetrics } from '../../lib/index.js';
import { seededRandom } from '../support/seeded-random.js';

/** The name of the native histogram the service is timed by. */
const NATIVE_METRIC = 'native_e2e_call_duration_seconds';
/** The seed of the durations. */
const SEED = 0x5eed_12;
const MIN_MS = 1;
const MAX_MS = 10_000;

/** What the child sends once it listens. */
export interface NativeTargetReady {
  readonly port: number;
  /** The native histogram's name. */
  readonly metric: string;
  /** Every observed duration in seconds, in call order (as the histogram added them). */
  readonly observedSeconds: readonly number[];
}

/** One HTTP exchange as the target saw it. */
export interface NativeTargetExchange {
  readonly accept: string | undefined;
  readonly status: number;
  readonly contentType: string | undefined;
}

const send = process.send?.bind(process);
if (send === undefined) throw new Error('native-target: run as a child process with an IPC channel');
const calls = Number(process.argv[2]);
if (!Number.isInteger(calls) || calls < 2)
  throw new RangeError(`native-target: calls must be >= 2, got ${process.argv[2]}`);

/** Durations in ms, log-uniform in [MIN_MS, MAX_MS], the two ends included once each. */
function durationsMs(count: number): number[] {
  const random = seededRandom(SEED);
  const decades = Math.log10(MAX_MS / MIN_MS);
  const drawn = Array.from({ length: count - 2 }, () => MIN_MS * 10 ** (decades * random()));
  return [MIN_MS, ...drawn, MAX_MS];
}

// -------------------------------------------------------------------------------------------------
// The scripted clock: readings queued for the next calls of performance.now, the real clock otherwise.

const realNow = performance.now.bind(performance);
const scripted: number[] = [];
performance.now = () => (scripted.length > 0 ? scripted.shift()! : realNow());

const registry = new Registry();
const callDuration = new Histogram({
  name: NATIVE_METRIC,
  help: 'Duration of Service.call, a native histogram',
  native: true,
  registry,
});

class Service {
  @Timed(callDuration)
  call(): void {}
}

const service = new Service();
const observedSeconds: number[] = [];
for (const ms of durationsMs(calls)) {
  scripted.push(0, ms);
  service.call();
  if (scripted.length !== 0) throw new Error(`native-target: the timer read the clock ${2 - scripted.length} times`);
  observedSeconds.push((ms - 0) / 1000);
}

// -------------------------------------------------------------------------------------------------
// Recording: Node publishes every finished response on this channel. The handler sets its headers
// with writeHead(status, headers), which getHeader() cannot read back: the header block can.

const exchanges: NativeTargetExchange[] = [];

subscribe('http.server.response.finish', (message) => {
  const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
  const block = (response as unknown as { _header?: string })._header ?? '';
  exchanges.push({
    accept: request.headers.accept,
    status: response.statusCode,
    contentType: /^content-type: *(.*?)\r$/im.exec(block)?.[1],
  });
});

const server = await exposeMetrics(0, { host: '127.0.0.1', registry });

process.on('message', (message) => {
  if (message === 'exchanges') send({ exchanges });
});
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
send({ port: server.port, metric: NATIVE_METRIC, observedSeconds } satisfies NativeTargetReady);
