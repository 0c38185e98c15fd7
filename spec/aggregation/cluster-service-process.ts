/**
 * The spec's handle on the fixture cluster (fixtures/cluster-service.ts): starts its primary as a
 * child process with an IPC channel, keeps every event it sends (so none is missed while the spec
 * waits for another), sends it commands, and stops it by its PID, then checks that none of the
 * worker processes it ever forked is left.
 */
import { fileURLToPath } from 'node:url';
import { start, stop, type Started } from '../support/prometheus.js';
import type { Command, ServiceEvent } from './fixtures/cluster-protocol.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/cluster-service.js', import.meta.url));

type EventOf<T extends ServiceEvent['type']> = Extract<ServiceEvent, { type: T }>;

export class ClusterService {
  readonly #started: Started;
  readonly #events: ServiceEvent[] = [];
  readonly #waiting = new Set<() => void>();
  /** Every worker process the primary reported, first ones and replacements. */
  readonly #pids = new Set<number>();

  private constructor(started: Started) {
    this.#started = started;
    started.child.on('message', (message) => {
      const event = message as ServiceEvent;
      this.#events.push(event);
      if (event.type === 'service:ready') for (const w of event.workers) this.#pids.add(w.pid);
      if (event.type === 'service:listening' || event.type === 'service:exited') this.#pids.add(event.worker.pid);
      for (const wake of this.#waiting) wake();
    });
  }

  /** Starts the primary; resolves once its first workers listen. */
  static async start(timeoutMs = 30_000): Promise<{ service: ClusterService; ready: EventOf<'service:ready'> }> {
    const service = new ClusterService(start(process.execPath, [FIXTURE], process.env, true));
    const ready = await service.next('service:ready', () => true, timeoutMs);
    return { service, ready };
  }

  get pid(): number {
    return this.#started.child.pid!;
  }

  /** The pids of every worker forked so far. */
  get workerPids(): number[] {
    return [...this.#pids];
  }

  /** What the primary and its workers printed, for failure messages. */
  output(): string {
    return this.#started.output();
  }

  send(command: Command): void {
    this.#started.child.send(command);
  }

  /** Events of a type received so far. */
  events<T extends ServiceEvent['type']>(type: T): Array<EventOf<T>> {
    return this.#events.filter((e): e is EventOf<T> => e.type === type);
  }

  /**
   * The first event of `type` matching `match` among those received from now on (`since` = how
   * many had been received before, to include earlier ones), or a failure after `timeoutMs`.
   */
  next<T extends ServiceEvent['type']>(
    type: T,
    match: (event: EventOf<T>) => boolean,
    timeoutMs: number,
    since = this.#events.length,
  ): Promise<EventOf<T>> {
    const find = (): EventOf<T> | undefined =>
      this.#events.slice(since).find((e): e is EventOf<T> => e.type === type && match(e as EventOf<T>));
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = find();
        if (found === undefined) return;
        done();
        resolve(found);
      };
      const onExit = (): void => {
        done();
        reject(new Error(`the cluster primary exited before ${type}\n${this.output()}`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${type} from the cluster primary within ${timeoutMs} ms\n${this.output()}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.#waiting.delete(check);
        this.#started.child.off('exit', onExit);
      };
      this.#waiting.add(check);
      this.#started.child.once('exit', onExit);
      check();
    });
  }

  /** How many events have been received: a mark for next(..., since). */
  get received(): number {
    return this.#events.length;
  }

  /** Every live worker's own request count, and the aggregation's view of the workers. */
  async counts(timeoutMs = 5_000): Promise<EventOf<'service:counts'>> {
    const since = this.received;
    this.send({ type: 'service:counts' });
    return this.next('service:counts', () => true, timeoutMs, since);
  }

  /** Stops the primary by its PID (SIGTERM; it stops its workers first). */
  async stop(): Promise<void> {
    await stop(this.#started);
  }

  /** The pids, of all the workers ever forked, whose process still exists. */
  survivingWorkerPids(): number[] {
    return this.workerPids.filter(exists);
  }
}

/** Whether a process with this pid exists (signal 0 tests it without sending anything). */
function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
