/**
 * Options of pushToGateway, pushAddToGateway and deleteFromGateway: their types, defaults and
 * validation. Every check throws a TypeError (wrong type) or RangeError (out of range) naming the
 * function, the option and the bad value.
 */
import type { RequestOptions as HttpsRequestOptions } from 'node:https';
import { checkOptions } from '../options.js';
import { Registry, defaultRegistry } from '../registry.js';
import type { BasicAuthCredentials } from '../server/options.js';
import { isPlainObject, show } from '../validation.js';
import { checkGatewayUrl, checkGroupingKey, checkJob, groupUrl } from './url.js';

/**
 * TLS settings of a request to an `https:` gateway, as `node:https` takes them: `ca` to trust a
 * private CA, `cert` and `key` (or `pfx`) for a client certificate, `rejectUnauthorized: false`
 * to accept any certificate (tests only), `servername` for SNI.
 */
export type PushTlsOptions = Pick<
  HttpsRequestOptions,
  | 'ca'
  | 'cert'
  | 'key'
  | 'pfx'
  | 'passphrase'
  | 'rejectUnauthorized'
  | 'servername'
  | 'checkServerIdentity'
  | 'minVersion'
  | 'maxVersion'
  | 'ciphers'
  | 'crl'
>;

/** Options of {@link deleteFromGateway}: which group, and how to reach the gateway. */
export interface GatewayOptions {
  /** The `job` label of the group. Required, non-empty. */
  readonly job: string;
  /**
   * The other labels that name the group (besides `job`), e.g. `{ instance: 'db-backup-1' }`.
   * Names must be legacy label names (`[a-zA-Z_][a-zA-Z0-9_]*`), not `job`, not `__`-prefixed.
   */
  readonly groupingKey?: Readonly<Record<string, string | number | boolean>>;
  /**
   * Milliseconds the whole call may take (collecting the registry, connecting, sending, reading
   * the answer); past it the request is aborted and the promise rejects. Default 10000.
   */
  readonly timeoutMs?: number;
  /** Extra request headers. Content-Type and Content-Length are set by the call and cannot be given. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Sends these credentials with HTTP basic authentication. */
  readonly basicAuth?: BasicAuthCredentials;
  /** TLS settings, for an `https:` gateway only. */
  readonly tls?: PushTlsOptions;
}

/** Options of {@link pushToGateway} and {@link pushAddToGateway}: the group, the registry, the connection. */
export interface PushOptions extends GatewayOptions {
  /** The registry whose metrics are pushed. Default `defaultRegistry`. */
  readonly registry?: Registry;
}

/** A call's options, checked, with the defaults applied and the group's URL built. */
export interface GatewayCall {
  readonly url: URL;
  readonly registry: Registry;
  readonly timeoutMs: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly tls: PushTlsOptions | undefined;
}

const CONNECTION_KEYS = ['job', 'groupingKey', 'timeoutMs', 'headers', 'basicAuth', 'tls'];
const PUSH_KEYS = [...CONNECTION_KEYS, 'registry'];
const HINTS = {
  hints: {
    grouping_key: `Python's "grouping_key" is called "groupingKey" here`,
    timeout: 'the timeout is "timeoutMs", in milliseconds',
    handler: `Python's "handler" has no counterpart: use headers, basicAuth and tls`,
  },
};

/** The default of `timeoutMs`, as the issue asks (Python's client waits 30 s). */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** The longest timer Node keeps (setTimeout fires at once past it). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** Headers the call sets itself: giving them would break the body's framing or type. */
const OWN_HEADERS = new Set(['content-type', 'content-length', 'transfer-encoding', 'host']);

function timeoutOption(fn: string, value: unknown): number {
  if (value === undefined) return DEFAULT_TIMEOUT_MS;
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`${fn}: options.timeoutMs must be a number of milliseconds, got ${show(value)}`);
  }
  if (!(value > 0 && value <= MAX_TIMEOUT_MS)) {
    throw new RangeError(`${fn}: options.timeoutMs must be above 0 and at most ${MAX_TIMEOUT_MS}, got ${show(value)}`);
  }
  return value;
}

function basicAuthHeader(fn: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(`${fn}: options.basicAuth must be an object { username, password }, got ${show(value)}`);
  }
  checkOptions(`${fn}: options.basicAuth`, value, ['username', 'password']);
  const { username, password } = value;
  if (typeof username !== 'string' || username === '' || username.includes(':')) {
    throw new TypeError(
      `${fn}: options.basicAuth.username must be a non-empty string without ":", got ${show(username)}`,
    );
  }
  if (typeof password !== 'string') {
    // The password itself is never shown.
    throw new TypeError(`${fn}: options.basicAuth.password must be a string, got a ${typeof password}`);
  }
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

