/** HTTP basic authentication (RFC 7617) for the metrics endpoint. */
import type { BasicAuthCredentials } from './options.js';

/** node:crypto, loaded when credentials are configured rather than at import. */
const crypto = () => process.getBuiltinModule('node:crypto');

/** The challenge sent with every 401. */
export const BASIC_AUTH_CHALLENGE = 'Basic realm="metrics"';

const BASIC = /^Basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i;

/** Digests have a fixed length, so timingSafeEqual never sees unequal lengths and leaks none. */
function digest(value: string): Buffer {
  return crypto().createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Returns a check of an Authorization header against the credentials, in constant time with
 * respect to their content. Missing, malformed and wrong credentials all fail.
 */
export function basicAuthChecker(credentials: BasicAuthCredentials): (authorization: string | undefined) => boolean {
  const { timingSafeEqual } = crypto();
  const username = digest(credentials.username);
  const password = digest(credentials.password);
  return (authorization) => {
    const match = authorization === undefined ? null : BASIC.exec(authorization);
    if (match === null) return false;
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    // Both comparisons always run, so the time does not tell which part was wrong.
    const userOk = timingSafeEqual(digest(decoded.slice(0, colon)), username);
    const passwordOk = timingSafeEqual(digest(decoded.slice(colon + 1)), password);
    return userOk && passwordOk;
  };
}
