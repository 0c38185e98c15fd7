/**
 * Options of the exposition server and handler: their types, defaults and validation. Every
 * check throws a TypeError (wrong type) or RangeError (out of range) naming the option and value.
 */
import type { ServerOptions as TlsServerOptions } from 'node:https';
import { checkOptions } from '../options.js';
import { Registry, defaultRegistry, mergeRegistries } from '../registry.js';
import { show } from '../validation.js';

/** Credentials a scraper must send with HTTP basic authentication. */
export interface BasicAuthCredentials {
  /** Must not contain `:` (RFC 7617). */
  readonly username: string;
  readonly password: string;
}

/** Options of {@link metricsHandler} (and of {@link exposeMetrics}, which builds on it). */
export interface MetricsHandlerOptions {
  /** Compress the body with gzip when the client's Accept-Encoding allows it. Default `true`. */
  readonly gzip?: boolean;
  /** Require HTTP basic authentication with these credentials; 401 otherwise. */
  readonly basicAuth?: BasicAuthCredentials;
  /**
   * How many scrapes this handler serves at once, each from its start until its response is sent
   * (slow readers count: they hold a rendered body). Scrapes past it are not refused but wait in
   * a queue (`maxQueuedScrapes`), started in arrival order as slots free up: the bound limits the
   * memory and work of scrapes, the queue lets a burst of them through. Default 10.
   */
  readonly maxConcurrentScrapes?: number;
  /**
   * How many scrapes may wait for a slot (see `maxConcurrentScrapes`); past it, 503 with
   * `Retry-After`. A waiting scrape costs only its pending request, and leaves the queue when its
   * client disconnects (as Prometheus does at its scrape timeout). 0 refuses every scrape past
   * `maxConcurrentScrapes` at once. Default 100.
   */
  readonly maxQueuedScrapes?: number;
  /**
   * Milliseconds the custom collectors of one scrape have to finish; past it the answer is 503
   * naming those that did not. When Prometheus sends `X-Prometheus-Scrape-Timeout-Seconds`, the
   * deadline is a little shorter than that, so the answer reaches it before it gives up. A
   * collector still running is not called again by later scrapes: they wait for the same call.
   * Default 10 000.
   */
  readonly collectTimeout?: number;
  /**
   * Milliseconds a client has to receive a response once it is written (the whole body handed to
   * the OS); past it the connection is cut, which frees the scrape's slot and its body. Bounds
   * clients that ask for a body and never read it. Raise it if a scraper legitimately needs
   * longer to download a large body. Default 30 000.
   */
  readonly sendTimeout?: number;
}

/** Options of {@link exposeMetrics}. */
export interface ExposeMetricsOptions extends MetricsHandlerOptions {
  /** Address to listen on. Default: all interfaces (`::` and `0.0.0.0`), as Python's client. */
  readonly host?: string;
  /** Path the metrics are served on; any other path gets 404. Default `/metrics`. */
  readonly path?: string;
  /**
   * Registry to expose, or several: an array is served as their merged view ({@link Registry.merge}).
   * Default `defaultRegistry`.
   */
  readonly registry?: Registry | readonly Registry[];
  /** Serve HTTPS with these options (at least `key` and `cert`, or `pfx`). */
  readonly tls?: TlsServerOptions;
  /**
   * Milliseconds a client has to send the request headers; over HTTPS it also bounds the TLS
   * handshake, which comes before them. Default 10 000.
   */
  readonly headersTimeout?: number;
  /** Milliseconds a client has to send the whole request. Default 30 000. */
  readonly requestTimeout?: number;
  /** Milliseconds an idle keep-alive connection is kept open. Default 5 000. */
  readonly keepAliveTimeout?: number;
  /**
   * Milliseconds `close()` lets scrapes in progress finish before it cuts every connection left
   * (mid-scrape, mid-headers or mid-handshake), so it resolves in bounded time. 0 cuts them at
   * once. Default 5 000.
   */
  readonly closeTimeout?: number;
}

