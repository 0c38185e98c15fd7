/**
 * A port of the second Python client example (shared/seeds/python-client-example-2.md): one
 * Summary times a request handler that is called forever, and the metrics, with the default
 * process and Node.js metrics beside them, are served at http://localhost:8080/metrics.
 *
 * The Python original blocks in `time.sleep`; here the handler is async and is timed until its
 * promise settles.
 *
 * Run: npm run sample:example-2   (PORT overrides 8080)
 */
import { Summary, exposeMetrics } from 'prometric';

// Create a metric to track time spent and requests made.
const REQUEST_TIME = new Summary('request_processing_seconds', 'Time spent processing request');

class RequestProcessor {
  /** A dummy function that takes some time. */
  @REQUEST_TIME.time()
  async processRequest(t: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, t * 1000));
  }
}

// Start up the server to expose the metrics.
const server = await exposeMetrics(Number(process.env.PORT ?? 8080));
console.log(`Serving metrics at http://localhost:${server.port}/metrics`);

let running = true;
const stop = async () => {
  running = false;
  await server.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

// Generate some requests.
const processor = new RequestProcessor();
while (running) await processor.processRequest(Math.random());
