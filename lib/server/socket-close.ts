/**
 * Callbacks run when a connection's socket closes. Node emits neither `finish` nor `close` for a
 * response queued behind a pipelined one when the socket dies, so what a response holds (a scrape
 * slot, a deadline timer) is tied to its socket too. One `close` listener per socket, however many
 * requests it pipelines, so a long keep-alive connection gathers no listeners.
 */
import type { Duplex } from 'node:stream';

const watchers = new WeakMap<Duplex, Set<() => void>>();

/**
 * Calls `callback` once when `socket` closes (on the next tick if it is already destroyed).
 * Returns a function that cancels the call; call it when what the callback frees is freed otherwise.
 */
export function onSocketClose(socket: Duplex, callback: () => void): () => void {
  let cancelled = false;
  const call = (): void => {
    if (!cancelled) callback();
  };
  if (socket.destroyed) {
    // Its close event may be past: do not wait for it. Never synchronously, so the caller can
    // finish setting up first.
    process.nextTick(call);
    return () => (cancelled = true);
  }
  let callbacks = watchers.get(socket);
  if (callbacks === undefined) {
    const created = new Set<() => void>();
    callbacks = created;
    watchers.set(socket, created);
    socket.once('close', () => {
      watchers.delete(socket);
      for (const run of created) run();
    });
  }
  const set = callbacks;
  set.add(call);
  return () => {
    cancelled = true;
    set.delete(call);
  };
}