/** Handler options with their defaults applied. */
export interface HandlerConfig {
  readonly gzip: boolean;
  readonly basicAuth: BasicAuthCredentials | undefined;
  readonly maxConcurrentScrapes: number;
  readonly maxQueuedScrapes: number;
  readonly collectTimeout: number;
  readonly sendTimeout: number;
}

/** Server options with their defaults applied. */
export interface ServerConfig extends HandlerConfig {
  readonly port: number;
  /** `undefined` listens on all interfaces. */
  readonly host: string | undefined;
  readonly path: string;
  readonly registry: Registry;
  readonly tls: TlsServerOptions | undefined;
  readonly headersTimeout: number;
  readonly requestTimeout: number;
  readonly keepAliveTimeout: number;
  readonly closeTimeout: number;
}

const HANDLER_KEYS = [
  'gzip',
  'basicAuth',
  'maxConcurrentScrapes',
  'maxQueuedScrapes',
  'sendTimeout',
  'collectTimeout',
] as const;
const SERVER_KEYS = [
  ...HANDLER_KEYS,
  'host',
  'path',
  'registry',
  'tls',
  'headersTimeout',
  'requestTimeout',
  'keepAliveTimeout',
  'closeTimeout',
] as const;

/** The default of `sendTimeout`, also the deadline of a response that was given none. */
export const DEFAULT_SEND_TIMEOUT_MS = 30_000;
/** The default of `closeTimeout`. */
const DEFAULT_CLOSE_TIMEOUT_MS = 5_000;

/** The largest delay Node's timers accept. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** The server's own options, for the hint when one is given to metricsHandler. */
const SERVER_ONLY: Readonly<Record<string, string>> = Object.fromEntries(
  SERVER_KEYS.filter((key) => !(HANDLER_KEYS as readonly string[]).includes(key)).map((key) => [key, 'exposeMetrics']),
);
const HANDLER_HINTS = {
  hints: { registry: 'the registry is the first argument: metricsHandler(registry, options)' },
  elsewhere: SERVER_ONLY,
};
const SERVER_HINTS = { hints: { port: 'the port is the first argument: exposeMetrics(port, options)' } };

function integerOption(fn: string, name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`${fn}: options.${name} must be an integer, got ${show(value)}`);
  }
  if (value < min || value > max)
    throw new RangeError(`${fn}: options.${name} must be from ${min} to ${max}, got ${show(value)}`);
  return value;
}

function basicAuthOption(fn: string, value: unknown): BasicAuthCredentials | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(`${fn}: options.basicAuth must be an object { username, password }, got ${show(value)}`);
  }
  const { username, password } = value as Record<string, unknown>;
  if (typeof username !== 'string' || username === '' || username.includes(':')) {
    throw new TypeError(
      `${fn}: options.basicAuth.username must be a non-empty string without ":", got ${show(username)}`,
    );
  }
  if (typeof password !== 'string' || password === '') {
    throw new TypeError(
      `${fn}: options.basicAuth.password must be a non-empty string, got ${typeof password === 'string' ? 'an empty string' : `a ${typeof password}`}`,
    );
  }
  return Object.freeze({ username, password });
}

/** Checks the registry argument of a handler: a registry, or an array of them to serve as one. */
export function resolveRegistry(fn: string, registry: unknown, where = 'registry'): Registry {
  if (registry === undefined) return defaultRegistry;
  if (Array.isArray(registry)) return mergeRegistries(fn, where, registry);
  if (!(registry instanceof Registry)) {
    throw new TypeError(`${fn}: ${where} must be a Registry or an array of Registry, got ${show(registry)}`);
  }
  return registry;
}

