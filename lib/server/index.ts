/** The HTTP side: the standalone server and the handler for existing web servers. */
import type { ExposeMetricsOptions } from './options.js';
import type { MetricsServer } from './server.js';

export type { MetricsServer } from './server.js';
export { metricsHandler, type MetricsRequestHandler } from './handler.js';
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
  // The server (with node:http and node:https) is loaded by the first call, not at import: most
  // processes serve their metrics through metricsHandler() in a server of their own, or not at all.
  const server = await import('./server.js');
  return server.exposeMetrics(port, options);
}
