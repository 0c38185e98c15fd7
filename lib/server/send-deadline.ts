/**
 * The send deadline: once a response is written, its client has `sendTimeout` ms to take it, or
 * the connection is cut. A client that asks for a body and never reads it would otherwise hold the
 * body and its scrape slot as long as it likes: Node's idle timeout does not fire while a write
 * is still draining, and a response queued behind a stalled pipelined one is never written at all.
 *
 * The handler (or `exposeMetrics`, for what it answers itself) gives each response its timeout when
 * the request arrives; every way of answering starts it when the body is handed to Node, or, for a
 * body streamed as it is rendered, when its headers are: the client then has the timeout from the
 * first byte to the last. A response given none gets the default, so no answer goes without a deadline.
 */
import type { ServerResponse } from 'node:http';
import { DEFAULT_SEND_TIMEOUT_MS } from './options.js';
import { onSocketClose } from './socket-close.js';

const timeouts = new WeakMap<ServerResponse, number>();

/** Gives a response the milliseconds its client will have to receive it once it is written. */
export function setSendTimeout(res: ServerResponse, timeoutMs: number): void {
  timeouts.set(res, timeoutMs);
}

/**
 * Starts the response's send deadline: call it right after `res.end(body)`, or after `res.writeHead()`
 * for a body written in chunks. Cut at the deadline unless Node has handed the whole response to the
 * OS by then (`finish`), or it is gone.
 */
export function startSendDeadline(res: ServerResponse): void {
  if (res.writableFinished || res.destroyed) return;
  // `res.socket` is null while the response waits behind a pipelined one; the request's is not.
  const socket = res.req.socket;
  const timer = setTimeout(() => socket.destroy(), timeouts.get(res) ?? DEFAULT_SEND_TIMEOUT_MS);
  timer.unref(); // a pending deadline must not keep the process alive on its own
  const stop = (): void => {
    clearTimeout(timer);
    res.off('finish', stop);
    res.off('close', stop);
    stopWatching();
  };
  res.once('finish', stop);
  res.once('close', stop);
  // Without it, the timer of a response that never finishes would keep its body for the full time.
  const stopWatching = onSocketClose(socket, stop);
}
