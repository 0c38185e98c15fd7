import autocannon from 'autocannon';
import { expect } from 'chai';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LOOPBACK } from './support.js';

const TARGET = fileURLToPath(new URL('./load-target.js', import.meta.url));
const CONNECTIONS = 50;
const DURATION_SECONDS = 10;

interface Ready {
  port: number;
  series: number;
  heapBefore: number;
}
interface HeapReport {
  heapAfter: number;
  heapPeak: number;
}

const megabytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

describe('exposeMetrics under load', function () {
  this.timeout((DURATION_SECONDS + 30) * 1000);
  let child: ChildProcess | undefined;

  const nextMessage = <T>(): Promise<T> =>
    new Promise((resolve, reject) => {
      const onExit = (code: number | null): void => reject(new Error(`load target exited early (code ${code})`));
      child!.once('exit', onExit);
      child!.once('message', (message) => {
        child!.off('exit', onExit);
        resolve(message as T);
      });
    });

  after(async () => {
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  });

  it(`serves ${CONNECTIONS} connections for ${DURATION_SECONDS} s from 10,000 series: no errors, only 200s, heap back within 20%`, async () => {
    // The server runs in a child started with --expose-gc, so its heap is measured after real
    // collections and apart from the load generator's.
    child = fork(TARGET, { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const ready = await nextMessage<Ready>();
    expect(ready.series).to.equal(10_000);

    const result = await autocannon({
      url: `http://${LOOPBACK}:${ready.port}/metrics`,
      connections: CONNECTIONS,
      duration: DURATION_SECONDS,
    });

    child.send('heap');
    const heap = await nextMessage<HeapReport>();
    child.send('stop');
    console.log(
      `      ${result.requests.total} requests (${result['2xx']} 200s, ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts), ` +
        `${(result.throughput.total / 1024 / 1024).toFixed(0)} MB sent, p99 latency ${result.latency.p99} ms; ` +
        `heap ${megabytes(ready.heapBefore)} before, ${megabytes(heap.heapPeak)} peak, ${megabytes(heap.heapAfter)} after GC`,
    );

    expect(result.errors, 'errors').to.equal(0);
    expect(result.timeouts, 'timeouts').to.equal(0);
    expect(result.non2xx, 'non-2xx answers').to.equal(0);
    expect(result['2xx'], '200 answers').to.be.above(0).and.equal(result.requests.total);
    expect(heap.heapAfter, 'heap after the load and a GC').to.be.at.most(ready.heapBefore * 1.2);
  });
});