function headersOption(fn: string, value: unknown, authorization: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (value !== undefined) {
    if (!isPlainObject(value)) {
      throw new TypeError(`${fn}: options.headers must be an object of header values by name, got ${show(value)}`);
    }
    for (const [name, text] of Object.entries(value)) {
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
        throw new TypeError(`${fn}: options.headers has an invalid header name ${show(name)}`);
      }
      // What HTTP allows in a field value (RFC 9110: visible ASCII, space, tab and obs-text bytes).
      if (typeof text !== 'string' || !/^[\t\x20-\x7e\x80-\xff]*$/.test(text)) {
        throw new TypeError(
          `${fn}: options.headers.${name} must be a string of visible ASCII, spaces and tabs, got ${show(text)}`,
        );
      }
      const lower = name.toLowerCase();
      if (OWN_HEADERS.has(lower)) throw new TypeError(`${fn}: options.headers.${name} is set by the call itself`);
      if (lower === 'authorization' && authorization !== undefined) {
        throw new TypeError(`${fn}: give either options.basicAuth or an Authorization header, not both`);
      }
      headers[lower] = text;
    }
  }
  if (authorization !== undefined) headers.authorization = authorization;
  return headers;
}

const isPem = (v: unknown): boolean => typeof v === 'string' || Buffer.isBuffer(v);
const pemOrList = {
  expected: 'a string or Buffer, or an array of them',
  test: (v: unknown) => isPem(v) || (Array.isArray(v) && v.every(isPem)),
};
// key and pfx lists may also hold `{ pem | buf, passphrase }` objects, as node:tls takes them.
const pemOrObjectList = {
  expected: 'a string or Buffer, or an array of them (or of node:tls key objects)',
  test: (v: unknown) => isPem(v) || (Array.isArray(v) && v.every((item) => isPem(item) || isPlainObject(item))),
};
const text = { expected: 'a string', test: (v: unknown) => typeof v === 'string' };
const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const tlsVersion = {
  expected: `one of ${TLS_VERSIONS.join(', ')}`,
  test: (v: unknown) => typeof v === 'string' && TLS_VERSIONS.includes(v),
};
/** What each TLS option may be, checked before anything is sent. */
const TLS_OPTION_CHECKS: Record<string, { expected: string; test: (value: unknown) => boolean }> = {
  ca: pemOrList,
  cert: pemOrList,
  key: pemOrObjectList,
  crl: pemOrList,
  pfx: pemOrObjectList,
  passphrase: text,
  servername: text,
  ciphers: text,
  minVersion: tlsVersion,
  maxVersion: tlsVersion,
  rejectUnauthorized: { expected: 'a boolean', test: (v: unknown) => typeof v === 'boolean' },
  checkServerIdentity: { expected: 'a function', test: (v: unknown) => typeof v === 'function' },
};

function tlsOption(fn: string, value: unknown, url: URL): PushTlsOptions | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) {
    throw new TypeError(`${fn}: options.tls must be an object of node:https request options, got ${show(value)}`);
  }
  if (url.protocol !== 'https:') {
    throw new TypeError(`${fn}: options.tls is for an https: gateway, but gatewayUrl is ${show(url.origin)}`);
  }
  checkOptions(`${fn}: options.tls`, value, [
    'ca',
    'cert',
    'key',
    'pfx',
    'passphrase',
    'rejectUnauthorized',
    'servername',
    'checkServerIdentity',
    'minVersion',
    'maxVersion',
    'ciphers',
    'crl',
  ]);
  for (const [name, option] of Object.entries(value)) {
    if (option === undefined || TLS_OPTION_CHECKS[name]!.test(option)) continue;
    throw new TypeError(`${fn}: options.tls.${name} must be ${TLS_OPTION_CHECKS[name]!.expected}, got ${show(option)}`);
  }
  return { ...(value as PushTlsOptions) };
}

/** Checks a call's arguments; `push` says whether it takes a registry (push and push-add do, delete does not). */
export function resolveGatewayCall(fn: string, gatewayUrl: unknown, options: unknown, push: boolean): GatewayCall {
  const gateway = checkGatewayUrl(fn, gatewayUrl);
  if (options === undefined) throw new TypeError(`${fn}: options with a job are required: ${fn}(url, { job })`);
  checkOptions(fn, options, push ? PUSH_KEYS : CONNECTION_KEYS, {
    ...HINTS,
    elsewhere: push ? {} : { registry: 'pushToGateway and pushAddToGateway' },
  });
  const job = checkJob(fn, options.job);
  const groupingKey = checkGroupingKey(fn, options.groupingKey);
  const { registry } = options;
  if (registry !== undefined && !(registry instanceof Registry)) {
    throw new TypeError(`${fn}: options.registry must be a Registry, got ${show(registry)}`);
  }
  const timeoutMs = timeoutOption(fn, options.timeoutMs);
  const headers = headersOption(fn, options.headers, basicAuthHeader(fn, options.basicAuth));
  const tls = tlsOption(fn, options.tls, gateway);
  return { url: groupUrl(gateway, job, groupingKey), registry: registry ?? defaultRegistry, timeoutMs, headers, tls };
}
