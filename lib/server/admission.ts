/**
 * Admission of scrapes: a bounded number in progress, a bounded queue of waiting ones, and a
 * refusal past both. The bound on scrapes in progress bounds memory (each holds its rendered body
 * until the client has read it) and work; the queue lets a burst of scrapers, or many connections
 * at once, wait their turn instead of being refused, while costing only their pending requests.
 */
import type { ServerResponse } from 'node:http';

/**
 * Admits a scrape: calls `start` now when fewer than `maxInProgress` scrapes are in progress, or
 * later, in arrival order, when it had to queue. Returns false, without calling `start`, when
 * `maxQueued` scrapes are already waiting: the caller refuses that one.
 */
export type Admit = (res: ServerResponse, start: () => void) => boolean;

/**
 * Creates the admission of one handler. A scrape is in progress from its start until its response
 * is sent or its connection is gone, so slow readers count too. A waiting scrape whose client
 * leaves (as Prometheus does at its scrape timeout) gives its place up and is never started.
 */
export function createAdmission(maxInProgress: number, maxQueued: number): Admit {
  let inProgress = 0;
  const waiting = new Set<() => void>(); // a Set keeps arrival order and drops a leaver in O(1)

  const run = (res: ServerResponse, start: () => void): void => {
    inProgress++;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      inProgress--;
      const next = waiting.values().next();
      if (!next.done) next.value();
    };
    res.once('finish', release);
    res.once('close', release);
    start();
  };

  return (res, start) => {
    if (inProgress < maxInProgress) {
      run(res, start);
      return true;
    }
    if (waiting.size >= maxQueued) return false;
    const leave = (): void => {
      waiting.delete(enter);
    };
    const enter = (): void => {
      leave();
      res.off('close', leave);
      run(res, start);
    };
    waiting.add(enter);
    res.once('close', leave);
    return true;
  };
}
