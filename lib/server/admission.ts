/**
 * Admission of scrapes: a bounded number in progress, a bounded queue of waiting ones, and a
 * refusal past both. The bound on scrapes in progress bounds memory (each holds its rendered body
 * until the client has read it) and work; the queue lets a burst of scrapers, or many connections
 * at once, wait their turn instead of being refused, while costing only their pending requests.
 *
 * A slot or a place in the queue must never outlive its exchange, whatever Node emits: it is freed
 * by the response's `finish` or `close`, or by its socket's `close`. The last is the only signal
 * for a response queued behind a pipelined one when the connection dies (Node emits nothing for
 * it), and it works the same in `exposeMetrics` and in a user's own server.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { onSocketClose } from './socket-close.js';

/**
 * Admits a scrape: calls `start` now when fewer than `maxInProgress` scrapes are in progress, or
 * later, in arrival order, when it had to queue. Returns false, without calling `start`, when
 * `maxQueued` scrapes are already waiting: the caller refuses that one. A scrape whose connection
 * is already gone is never started (and not refused: nobody would read the answer).
 */
export type Admit = (req: IncomingMessage, res: ServerResponse, start: () => void) => boolean;

/** Calls `release` once, on the first of the response's finish or close, or its socket's close. */
function untilExchangeEnds(req: IncomingMessage, res: ServerResponse, release: () => void): void {
  let done = false;
  const end = (): void => {
    if (done) return;
    done = true;
    res.off('finish', end);
    res.off('close', end);
    stopWatching();
    release();
  };
  res.once('finish', end);
  res.once('close', end);
  const stopWatching = onSocketClose(req.socket, end);
}

/**
 * Creates the admission of one handler. A scrape is in progress from its start until its response
 * is sent or its connection is gone, so slow readers count too. A waiting scrape whose client
 * leaves (as Prometheus does at its scrape timeout) gives its place up and is never started.
 */
export function createAdmission(maxInProgress: number, maxQueued: number): Admit {
  let inProgress = 0;
  // Each entry starts its scrape, or returns false when its client left; a Set keeps arrival
  // order and drops a leaver in O(1).
  const waiting = new Set<() => boolean>();
  const gone = (req: IncomingMessage): boolean => req.socket.destroyed;

  const startNext = (): void => {
    for (const enter of waiting) {
      waiting.delete(enter);
      if (enter()) return;
    }
  };

  const run = (req: IncomingMessage, res: ServerResponse, start: () => void): void => {
    inProgress++;
    untilExchangeEnds(req, res, () => {
      inProgress--;
      startNext();
    });
    start();
  };

  return (req, res, start) => {
    if (gone(req)) return true;
    if (inProgress < maxInProgress) {
      run(req, res, start);
      return true;
    }
    if (waiting.size >= maxQueued) return false;
    let left = false;
    const enter = (): boolean => {
      if (left || gone(req)) return false;
      left = true;
      run(req, res, start);
      return true;
    };
    waiting.add(enter);
    untilExchangeEnds(req, res, () => {
      if (left) return; // started: the slot's own watch frees it
      left = true;
      waiting.delete(enter);
    });
    return true;
  };
}
