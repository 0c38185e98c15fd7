/**
 * Spreads scrapes over event-loop turns: one starts per turn, in arrival order. Collecting and
 * rendering a large registry takes milliseconds; a burst of scrapes run back to back would hold
 * the loop for the whole burst, delaying the host application's own I/O and even the accepting
 * of new connections (seen under load: connections accepted seconds late, requests timing out).
 */

/** Returns a function whose promise resolves in an event-loop turn of its own, after the earlier ones. */
export function createTurnQueue(): () => Promise<void> {
  let tail = Promise.resolve();
  // setImmediate runs in the loop's check phase; one queued from there waits for the next turn,
  // so each caller's synchronous work gets a turn to itself, with I/O polled in between.
  return () => (tail = tail.then(() => new Promise<void>((resolve) => setImmediate(resolve))));
}
