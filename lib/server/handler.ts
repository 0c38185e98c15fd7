/**
 * The scrape request handler: authentication, method, admission, content negotiation,
 * `name[]` filtering, gzip. HTTP only; formatting is the exposition module's, sending the body
 * as it is rendered is send-body.ts's.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { negotiate } from '../exposition/negotiate.js';
import { SlicedRender } from '../exposition/render.js';
import { CollectionTimeoutError, type Registry } from '../registry.js';
import type { MetricFamily } from '../snapshot.js';
import { acceptsGzip } from './accept-encoding.js';
import { createAdmission } from './admission.js';
import { BASIC_AUTH_CHALLENGE, basicAuthChecker } from './basic-auth.js';
import { filterFamilies, requestedNames } from './name-filter.js';
import type { HandlerConfig } from './options.js';
import { clientGone, sendRendered } from './send-body.js';
import { setSendTimeout, startSendDeadline } from './send-deadline.js';
import { onSocketClose } from './socket-close.js';
import { createTurnQueue } from './turns.js';

/**
 * A request handler for `node:http`/`node:https` servers, usable as-is as an Express handler.
 * It never throws and never rejects: every failure becomes an HTTP answer.
 */
export type MetricsRequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** Seconds a client told 503 should wait before scraping again. */
const RETRY_AFTER_SECONDS = '1';

/**
 * Sends a short plain-text answer, under the response's send deadline; if a response was already
 * started, cuts the connection.
 */
export function sendPlain(res: ServerResponse, status: number, text: string, headers: OutgoingHttpHeaders = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = Buffer.from(`${text}\n`, 'utf8');
  res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': body.length });
  res.end(body);
  startSendDeadline(res);
}

/**
 * @internal Builds the handler from validated options: {@link metricsHandler} (server/index.ts) and
 * {@link exposeMetrics} both load this module when first called.
 */
export function createScrapeHandler(registry: Registry, config: HandlerConfig): MetricsRequestHandler {
  const authorized = config.basicAuth === undefined ? () => true : basicAuthChecker(config.basicAuth);
  const admit = createAdmission(config.maxConcurrentScrapes, config.maxQueuedScrapes);
  const nextTurn = createTurnQueue();

  return (req, res) => {
    setSendTimeout(res, config.sendTimeout);
    if (!authorized(req.headers.authorization)) {
      sendPlain(res, 401, 'Unauthorized', { 'WWW-Authenticate': BASIC_AUTH_CHALLENGE });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendPlain(res, 405, 'Method Not Allowed', { Allow: 'GET, HEAD' });
      return;
    }
    const admitted = admit(req, res, () => {
      scrape(registry, config, nextTurn, req, res)
        .catch((error: unknown) =>
          sendPlain(res, 500, `Error rendering metrics: ${error instanceof Error ? error.message : String(error)}`),
        )
        .catch(() => res.destroy()); // never an unhandled rejection, whatever the response's state
    });
    if (!admitted) sendPlain(res, 503, 'Too many concurrent scrapes', { 'Retry-After': RETRY_AFTER_SECONDS });
  };
}

/** Time left to answer within, subtracted from the scraper's own timeout so our 503 reaches it. */
const ANSWER_MARGIN_MS = 250;

/**
 * How long the collectors of one scrape may take: the handler's `collectTimeout`, or less when
 * Prometheus says (X-Prometheus-Scrape-Timeout-Seconds) that it gives up sooner.
 */
function collectTimeoutMs(config: HandlerConfig, req: IncomingMessage): number {
  const header = req.headers['x-prometheus-scrape-timeout-seconds'];
  const seconds = typeof header === 'string' ? Number(header) : NaN;
  if (!(seconds > 0 && seconds < 86_400)) return config.collectTimeout;
  const scraperMs = seconds * 1000;
  return Math.max(1, Math.min(config.collectTimeout, Math.max(scraperMs - ANSWER_MARGIN_MS, scraperMs / 2)));
}

async function scrape(
  registry: Registry,
  config: HandlerConfig,
  nextTurn: () => Promise<void>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { format, escaping, contentType } = negotiate(req.headers.accept);
  // Collecting and rendering are the CPU-heavy part: one scrape starts per event-loop turn.
  await nextTurn();
  if (clientGone(req, res)) return; // the client left while it waited: no collector work for it
  let families: MetricFamily[];
  // A client that leaves stops the collection, or its wait for its turn. A response queued behind
  // a pipelined one gets no close of its own when the connection dies: its socket's close says it.
  const left = new AbortController();
  const onClose = (): void => left.abort();
  res.once('close', onClose);
  const stopWatchingSocket = onSocketClose(req.socket, onClose);
  try {
    families = await registry.collect({ timeoutMs: collectTimeoutMs(config, req), signal: left.signal });
  } catch (error) {
    if (clientGone(req, res)) return;
    // Both errors name the metric or collector that failed or did not finish.
    if (error instanceof CollectionTimeoutError)
      sendPlain(res, 503, error.message, { 'Retry-After': RETRY_AFTER_SECONDS });
    else sendPlain(res, 500, error instanceof Error ? error.message : `Collecting metrics failed: ${String(error)}`);
    return;
  } finally {
    res.off('close', onClose);
    stopWatchingSocket();
  }
  // The collection's last slice had this turn: the render starts in the next.
  await nextTurn();
  if (clientGone(req, res)) return;
  const render = new SlicedRender(filterFamilies(families, requestedNames(req.url)), format, { escaping });
  const compress = config.gzip && acceptsGzip(req.headers['accept-encoding']);
  const headers: OutgoingHttpHeaders = { 'Content-Type': contentType, Vary: 'Accept, Accept-Encoding' };
  if (compress) headers['Content-Encoding'] = 'gzip';
  await sendRendered(req, res, render, headers, compress);
}
