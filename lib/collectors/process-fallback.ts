/** Process metrics from what `process` offers, where there is no procfs (macOS, Windows, ...). */

/** Memory figures of the process in bytes; NaN where the source does not know one. */
export interface ProcessMemory {
  readonly rss: number;
  readonly virtual: number;
  readonly heap: number;
}

/** Where process metrics come from: procfs on Linux, `process` elsewhere. */
export interface ProcessSource {
  /** Seconds since the epoch. */
  readonly startTime: number;
  /** The soft limit on open file descriptors, when known. */
  readonly maxFds: number | undefined;
  memory(): ProcessMemory;
  /** The number of open file descriptors; absent when the platform does not tell. */
  readonly openFds: (() => number) | undefined;
}

/** Reads the process through `process`: resident memory and start time only. */
export function fallbackSource(): ProcessSource {
  return {
    startTime: Date.now() / 1000 - process.uptime(),
    maxFds: undefined,
    // memoryUsage.rss() skips the heap statistics that memoryUsage() gathers too.
    memory: () => ({ rss: process.memoryUsage.rss(), virtual: NaN, heap: NaN }),
    openFds: undefined,
  };
}
