/**
 * metricsHandler in an Express app: a middleware measures the app's requests, and the same app
 * serves the metrics on /metrics (no second port, unlike exposeMetrics).
 *
 * Run: npm run build && npx tsc -p tsconfig.samples.json && node build-samples/express-app.js
 * then: curl http://localhost:3000/hello/world && curl http://localhost:3000/metrics
 * (PORT=0 picks a free port.)
 */
import express from 'express';
import { Histogram, metricsHandler } from 'prometric';

const REQUEST_DURATION = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'Duration of HTTP requests',
  labelNames: ['method', 'route', 'status'],
});

const app = express();

// Label by the matched route pattern, not the raw URL, so the number of series stays bounded.
app.use((req, res, next) => {
  const end = REQUEST_DURATION.startTimer({ method: req.method });
  res.once('finish', () =>
    end({ route: (req.route as { path?: string } | undefined)?.path ?? 'unmatched', status: String(res.statusCode) }),
  );
  next();
});

app.get('/hello/:name', (req, res) => {
  res.send(`Hello, ${req.params.name}!\n`);
});

// GET and HEAD reach the handler; it negotiates text or OpenMetrics, gzips, and filters with ?name[]=.
app.get('/metrics', metricsHandler());

const server = app.listen(Number(process.env.PORT ?? 3000), () => {
  const { port } = server.address() as { port: number };
  console.log(`Serving metrics at http://localhost:${port}/metrics`);
});

const stop = (): void => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
