/**
 * The first Python example's service (shared/seeds/python-client-example-1.md) on 4 node:cluster
 * workers, with one metrics endpoint in the primary: http://localhost:8000/metrics exposes the sum
 * of every worker's metrics. Each worker answers http://localhost:8001/ by processing one request
 * (the decorated method), and also processes a request now and then on its own, as the Python
 * example's loop does. Kill a worker (`kill -9 <pid>`): the primary forks another, and its
 * counters keep the dead worker's counts.
 *
 * Run: npm run sample:cluster   (PORT: metrics port, default 8000; APP_PORT: the service's port,
 * default 8001; WORKERS: default 4; HOST: the address to serve on, default every address)
 */
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import { Counter, Gauge, Summary, aggregateClusterMetrics, exposeMetrics } from 'prometric';

const REQUEST_TIME = new Summary('request_processing_seconds', 'Time spent processing request');
const MY_COUNTER = new Counter('my_counter', 'sample counter metric', ['label1', 'label2']);
// The workers' last values are summed by default; the largest is what this gauge means.
const MY_GAUGE = new Gauge({ name: 'my_gauge', help: 'sample gauge metric', aggregate: 'max' });

const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

class RequestProcessor {
  /** A dummy request handler that takes some time. */
  @REQUEST_TIME.time()
  @MY_COUNTER.countExceptions({ labels: { label1: 'exception', label2: 'process_request' } })
  async processRequest(t: number): Promise<void> {
    MY_COUNTER.labels({ label1: 'process_request', label2: 'calls' }).inc();
    MY_GAUGE.set(10);
    MY_COUNTER.labels({ label1: 'value1', label2: 'value2' }).inc(5);
    await sleep(t);
  }
}

const host = process.env.HOST || undefined;
const appPort = Number(process.env.APP_PORT ?? 8001);

if (cluster.isPrimary) {
  // Before fork(): the workers learn from their environment that they report to this process.
  const aggregation = aggregateClusterMetrics();
  const workers = Number(process.env.WORKERS ?? 4);
  for (let i = 0; i < workers; i++) cluster.fork();
  let stopping = false;
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    console.log(`worker ${worker.id} exited (${signal ?? code}); forking a replacement`);
    cluster.fork();
  });
  const server = await exposeMetrics(Number(process.env.PORT ?? 8000), { host });
  console.log(`Serving the ${workers} workers' metrics at http://${host ?? 'localhost'}:${server.port}/metrics`);
  const stop = async () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill();
    aggregation.stop();
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} else {
  const processor = new RequestProcessor();
  createServer((_request, response) => {
    processor.processRequest(Math.random() / 10).then(
      () => response.end('processed\n'),
      () => response.writeHead(500).end(),
    );
  }).listen(appPort, host);
  // The Python example's loop: a request now and then.
  const tick = async (): Promise<void> => {
    await processor.processRequest(Math.random() / 10);
    setTimeout(tick, 1000).unref();
  };
  void tick();
}
