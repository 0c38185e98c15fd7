/**
 * The server attacked in hardening.spec: started there as a child process with `node --expose-gc`,
 * so its heap is measured after real collections and apart from the attackers' sockets and buffers.
 *
 * One registry behind two servers, HTTP and HTTPS, with the short deadlines the parent sends. The
 * registry renders about 17 MB in full: 17,000 ordinary series (about 1.2 MB, what
 * `?name[]=app_requests&name[]=app_in_flight` selects) and a collector's family of 256 samples
 * with a 64 KiB label each, which keeps the heap small between scrapes (one shared string).
 *
 * Protocol (IPC): the parent sends `{ id, command, ...args }`, the child answers `{ id, ...result }`.
 * - start `{ options, tls }`: starts both servers; answers `{ httpPort, httpsPort }`.
 * - heap: full collections, then `{ heapUsed, external }`.
 * - stats: `{ requests, connections: { http, https } }` (requests seen since start).
 * - close: closes both servers at once; answers `{ httpMs, httpsMs }`, how long each close() took.
 */
import type { AddressInfo } from 'node:net';
import {
  Counter,
  Gauge,
  Registry,
  exposeMetrics,
  type ExposeMetricsOptions,
  type MetricsServer,
} from '../../lib/index.js';

const SERIES_PER_FAMILY = 8_500;
const BULK_SAMPLES = 256;
const BULK_LABEL_BYTES = 64 * 1024;

const gc = (globalThis as { gc?: () => void }).gc;
const send = process.send?.bind(process);
if (gc === undefined || send === undefined) {
  throw new Error('hardening-target: run with node --expose-gc as a child process with IPC');
}

const registry = new Registry();
const requests = new Counter({ name: 'app_requests', help: 'Requests', labelNames: ['route', 'status'], registry });
const inFlight = new Gauge({ name: 'app_in_flight', help: 'In flight', labelNames: ['route', 'worker'], registry });
for (let i = 0; i < SERIES_PER_FAMILY; i++) {
  requests.labels({ route: `/api/v1/resource/${i % 1000}`, status: String(200 + Math.floor(i / 1000)) }).inc(i);
  inFlight.labels({ route: `/api/v1/resource/${i % 1000}`, worker: String(Math.floor(i / 1000)) }).set(i / 7);
}
const pad = 'x'.repeat(BULK_LABEL_BYTES);
registry.registerCollector(function bulkCollector() {
  const samples = Array.from({ length: BULK_SAMPLES }, (_, shard) => ({ labels: { shard, pad }, value: shard }));
  return [{ name: 'bulk_payload', help: 'Large label values, to make a large body', type: 'gauge', samples }];
});

/** Heap after full collections (twice: the first may only schedule finalizers). */
function settledMemory(): { heapUsed: number; external: number } {
  gc!();
  gc!();
  const { heapUsed, external } = process.memoryUsage();
  return { heapUsed, external };
}

const connections = (server: MetricsServer | undefined): Promise<number> =>
  new Promise((resolve, reject) => {
    if (server === undefined || !server.server.listening) return resolve(0);
    server.server.getConnections((error, count) => (error ? reject(error) : resolve(count)));
  });

const timed = async (close: () => Promise<void>): Promise<number> => {
  const started = performance.now();
  await close();
  return Math.round(performance.now() - started);
};

let http: MetricsServer | undefined;
let https: MetricsServer | undefined;
let seen = 0;

interface Command {
  id: number;
  command: 'start' | 'heap' | 'stats' | 'close';
  options?: ExposeMetricsOptions;
  tls?: { key: string; cert: string };
}

async function run(message: Command): Promise<object> {
  switch (message.command) {
    case 'start': {
      const options = { ...message.options, host: '127.0.0.1', registry };
      http = await exposeMetrics(0, options);
      https = await exposeMetrics(0, { ...options, tls: message.tls });
      for (const server of [http, https]) server.server.on('request', () => seen++);
      return { httpPort: (http.server.address() as AddressInfo).port, httpsPort: https.port };
    }
    case 'heap':
      return settledMemory();
    case 'stats':
      return { requests: seen, connections: { http: await connections(http), https: await connections(https) } };
    case 'close': {
      const [httpMs, httpsMs] = await Promise.all([timed(() => http!.close()), timed(() => https!.close())]);
      return { httpMs, httpsMs };
    }
  }
}

process.on('message', (message: Command) => {
  run(message).then(
    (result) => send({ id: message.id, ...result }),
    (error: unknown) => send({ id: message.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
send({ ready: true });
