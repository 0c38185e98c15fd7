/**
 * Tells whoever listens that a decorated call's promise has settled and every decorator of the
 * call has recorded. Multi-worker reporting listens, to send what the call wrote before the
 * caller resumes: the wrapper hands back the method's own promise, so the caller's reaction to it
 * runs right after the decorators' (a microtask queued from theirs would run after the caller's).
 */

let listener: (() => void) | undefined;

/** Sets (or, with undefined, removes) the one listener. */
export function listenToSettled(next: (() => void) | undefined): void {
  listener = next;
}

/** Reports that a decorated call's promise (or thenable) has settled and its decorators have recorded. */
export function settled(): void {
  if (listener !== undefined) listener();
}
