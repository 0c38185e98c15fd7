/**
 * The server that stream-slow-client.spec reads slowly: started there as a child process with
 * `node --expose-gc`, so its heap is measured after real collections and apart from the clients'
 * sockets. Its registry is the large one of the scrape benchmarks: 100,000 counter series and
 * 10,000 histogram series (2 labels, 11 buckets), about 18 MB of text 0.0.4.
 *
 * Protocol (IPC): the parent sends `{ id, command, ...args }`, the child answers `{ id, ...result }`.
 * - start `{ options }`: starts exposeMetrics on 127.0.0.1; answers `{ port }`.
 * - heap: full collections, then `{ heapUsed, external }` (external holds Buffers: chunks, bodies).
 * - stats: `{ connections, requests }`.
 * - cpu: `{ cpuMs }`, the process's CPU time so far (user + system).
 */
import {
  Counter,
  Histogram,
  Registry,
  exposeMetrics,
  type ExposeMetricsOptions,
  type MetricsServer,
} from '../../lib/index.js';

const gc = (globalThis as { gc?: () => void }).gc;
const send = process.send?.bind(process);
if (gc === undefined || send === undefined) {
  throw new Error('stream-target: run with node --expose-gc as a child process with IPC');
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const registry = new Registry();
for (let m = 0; m < 100; m++) {
  const counter = new Counter({
    name: `app_requests_${m}`,
    help: 'Requests',
    labelNames: ['method', 'route'],
    registry,
  });
  for (let j = 0; j < 1000; j++) counter.labels(METHODS[j & 3]!, `/api/v1/resource/${j}`).inc((j % 97) + 1);
}
for (let m = 0; m < 10; m++) {
  const histogram = new Histogram({
    name: `app_latency_${m}_seconds`,
    help: 'Latency',
    labelNames: ['method', 'route'],
    buckets: BUCKETS,
    registry,
  });
  for (let j = 0; j < 1000; j++) histogram.labels(METHODS[j & 3]!, `/api/v1/resource/${j}`).observe((j % 1024) / 300);
}

let server: MetricsServer | undefined;
let requests = 0;

interface Command {
  id: number;
  command: 'start' | 'heap' | 'stats' | 'cpu';
  options?: ExposeMetricsOptions;
}

async function run(message: Command): Promise<object> {
  switch (message.command) {
    case 'start':
      server = await exposeMetrics(0, { ...message.options, host: '127.0.0.1', registry });
      server.server.on('request', () => requests++);
      return { port: server.port };
    case 'heap': {
      // Twice: the first may only schedule finalizers.
      gc!();
      gc!();
      const { heapUsed, external } = process.memoryUsage();
      return { heapUsed, external };
    }
    case 'stats': {
      const connections = await new Promise<number>((resolve, reject) =>
        server!.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
      );
      return { connections, requests };
    }
    case 'cpu': {
      const { user, system } = process.cpuUsage();
      return { cpuMs: (user + system) / 1000 };
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
