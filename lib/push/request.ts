/**
 * One HTTP(S) request to the gateway, bounded in time: it resolves with the answer's status and
 * body, whatever the status, and rejects with a {@link PushgatewayError} when no complete answer
 * came (connection failure, reset, timeout). node:http and node:https load with the first request,
 * not at import.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import { PushgatewayError } from './error.js';
import type { PushTlsOptions } from './options.js';

/** The gateway's answer. */
export interface GatewayAnswer {
  readonly status: number;
  readonly statusText: string;
  readonly body: string;
}

/** What a request sends. */
export interface GatewayRequest {
  /** The calling function, for messages. */
  readonly fn: string;
  readonly method: 'PUT' | 'POST' | 'DELETE';
  readonly url: URL;
  /** Every header but Content-Length (a body's Content-Type included). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | undefined;
  readonly tls: PushTlsOptions | undefined;
  /** Milliseconds until the request is aborted. */
  readonly timeoutMs: number;
  /** The whole call's timeout, for the message. */
  readonly callTimeoutMs: number;
}

/** The most of an answer body kept: enough for any gateway message, bounded against a runaway answer. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** The reason of a failed connection as the message shows it: the system error's code and text. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  if (error instanceof AggregateError && error.errors.length > 0) {
    // Node's happy-eyeballs connect reports each address it tried.
    return error.errors.map(describe).join('; ');
  }
  return code !== undefined && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
}

/** Sends the request; see the module comment. */
export function sendToGateway(request: GatewayRequest): Promise<GatewayAnswer> {
  const { fn, method, url, body, tls, timeoutMs, callTimeoutMs } = request;
  const where = `${method} ${url.href}`;
  const https = url.protocol === 'https:';
  const client = https ? process.getBuiltinModule('node:https') : process.getBuiltinModule('node:http');
  const headers = { ...request.headers, 'content-length': String(body?.length ?? 0) };

  return new Promise<GatewayAnswer>((resolve, reject) => {
    let settled = false;
    let req: ClientRequest;
    const fail = (message: string, cause: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new PushgatewayError(`${fn}: ${where} ${message}`, method, url.href, undefined, undefined, { cause }));
      // Destroying frees the socket at once, also when the answer was half read.
      req.destroy();
    };
    const timer = setTimeout(() => {
      fail(`got no complete answer within ${callTimeoutMs} ms (options.timeoutMs): aborted`, undefined);
    }, timeoutMs);
    const onAnswer = (res: IncomingMessage): void => {
      const chunks: Buffer[] = [];
      let kept = 0;
      res.on('data', (chunk: Buffer) => {
        if (kept >= MAX_ANSWER_BYTES) return; // read on to the end, keep no more
        chunks.push(chunk);
        kept += chunk.length;
      });
      res.on('error', (error) => fail(`failed while reading the answer: ${describe(error)}`, error));
      res.on('aborted', () => fail('failed: the gateway closed the connection mid-answer', undefined));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const text = Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES).toString('utf8');
        resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', body: text });
      });
    };
    try {
      // agent: false: a connection of its own, closed after the answer, so none outlives the call.
      req = client.request(url, { method, headers, agent: false, ...(https ? tls : {}) }, onAnswer);
    } catch (error) {
      // Node checks some options (a bad CA, say) synchronously.
      settled = true;
      clearTimeout(timer);
      reject(
        new PushgatewayError(`${fn}: ${where} failed: ${describe(error)}`, method, url.href, undefined, undefined, {
          cause: error,
        }),
      );
      return;
    }
    req.on('error', (error) => fail(`failed: ${describe(error)}`, error));
    req.end(body);
  });
}
