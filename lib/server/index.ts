/**
 * The HTTP side: the standalone server and the handler for existing web servers.
 *
 * Both load their modules (and node:http, node:https) when first called, not at import: a process
 * that serves no metrics over HTTP, or only through one of them, does not pay for the rest.
 */
import type { Registry } from '../registry.js';
import type { MetricsRequestHandler } from './handler.js';
import {
  resolveHandlerOptions,
  resolveRegistry,
  type ExposeMetricsOptions,
  type MetricsHandlerOptions,
} from './options.js';
import type { MetricsServer } from './server.js';

export type { MetricsServer } from './server.js';
export type { MetricsRequestHandler } from './handler.js';
export type { BasicAuthCredentials, ExposeMetricsOptions, MetricsHandlerOptions } from './options.js';

/**
 * Starts an HTTP server (HTTPS with `tls`) that serves the registry's metrics on `path`, as
 * Python's `start_http_server(port)`. Resolves once listening.
 *
 * ```ts
 * const server = await exposeMetrics(8000);
 * console.log(`Serving metrics at ${server.url}`);
 * ```
 *
 * @param port the port to listen on; 0 lets the OS pick one (read it from `server.port`).
 * @throws TypeError or RangeError (synchronously as a rejected promise) when an option is invalid;
 *   the promise rejects when the port cannot be listened on (e.g. `code: 'EADDRINUSE'`).
 */
export async function exposeMetrics(port: number, options?: ExposeMetricsOptions): Promise<MetricsServer> {
  const server = await import('./server.js');
  return server.exposeMetrics(port, options);
}

/**
 * A request handler that serves the registry's metrics: for `node:http`/`node:https` servers and
 * Express as-is (`app.get('/metrics', metricsHandler())`), and for Koa and Fastify through their
 * raw request and response. It answers GET and HEAD (405 otherwise), negotiates the format from
 * Accept, compresses when Accept-Encoding allows, filters with `?name[]=`, and answers 500 naming
 * the collector when a collection fails. Scrapes past `maxConcurrentScrapes` wait in a queue of
 * `maxQueuedScrapes`; past that, 503 with `Retry-After`. A scrape's slot is freed when its response
 * is sent or its connection closes, and a client gets `sendTimeout` ms to receive a response before
 * its connection is cut. It does not look at the path: mount it where you want it.
 *
 * @param registry the registry to expose, or an array of registries to expose together (their
 *   merged view, {@link Registry.merge}: a name exposed by two of them is answered 500 naming both);
 *   default `defaultRegistry`.
 * @throws TypeError or RangeError when an argument is invalid.
 */
export function metricsHandler(
  registry?: Registry | readonly Registry[],
  options?: MetricsHandlerOptions,
): MetricsRequestHandler {
  const target = resolveRegistry('metricsHandler', registry);
  const config = resolveHandlerOptions(options);
  // The handler's modules load from now on, so by the first scrape they are normally in; a request
  // that comes sooner waits for them.
  let handle: MetricsRequestHandler | undefined;
  const loaded = import('./handler.js').then(({ createScrapeHandler }) => {
    handle = createScrapeHandler(target, config);
    return handle;
  });
  loaded.catch(() => {}); // a failure is answered to each request instead
  return (req, res) => {
    if (handle !== undefined) {
      handle(req, res);
      return;
    }
    loaded.then(
      (ready) => ready(req, res),
      (error: unknown) => {
        if (res.headersSent) res.destroy();
        else {
          const reason = error instanceof Error ? error.message : String(error);
          res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
          res.end(`Loading the metrics handler failed: ${reason}\n`);
        }
      },
    );
  };
}
