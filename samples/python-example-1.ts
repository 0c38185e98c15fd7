/**
 * A port of the first Python client example (shared/seeds/python-client-example-1.md): a Summary
 * times the request, a labeled Counter counts calls and errors, a Gauge is set, and the metrics
 * are served for Prometheus at http://localhost:8000/metrics.
 *
 * Corrections to the Python original: `count_exceptions()` and `inc()` on a counter with labels
 * raise in Python, so both are given label values here; the busy `while True` loop that kept the
 * Python process alive is not needed, the server keeps Node running.
 *
 * Run: npm start   (PORT=0 picks a free port; HOST=127.0.0.1 serves on that address only, the default
 * is every address as in Python's start_http_server; REQUESTS=n processes n requests, default 1)
 */
import { Counter, Gauge, Summary, exposeMetrics } from 'prometric';

// Create a metric to track time spent and requests made.
const REQUEST_TIME = new Summary('request_processing_seconds', 'Time spent processing request');
// A Counter is exposed as my_counter_total; its label names are typed, so a misspelt label does not compile.
const MY_COUNTER = new Counter('my_counter', 'sample counter metric', ['label1', 'label2']);
const MY_GAUGE = new Gauge('my_gauge', 'sample gauge metric');

const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

class RequestProcessor {
  /** A dummy request handler that takes some time. */
  @REQUEST_TIME.time()
  @MY_COUNTER.countExceptions({ labels: { label1: 'exception', label2: 'process_request' } })
  async processRequest(t: number): Promise<void> {
    MY_COUNTER.labels({ label1: 'process_request', label2: 'calls' }).inc(); // every call, by 1
    MY_GAUGE.set(10); // set the gauge to 10
    MY_GAUGE.inc(); // up by 1
    MY_GAUGE.dec(); // down by 1
    MY_COUNTER.labels({ label1: 'value1', label2: 'value2' }).inc(5); // the labeled series, by 5
    await sleep(t);
  }
}

const port = Number(process.env.PORT ?? 8000);
const host = process.env.HOST || undefined;
const requests = Number(process.env.REQUESTS ?? 1);

// Start the server to expose the metrics.
const server = await exposeMetrics(port, { host });
console.log(`Serving metrics at http://${host ?? 'localhost'}:${server.port}/metrics`);

// Generate some requests.
const processor = new RequestProcessor();
for (let i = 0; i < requests; i++) await processor.processRequest(Math.random() / 10);
console.log(`Processed ${requests} requests`);

const stop = async () => {
  await server.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
