/**
 * Sending a scrape's body while it is rendered. A small body that is ready within the render's first
 * slice goes whole, with its Content-Length. A larger one goes chunk by chunk as the slices make
 * them: each chunk is written to the response (through a gzip stream when compressing) and, when
 * the write says the buffers are full, the render waits for them to drain. A client that reads
 * slowly therefore holds a few chunks, not the body, and one that leaves (its socket closes, or
 * the send deadline cuts it) stops the render at once.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import { CHUNK_BYTES } from '../exposition/chunk-writer.js';
import { SLICE_BUDGET_MS, nextTurn, type SlicedRender } from '../exposition/render.js';
import { now } from '../instrument/clock.js';
import { startSendDeadline } from './send-deadline.js';
import { onSocketClose } from './socket-close.js';

/** Compresses a whole body; node:zlib is loaded by the first compressed response, not at import. */
function gzip(bytes: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    process
      .getBuiltinModule('node:zlib')
      .gzip(bytes, (error, compressed) => (error ? reject(error) : resolve(compressed)));
  });
}

/** The largest body sent whole, with a Content-Length, when it is rendered within the first slice. */
const WHOLE_BODY_BYTES = 1024 * 1024;

/**
 * The first slice's time budget: longer than the others so that a small body rendered by code not
 * yet optimized (a process's first scrapes) still goes whole, with its Content-Length. A large body
 * ends the slice at {@link WHOLE_BODY_BYTES} first, a few milliseconds of rendering.
 */
const FIRST_SLICE_BUDGET_MS = 5;

/**
 * Bytes rendered ahead of the socket: a slice ends once this much is ready, so that what waits
 * for a slow client is a couple of chunks (and the socket's own buffers), not a slice's worth.
 */
const AHEAD_BYTES = 2 * CHUNK_BYTES;

/**
 * Whether nobody is left to read the answer. A response queued behind a pipelined one is not
 * marked destroyed when the connection dies, but its request's socket is.
 */
export function clientGone(req: IncomingMessage, res: ServerResponse): boolean {
  return res.destroyed || req.socket.destroyed;
}

/**
 * Renders and sends a 200 answer with `headers` (Content-Type, Vary, Content-Encoding when
 * `compress`). Resolves when the body is handed to Node, or as soon as the client is gone; the
 * render is stopped either way. A HEAD request gets the headers a GET would.
 */
export async function sendRendered(
  req: IncomingMessage,
  res: ServerResponse,
  render: SlicedRender,
  headers: OutgoingHttpHeaders,
  compress: boolean,
): Promise<void> {
  try {
    let chunks = render.slice(WHOLE_BODY_BYTES, now() + FIRST_SLICE_BUDGET_MS);
    if (render.done) {
      const plain = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      const body = compress ? await gzip(plain) : plain;
      if (clientGone(req, res)) return; // the client left while we compressed
      res.writeHead(200, { ...headers, 'Content-Length': body.length });
      res.end(body); // Node sends no body for HEAD, but the same headers as GET
      startSendDeadline(res);
      return;
    }
    res.writeHead(200, headers); // no length: Node sends the body chunked
    if (req.method === 'HEAD') {
      res.end();
      startSendDeadline(res);
      return;
    }
    // From the first byte, the client has the send timeout to take the whole body.
    startSendDeadline(res);
    const sink = compress ? gzipInto(res) : res;
    // Slices of a few chunks each, written as they come, until the turn's budget is spent.
    let turnEnds = 0;
    for (;;) {
      for (const chunk of chunks) {
        if (clientGone(req, res)) return;
        if (!sink.write(chunk)) {
          await drained(sink, req, res);
          turnEnds = 0; // a turn has passed
        }
      }
      if (render.done) break;
      if (now() >= turnEnds) {
        await nextTurn();
        turnEnds = now() + SLICE_BUDGET_MS;
      }
      if (clientGone(req, res)) return;
      chunks = render.slice(AHEAD_BYTES, turnEnds);
    }
    if (!clientGone(req, res)) sink.end();
  } finally {
    render.stop();
  }
}

/** A gzip stream whose output goes to `res` (paused while `res` is full), ending it when it ends. */
function gzipInto(res: ServerResponse): Writable {
  const zipped = process.getBuiltinModule('node:zlib').createGzip();
  zipped.on('error', () => res.destroy());
  zipped.pipe(res);
  // A client that leaves takes the compressor's buffers with it.
  res.once('close', () => zipped.destroy());
  return zipped;
}

/** Resolves when `sink` has room again, or the client is gone (whichever comes first). */
function drained(sink: Writable, req: IncomingMessage, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      sink.off('drain', done);
      sink.off('close', done);
      res.off('close', done);
      stopWatching();
      resolve();
    };
    sink.once('drain', done);
    sink.once('close', done);
    res.once('close', done);
    const stopWatching = onSocketClose(req.socket, done);
  });
}
