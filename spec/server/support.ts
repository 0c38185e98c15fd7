/** Helpers of the server specs: plain HTTP(S) requests, raw sockets, free ports. All on 127.0.0.1. */
import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, createServer, type Socket } from 'node:net';

export const LOOPBACK = '127.0.0.1';

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

export interface RequestOptions {
  method?: string;
  headers?: OutgoingHttpHeaders;
  /** For HTTPS: the CA to trust (the test's self-signed certificate). */
  ca?: string;
  https?: boolean;
}

/** One request on a fresh connection (no agent, so no socket outlives the test). */
export function request(port: number, path = '/metrics', options: RequestOptions = {}): Promise<Answer> {
  return send(port, path, options, 10_000, `request to ${path} timed out`);
}

function send(
  port: number,
  path: string,
  options: RequestOptions,
  limitMs: number,
  timeoutMessage: string,
): Promise<Answer> {
  const sendRequest = options.https ? httpsRequest : httpRequest;
  const { method = 'GET', headers, ca } = options;
  return new Promise((resolve, reject) => {
    const req = sendRequest(
      { host: LOOPBACK, port, path, method, headers, agent: false, ca, servername: 'localhost' },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode!, headers: res.headers, body, text: body.toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(limitMs, () => req.destroy(new Error(timeoutMessage)));
    req.end();
  });
}

/**
 * Writes raw bytes to the server and returns everything it answers until it closes the
 * connection (or `waitMs` passes, after which the socket is destroyed).
 */
export function rawExchange(
  port: number,
  data: string | Buffer,
  waitMs = 5_000,
): Promise<{ answer: string; closedByServer: boolean }> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: LOOPBACK, port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ answer: Buffer.concat(chunks).toString('latin1'), closedByServer: false });
    }, waitMs);
    socket.on('connect', () => socket.write(data));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The server may reset a connection it refuses; what it answered first still counts.
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') {
        clearTimeout(timer);
        reject(error);
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ answer: Buffer.concat(chunks).toString('latin1'), closedByServer: true });
    });
  });
}

/** A port free on 127.0.0.1 right now (for tools that cannot be told to pick one). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, LOOPBACK, () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** A promise and the function that settles it, to hold a collector mid-scrape. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Polls `check` every `intervalMs` until it returns a value, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

/** An answer and how long it took, from sending the request to the end of the body. */
export interface TimedAnswer extends Answer {
  ms: number;
}

/**
 * One request that must be answered in full within `limitMs`: rejects, naming the limit, when it
 * is not (the request is then abandoned). For checks that the server is still responsive.
 */
export async function requestWithin(
  port: number,
  limitMs: number,
  path = '/metrics',
  options: RequestOptions = {},
): Promise<TimedAnswer> {
  const started = performance.now();
  const answer = await send(port, path, options, limitMs, `${path} was not answered within ${limitMs} ms`);
  return { ...answer, ms: Math.round(performance.now() - started) };
}

/**
 * Connects to 127.0.0.1:`port` and writes `data` (if any), then never reads: what the server sends
 * fills the socket buffers and stays there. Whether the server closed the connection is to be
 * read on the server: a client that does not read does not see the close either.
 */
export function stalledClient(port: number, data?: string | Buffer): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: LOOPBACK, port });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => {}); // a reset by the server is one of the outcomes under test
      socket.pause();
      if (data !== undefined) socket.write(data);
      resolve(socket);
    });
  });
}