function resolveHandlerFields(fn: string, options: Record<string, unknown>): HandlerConfig {
  const { gzip } = options;
  if (gzip !== undefined && typeof gzip !== 'boolean')
    throw new TypeError(`${fn}: options.gzip must be a boolean, got ${show(gzip)}`);
  return {
    gzip: gzip ?? true,
    basicAuth: basicAuthOption(fn, options.basicAuth),
    maxConcurrentScrapes: integerOption(fn, 'maxConcurrentScrapes', options.maxConcurrentScrapes, 10, 1, 100_000),
    maxQueuedScrapes: integerOption(fn, 'maxQueuedScrapes', options.maxQueuedScrapes, 100, 0, 100_000),
    collectTimeout: integerOption(fn, 'collectTimeout', options.collectTimeout, 10_000, 1, MAX_TIMEOUT_MS),
    sendTimeout: integerOption(fn, 'sendTimeout', options.sendTimeout, DEFAULT_SEND_TIMEOUT_MS, 1, MAX_TIMEOUT_MS),
  };
}

/** Validates the options of {@link metricsHandler} and applies the defaults. */
export function resolveHandlerOptions(options: unknown): HandlerConfig {
  const fn = 'metricsHandler';
  if (options === undefined) return resolveHandlerFields(fn, {});
  // A misspelt option (`basicauth`) must not silently turn a protection off.
  checkOptions(fn, options, HANDLER_KEYS, HANDLER_HINTS);
  return resolveHandlerFields(fn, options);
}

/** Validates the arguments of {@link exposeMetrics} and applies the defaults. */
export function resolveServerOptions(port: unknown, options: unknown): ServerConfig {
  const fn = 'exposeMetrics';
  if (typeof port !== 'number' || !Number.isInteger(port)) {
    throw new TypeError(`${fn}: port must be an integer from 0 to 65535, got ${show(port)}`);
  }
  if (port < 0 || port > 65535) throw new RangeError(`${fn}: port must be from 0 to 65535, got ${show(port)}`);
  const given = options === undefined ? {} : options;
  checkOptions(fn, given, SERVER_KEYS, SERVER_HINTS);

  const { host, path, tls } = given;
  if (host !== undefined && (typeof host !== 'string' || host === '')) {
    throw new TypeError(`${fn}: options.host must be a non-empty string, got ${show(host)}`);
  }
  if (path !== undefined && (typeof path !== 'string' || !/^\/[^?#\s]*$/.test(path))) {
    throw new TypeError(
      `${fn}: options.path must start with "/" and contain no "?", "#" or whitespace, got ${show(path)}`,
    );
  }
  if (tls !== undefined) {
    if (typeof tls !== 'object' || tls === null)
      throw new TypeError(`${fn}: options.tls must be an object of https.ServerOptions, got ${show(tls)}`);
    const t = tls as TlsServerOptions;
    if (!((t.key && t.cert) || t.pfx || t.SNICallback)) {
      throw new TypeError(`${fn}: options.tls needs a certificate: key and cert, or pfx (or an SNICallback)`);
    }
  }
  const headersTimeout = integerOption(fn, 'headersTimeout', given.headersTimeout, 10_000, 1, MAX_TIMEOUT_MS);
  const requestTimeout = integerOption(
    fn,
    'requestTimeout',
    given.requestTimeout,
    Math.max(30_000, headersTimeout),
    1,
    MAX_TIMEOUT_MS,
  );
  // Node refuses a headers timeout longer than the request timeout; say so in our terms.
  if (headersTimeout > requestTimeout) {
    throw new RangeError(
      `${fn}: options.headersTimeout (${headersTimeout}) must not exceed options.requestTimeout (${requestTimeout})`,
    );
  }
  return {
    ...resolveHandlerFields(fn, given),
    port,
    host: host as string | undefined,
    path: (path as string | undefined) ?? '/metrics',
    registry: resolveRegistry(fn, given.registry, 'options.registry'),
    tls: tls as TlsServerOptions | undefined,
    headersTimeout,
    requestTimeout,
    keepAliveTimeout: integerOption(fn, 'keepAliveTimeout', given.keepAliveTimeout, 5_000, 1, MAX_TIMEOUT_MS),
    closeTimeout: integerOption(fn, 'closeTimeout', given.closeTimeout, DEFAULT_CLOSE_TIMEOUT_MS, 0, MAX_TIMEOUT_MS),
  };
}
