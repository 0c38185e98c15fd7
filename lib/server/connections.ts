/**
 * The connections of an `exposeMetrics` server, from accept to close: which are open (so close()
 * can cut every one, including TLS connections still in their handshake, which Node's
 * closeAllConnections() does not know of), and which TLS connections finished their handshake.
 */
import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export interface Connections {
  /** Whether HTTP can be spoken on the socket: always over plain HTTP, after the handshake over TLS. */
  handshakeDone(socket: Duplex): boolean;
  /** Destroys every connection still open, whatever state it is in. */
  destroyAll(): void;
}

/** Starts tracking the connections of `server`; call it before it listens. */
export function trackConnections(server: HttpServer | HttpsServer, tls: boolean): Connections {
  const open = new Set<Socket>();
  const secured = new WeakSet<Duplex>();
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  if (tls) server.on('secureConnection', (socket: Duplex) => secured.add(socket));
  return {
    handshakeDone: (socket) => !tls || secured.has(socket),
    destroyAll: () => {
      for (const socket of open) socket.destroy();
    },
  };
}
