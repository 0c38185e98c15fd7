/** exposeMetrics: a standalone HTTP(S) server for the metrics endpoint, and its lifecycle. */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { answerClientError, type ResponsesBySocket } from './client-error.js';
import { trackConnections } from './connections.js';
import { createScrapeHandler, sendPlain } from './handler.js';
import { resolveServerOptions, type ExposeMetricsOptions, type ServerConfig } from './options.js';
import { setSendTimeout } from './send-deadline.js';

/** A running metrics server, as {@link exposeMetrics} resolves it. */
export interface MetricsServer extends AsyncDisposable {
  /** The port listened on: the one the OS picked when 0 was asked. */
  readonly port: number;
  /** The address listened on, as the OS reports it (`::` or `0.0.0.0` for all interfaces). */
  readonly host: string;
  /** The path the metrics are served on. */
  readonly path: string;
  /** Where to scrape, e.g. `http://localhost:8000/metrics` (`localhost` stands for all interfaces). */
  readonly url: string;
  /** The underlying Node server, for listeners of your own. */
  readonly server: HttpServer | HttpsServer;
  /**
   * Stops accepting connections, closes idle keep-alive connections, lets scrapes in progress
   * finish for up to `closeTimeout` ms, then cuts every connection left, and resolves once the
   * server is closed. Calling it again returns the same promise.
   */
  close(): Promise<void>;
}

/**
 * Inactivity after which a connection is dropped. A backstop only: the deadlines (headers, request,
 * TLS handshake, send, keep-alive) bound each phase, and Node skips this timer while a write drains.
 */
const SOCKET_IDLE_TIMEOUT_MS = 60_000;

/** How often Node checks the header and request timeouts (its default, 30 s, makes them coarse). */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

/**
 * The path of a request target, in origin form (`/metrics?x`) or absolute form
 * (`http://host/metrics`, RFC 7230 §5.3.2, as proxies send it); undefined when it is neither (an
 * asterisk, another scheme, garbage), which no path matches. Origin form is parsed after a base of
 * our own, so `//x/metrics` stays a path and does not become a host.
 */
function pathOf(target: string | undefined): string | undefined {
  if (target === undefined) return undefined;
  try {
    const url = new URL(target.startsWith('/') ? `http://localhost${target}` : target);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.pathname : undefined;
  } catch {
    return undefined; // not a URL: whatever the client sent must not throw here
  }
}

function createNodeServer(
  config: ServerConfig,
  listener: (req: IncomingMessage, res: ServerResponse) => void,
): HttpServer | HttpsServer {
  const options = {
    headersTimeout: config.headersTimeout,
    requestTimeout: config.requestTimeout,
    connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
  };
  let server: HttpServer | HttpsServer;
  if (config.tls === undefined) {
    server = createHttpServer(options, listener);
  } else {
    try {
      // The handshake comes before the headers: unless told otherwise, a client that never
      // finishes it gets no longer than for them (Node's own default is two minutes).
      const handshakeTimeout = config.tls.handshakeTimeout ?? config.headersTimeout;
      server = createHttpsServer({ ...config.tls, ...options, handshakeTimeout }, listener);
    } catch (error) {
      throw new TypeError(
        `exposeMetrics: options.tls is not usable: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  }
  server.keepAliveTimeout = config.keepAliveTimeout;
  server.setTimeout(SOCKET_IDLE_TIMEOUT_MS);
  return server;
}

function listenError(error: NodeJS.ErrnoException, config: ServerConfig): Error {
  const where = `${config.host ?? 'all interfaces'} port ${config.port}`;
  const reason =
    error.code === 'EADDRINUSE'
      ? `port ${config.port} is already in use`
      : error.code === 'EACCES'
        ? `permission denied to listen on port ${config.port}`
        : error.message;
  return Object.assign(
    new Error(`exposeMetrics: cannot listen on ${where}: ${reason} (${error.code ?? 'error'})`, { cause: error }),
    { code: error.code },
  );
}

function urlHost(config: ServerConfig): string {
  const host = config.host;
  if (host === undefined || host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

/** {@link exposeMetrics} of server/index.ts, the public one, which loads this module on its first call. */
export async function exposeMetrics(port: number, options?: ExposeMetricsOptions): Promise<MetricsServer> {
  const config = resolveServerOptions(port, options);
  const handle = createScrapeHandler(config.registry, config);
  const responses: ResponsesBySocket = new WeakMap();
  let closing = false;

  const server = createNodeServer(config, (req, res) => {
    setSendTimeout(res, config.sendTimeout);
    const socket = req.socket;
    const unfinished = responses.get(socket) ?? new Set();
    responses.set(socket, unfinished.add(res));
    res.once('close', () => {
      unfinished.delete(res);
      // A keep-alive connection whose scrape was in progress at close() is idle now.
      if (closing) server.closeIdleConnections();
    });
    if (closing) res.setHeader('Connection', 'close');
    if (pathOf(req.url) !== config.path) {
      sendPlain(res, 404, 'Not Found');
      return;
    }
    handle(req, res);
  });
  const connections = trackConnections(server, config.tls !== undefined);
  const clientErrorContext = { responses, connections, sendTimeout: config.sendTimeout };
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    answerClientError(error, socket, clientErrorContext);
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => reject(listenError(error, config));
    server.once('error', onError);
    server.listen({ port: config.port, host: config.host }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  // After listening, server errors (e.g. EMFILE on accept) are transient: Node keeps accepting.
  // Without a listener they would crash the host process, so report each kind once.
  const reported = new Set<string | undefined>();
  server.on('error', (error: NodeJS.ErrnoException) => {
    if (reported.has(error.code)) return;
    reported.add(error.code);
    process.emitWarning(`prometric metrics server: ${error.message}`, { code: 'PROMETRIC_SERVER_ERROR' });
  });

  const address = server.address() as AddressInfo;
  const protocol = config.tls === undefined ? 'http' : 'https';
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve, reject) => {
      closing = true;
      // Node stops enforcing the headers timeout once closing: without the cut, a client that
      // trickles header bytes (or stalls a TLS handshake, or never reads) would hold close() open.
      const cut = setTimeout(() => {
        server.closeAllConnections();
        connections.destroyAll(); // also those Node's HTTP layer does not know of (mid-handshake)
      }, config.closeTimeout);
      server.close((error) => {
        clearTimeout(cut);
        if (error) reject(error);
        else resolve();
      });
      server.closeIdleConnections();
    });
    return closed;
  };
  return Object.freeze({
    port: address.port,
    host: address.address,
    path: config.path,
    url: `${protocol}://${urlHost(config)}:${address.port}${config.path}`,
    server,
    close,
    [Symbol.asyncDispose]: close,
  });
}
