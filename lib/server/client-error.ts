/**
 * The answer to what the HTTP (or TLS) layer rejected before any request reached the handler:
 * a status line as Node's default would send, pinned down here, then the connection is closed,
 * within a deadline whatever the client does.
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Connections } from './connections.js';

/** The unfinished responses of each connection (more than one when requests are pipelined). */
export type ResponsesBySocket = WeakMap<Duplex, Set<ServerResponse>>;

/**
 * Answers a client error and closes the connection. Nothing is written where it could not arrive
 * or would corrupt what did: on a TLS socket whose handshake never completed (the bytes would
 * wait forever for a session), or after a response's headers went out (a second status line
 * inside it); those connections are just cut. The answer gets `sendTimeout` ms to flush.
 */
export function answerClientError(
  error: NodeJS.ErrnoException,
  socket: Duplex,
  context: { responses: ResponsesBySocket; connections: Connections; sendTimeout: number },
): void {
  const started = [...(context.responses.get(socket) ?? [])].some((res) => res.headersSent);
  if (!socket.writable || started || error.code === 'ECONNRESET' || !context.connections.handshakeDone(socket)) {
    socket.destroy();
    return;
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const deadline = setTimeout(() => socket.destroy(), context.sendTimeout);
  deadline.unref();
  socket.once('close', () => clearTimeout(deadline));
  const answer = `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`;
  socket.end(answer, () => socket.destroy());
}
