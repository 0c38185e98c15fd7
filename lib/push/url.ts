/**
 * The Pushgateway's URL of a group: `<gateway>/metrics/job/<job>{/<name>/<value>}`, each value a
 * path segment per the gateway's rules (its README, "URL"): a value the path cannot carry as it is
 * goes base64url-encoded, with `@base64` appended to its name; every other value is
 * percent-encoded.
 */
import { isPlainObject, isWellFormed, show } from '../validation.js';

/** A grouping-key name: a legacy label name (Pushgateway 1.x knows no other), not `job`, not `__`-prefixed. */
const LEGACY_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Whether a value must go base64url-encoded: it contains `/` (which would split it into two
 * segments), it is empty (an empty segment is no segment), or it is a dot segment, `.` or `..`,
 * which the gateway's router removes as it cleans the path (even when sent as `%2E`): `.` would
 * arrive as an empty value and `..` as a redirect.
 */
function needsBase64(value: string): boolean {
  return value === '' || value === '.' || value === '..' || value.includes('/');
}

/**
 * base64url without padding (RFC 4648 §5), as the gateway's README asks; the empty value is
 * written `=`, as its README says, since an empty segment would be no segment.
 */
function base64url(value: string): string {
  return value === '' ? '=' : Buffer.from(value, 'utf8').toString('base64url');
}

/** One `/<name>/<value>` pair of the path. */
export function pathPair(name: string, value: string): string {
  return needsBase64(value) ? `/${name}@base64/${base64url(value)}` : `/${name}/${encodeURIComponent(value)}`;
}

/**
 * Checks the job: a non-empty string with a UTF-8 encoding. An empty job would be sent base64-encoded
 * as `=`, which the Pushgateway refuses ("job name is required"): it is refused here, before anything
 * is sent.
 */
export function checkJob(fn: string, job: unknown): string {
  if (typeof job !== 'string' || job === '') {
    throw new TypeError(
      `${fn}: options.job must be a non-empty string (the Pushgateway refuses an empty job), got ${show(job)}`,
    );
  }
  if (!isWellFormed(job)) {
    throw new TypeError(
      `${fn}: options.job must be well-formed UTF-16 (a lone surrogate has no UTF-8), got ${show(job)}`,
    );
  }
  return job;
}

/**
 * Checks a grouping key and returns its pairs sorted by name (the order does not change the group,
 * a fixed one makes the URL predictable). Values may be strings, numbers or booleans, as label values.
 */
export function checkGroupingKey(fn: string, groupingKey: unknown): Array<[string, string]> {
  if (groupingKey === undefined) return [];
  if (!isPlainObject(groupingKey)) {
    throw new TypeError(
      `${fn}: options.groupingKey must be an object of label values by name, got ${show(groupingKey)}`,
    );
  }
  const pairs: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(groupingKey)) {
    if (!LEGACY_LABEL_NAME.test(name) || name.startsWith('__')) {
      throw new TypeError(
        `${fn}: options.groupingKey name ${show(name)} is not a valid label name ` +
          '([a-zA-Z_][a-zA-Z0-9_]*, without the reserved "__" prefix)',
      );
    }
    if (name === 'job') {
      throw new TypeError(`${fn}: options.groupingKey must not contain "job": the job is options.job`);
    }
    let text: string;
    if (typeof value === 'string') text = value;
    else if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') text = String(value);
    else {
      throw new TypeError(
        `${fn}: options.groupingKey.${name} must be a string, finite number or boolean, got ${show(value)}`,
      );
    }
    if (!isWellFormed(text)) {
      throw new TypeError(
        `${fn}: options.groupingKey.${name} must be well-formed UTF-16 (a lone surrogate has no UTF-8), ` +
          `got ${show(text)}`,
      );
    }
    pairs.push([name, text]);
  }
  return pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A scheme at the start of the URL; without one, `http://` is meant (as Python's client reads it). */
const HAS_SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//;

/**
 * Checks the gateway's URL (`http(s)://host:port`, possibly with a path prefix; without a scheme,
 * http) and returns it parsed.
 */
export function checkGatewayUrl(fn: string, gatewayUrl: unknown): URL {
  let text: string;
  if (gatewayUrl instanceof URL) text = gatewayUrl.href;
  else if (typeof gatewayUrl === 'string' && gatewayUrl !== '') text = gatewayUrl;
  else throw new TypeError(`${fn}: gatewayUrl must be a non-empty string or a URL, got ${show(gatewayUrl)}`);
  let url: URL;
  try {
    url = new URL(HAS_SCHEME.test(text) ? text : `http://${text}`);
  } catch {
    throw new TypeError(`${fn}: gatewayUrl ${show(text)} is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`${fn}: gatewayUrl must be an http: or https: URL, got ${show(text)}`);
  }
  if (url.username !== '' || url.password !== '') {
    // Credentials in the URL would end up in error messages and logs.
    throw new TypeError(`${fn}: gatewayUrl must not carry credentials: give them as options.basicAuth`);
  }
  if (url.search !== '' || url.hash !== '') {
    throw new TypeError(`${fn}: gatewayUrl must have no query or fragment, got ${show(text)}`);
  }
  return url;
}

/** The URL of the group `job` + `groupingKey` on the gateway at `gateway` (a checked URL). */
export function groupUrl(gateway: URL, job: string, groupingKey: ReadonlyArray<readonly [string, string]>): URL {
  // A path prefix is kept (a gateway behind a reverse proxy), without its trailing slash.
  let path = `${gateway.pathname.replace(/\/+$/, '')}/metrics${pathPair('job', job)}`;
  for (const [name, value] of groupingKey) path += pathPair(name, value);
  const url = new URL(gateway.href);
  url.pathname = path;
  return url;
}
