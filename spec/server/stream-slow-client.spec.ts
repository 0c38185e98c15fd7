/**
 * A client that reads the first chunk of a large scrape and then stops reading (its socket paused)
 * must not make the server hold the body: the render waits for the socket to drain, holding a few
 * chunks and the collected snapshot. Meanwhile other scrapes are served; when the client leaves,
 * its scrape is freed at once (the render stops, the slot goes to a waiting scrape); when it stays,
 * the send deadline cuts it. The server (stream-target.ts) runs in a child process with
 * --expose-gc, so its heap is measured after real collections.
 */
import { expect } from 'chai';
import { fork, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { LOOPBACK, requestWithin, waitFor } from './support.js';

const TARGET = fileURLToPath(new URL('./stream-target.js', import.meta.url));
/** Two scrapes at a time, the third waits: a stalled client holds one slot. */
const OPTIONS = { maxConcurrentScrapes: 2, maxQueuedScrapes: 4, sendTimeout: 6_000 } as const;
/** Slack on top of a deadline for the server to act on it (timers, its event loop, a busy machine). */
const SLACK_MS = 3_000;

interface Memory {
  heapUsed: number;
  external: number;
}
const total = (memory: Memory): number => memory.heapUsed + memory.external;
const megabytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Asks for /metrics on a raw connection, reads until the first bytes of the answer, then stops reading. */
function stallAfterFirstChunk(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: LOOPBACK, port });
    socket.once('error', reject);
    socket.once('data', () => {
      socket.pause();
      socket.off('error', reject);
      socket.on('error', () => {}); // the server cutting it is one of the outcomes under test
      resolve(socket);
    });
    socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n');
  });
}

describe('a client that stops reading mid-body: the server holds chunks, not the body, frees the scrape', function () {
  this.timeout(60_000);
  let child: ChildProcess | undefined;
  let port: number;
  let bodyBytes: number;
  let baseline: Memory;
  const stalled: Socket[] = [];
  const pending = new Map<number, (reply: Record<string, unknown>) => void>();
  let nextId = 0;

  const ask = <T>(command: string, args: object = {}, timeoutMs = 10_000): Promise<T> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`the target did not answer "${command}" within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, (reply) => {
        clearTimeout(timer);
        if (typeof reply.error === 'string') reject(new Error(`target: ${reply.error}`));
        else resolve(reply as T);
      });
      child!.send({ id, command, ...args });
    });
  const connectionsAfter = (limitMs: number): Promise<number> =>
    waitFor(
      'the connections to close',
      async () => {
        const { connections } = await ask<{ connections: number }>('stats');
        return connections === 0 ? 0 : undefined;
      },
      limitMs,
      50,
    ).catch(async () => (await ask<{ connections: number }>('stats')).connections);
  const fullScrape = async (limitMs: number): Promise<number> => {
    const answer = await requestWithin(port, limitMs);
    expect(answer.status).to.equal(200);
    expect(answer.body.length, 'a whole body').to.equal(bodyBytes);
    return answer.ms;
  };

  before(async function () {
    this.timeout(60_000);
    child = fork(TARGET, { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise<void>((resolve, reject) => {
      child!.once('exit', (code) => reject(new Error(`stream target exited early (code ${code})`)));
      child!.on('message', (message: Record<string, unknown>) => {
        if (message.ready === true) resolve();
        const id = message.id as number;
        pending.get(id)?.(message);
        pending.delete(id);
      });
    });
    ({ port } = await ask<{ port: number }>('start', { options: OPTIONS }));
    // Scrapes before the baseline, so that it holds what the first scrapes allocate for good.
    const first = await requestWithin(port, 20_000);
    bodyBytes = first.body.length;
    expect(bodyBytes, 'the body is large').to.be.greaterThan(15_000_000);
    await fullScrape(20_000);
    baseline = await ask<Memory>('heap');
  });

  afterEach(() => {
    for (const socket of stalled.splice(0)) socket.destroy();
  });

  after(async () => {
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  });

  it('holds a few chunks and the snapshot while the client stalls, and serves other scrapes meanwhile', async () => {
    stalled.push(await stallAfterFirstChunk(port));
    await sleep(500); // the socket buffers fill and the render waits for them to drain
    const during = await ask<Memory>('heap');
    const held = total(during) - total(baseline);
    console.log(
      `      while a client stalls after the first chunk of ${megabytes(bodyBytes)}: ` +
        `heap + external ${megabytes(total(baseline))} before, ` +
        `${megabytes(total(during))} during (+${megabytes(held)})`,
    );
    // What it may hold: the collected snapshot (its columns and rows) and a few chunks. A server
    // that rendered the whole body first would hold all of it, and more while rendering.
    expect(held, 'memory held for the stalled scrape').to.be.lessThan(bodyBytes / 2);
    // Waiting for the socket, the render takes no CPU.
    const { cpuMs: before } = await ask<{ cpuMs: number }>('cpu');
    await sleep(1_000);
    const { cpuMs: after } = await ask<{ cpuMs: number }>('cpu');
    expect(after - before, 'CPU milliseconds in a second of the stall').to.be.lessThan(250);
    // The other slot serves whole scrapes while the first stays stalled.
    for (let i = 0; i < 3; i++) await fullScrape(5_000);
  });

  it('frees the scrape at once when the stalled client leaves: a waiting scrape is answered', async () => {
    const [first, second] = [await stallAfterFirstChunk(port), await stallAfterFirstChunk(port)];
    stalled.push(first, second);
    // Both slots are held: this scrape waits in the queue.
    let answeredAt: number | undefined;
    const started = performance.now();
    const waiting = fullScrape(OPTIONS.sendTimeout + SLACK_MS).then((ms) => {
      answeredAt = performance.now();
      return ms;
    });
    await sleep(700);
    expect(answeredAt, 'a scrape answered while both slots are held').to.equal(undefined);
    const left = performance.now();
    first.destroy();
    await waiting;
    const afterLeaving = answeredAt! - left;
    console.log(`      the waiting scrape was answered ${Math.round(afterLeaving)} ms after the stalled client left`);
    // Well before the send deadline would have cut the stalled client.
    expect(afterLeaving, 'ms from the client leaving to the waiting scrape answered').to.be.lessThan(
      OPTIONS.sendTimeout - (left - started) - 1_000,
    );
  });

  it('cuts a client that stays stalled at the send deadline, and lets go of everything it held', async () => {
    stalled.push(await stallAfterFirstChunk(port));
    const open = await connectionsAfter(OPTIONS.sendTimeout + SLACK_MS);
    expect(open, 'connections open after the send deadline').to.equal(0);
    await fullScrape(5_000);
    const after = await ask<Memory>('heap');
    console.log(
      `      after the stalled clients: heap + external ${megabytes(total(after))} ` +
        `(baseline ${megabytes(total(baseline))})`,
    );
    expect(total(after), 'heap and external memory after GC').to.be.at.most(total(baseline) * 1.2);
  });
});
