/** The HTTP side: the standalone server and the handler for existing web servers. */
export { exposeMetrics, type MetricsServer } from './server.js';
export { metricsHandler, type MetricsRequestHandler } from './handler.js';
export type { BasicAuthCredentials, ExposeMetricsOptions, MetricsHandlerOptions } from './options.js';
