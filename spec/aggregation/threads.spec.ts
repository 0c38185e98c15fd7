/**
 * worker_threads aggregation end to end: a main thread with a pool of 4 threads behind node:http
 * (fixtures/thread-pool.ts) takes two loads of 20,000 requests from autocannon, each request one
 * job counted in its thread by a decorated method (@Timed into a histogram, and a counter
 * incremented in the method). In the middle of the first load a thread throws an uncaught error;
 * in the middle of the second one a thread is stopped with worker.terminate(). Both are replaced.
 * The main thread's /metrics must equal the number of requests that got a 200, and never go down.
 */
import autocannon from 'autocannon';
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { nextMessage, start, stop, type Started } from '../support/prometheus.js';
import { PythonParsers } from '../support/exposition-tools.js';
import { hasPythonClient, requireTool } from '../support/tools.js';
import { LOOPBACK, request, waitFor } from '../server/support.js';
import type { PoolStats, ThreadExit } from './fixtures/thread-pool.js';

const POOL = fileURLToPath(new URL('./fixtures/thread-pool.js', import.meta.url));
const REQUESTS = 20_000;
const CONNECTIONS = 16;
/** After how many responses of a load its thread is made to go away. */
const MID_LOAD = REQUESTS / 2;
const SCRAPE_EVERY_MS = 200;
/** How long the aggregate may take to show what the threads reported (their interval is 1 s). */
const SETTLE_MS = 10_000;
/** Two of the threads' report intervals (1 s): what a periodic report may take to arrive. */
const COUNTER_GRACE_MS = 2_500;
/** The grace after which the aggregation folds an exited thread's state (5 s at the default interval), and some. */
const FOLD_WAIT_MS = 15_000;

/** The options of autocannon used here (spec/server/autocannon.d.ts types only the load spec's). */
interface LoadOptions {
  url: string;
  connections: number;
  amount: number;
}
interface LoadResult {
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
}
interface LoadRun extends PromiseLike<LoadResult> {
  on(event: 'response', listener: () => void): void;
}
const autocannonRun = autocannon as unknown as (options: LoadOptions) => LoadRun;

/** The two aggregated numbers every scrape is checked on. */
interface Totals {
  counter: number;
  histogramCount: number;
}

const NO_TOTALS: Totals = { counter: 0, histogramCount: 0 };

function sampleValue(body: string, name: string): number {
  const line = body.split('\n').find((l) => l.startsWith(`${name} `));
  if (line === undefined) throw new Error(`no ${name} sample in:\n${body}`);
  return Number(line.slice(name.length + 1));
}

function totalsIn(body: string): Totals {
  return { counter: sampleValue(body, 'pool_jobs_total'), histogramCount: sampleValue(body, 'pool_job_seconds_count') };
}

/** The totals of a scrape taken while the threads may not have reported yet: no family yet counts as 0. */
function totalsSoFar(body: string): Totals {
  return body.includes('\npool_jobs_total ') ? totalsIn(body) : NO_TOTALS;
}

const minus = (a: Totals, b: Totals): Totals => ({
  counter: a.counter - b.counter,
  histogramCount: a.histogramCount - b.histogramCount,
});

/** One load and what was seen of it. */
interface LoadRecord {
  readonly result: LoadResult;
  /** The threads that exited during the load. */
  readonly exits: ThreadExit[];
  /** The main thread's totals at every scrape taken during the load, in order. */
  readonly scrapes: Totals[];
  /** The aggregate once settled after the load, and what it was before the load. */
  readonly before: Totals;
  readonly after: Totals;
}

describe('aggregateThreadMetrics: 4 threads behind node:http, 2 x 20,000 requests, a crash, a terminate', function () {
  this.timeout(150_000);

  let pool: Started | undefined;
  let appPort = 0;
  let metricsPort = 0;
  const exits: ThreadExit[] = [];
  let statsWaiter: ((stats: PoolStats) => void) | undefined;
  let crashed: LoadRecord;
  let terminated: LoadRecord;

  const poolStats = async (): Promise<PoolStats> => {
    const answer = new Promise<PoolStats>((resolve) => (statsWaiter = resolve));
    pool!.child.send('stats');
    return answer;
  };
  const scrape = async (): Promise<string> => {
    const answer = await request(metricsPort);
    expect(answer.status, 'scrape of the main thread').to.equal(200);
    return answer.text;
  };

  /**
   * Polls until both totals reach `expected`, then returns them as they are; gives the counter
   * two report intervals more once the histogram count is there, and gives up after SETTLE_MS.
   */
  const settled = async (expected: number): Promise<Totals> => {
    const deadline = Date.now() + SETTLE_MS;
    let countedAt: number | undefined;
    for (;;) {
      const totals = totalsSoFar(await scrape());
      if (totals.histogramCount >= expected) countedAt ??= Date.now();
      const done = totals.counter >= expected && totals.histogramCount >= expected;
      if (done || Date.now() > deadline || (countedAt !== undefined && Date.now() - countedAt > COUNTER_GRACE_MS)) {
        return totals;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  /** 20,000 requests; after MID_LOAD responses, `command` makes slot 1's thread go away. */
  const runLoad = async (command: { fail: number } | { terminate: number }): Promise<LoadRecord> => {
    const before = totalsSoFar(await scrape());
    const exitsBefore = exits.length;
    const scrapes: Totals[] = [];
    let responses = 0;
    const run = autocannonRun({ url: `http://${LOOPBACK}:${appPort}/job`, connections: CONNECTIONS, amount: REQUESTS });
    run.on('response', () => {
      if (++responses === MID_LOAD) pool!.child.send(command);
    });
    let loading = true;
    const polling = (async () => {
      const deadline = Date.now() + 100_000;
      while (loading && Date.now() < deadline) {
        scrapes.push(totalsSoFar(await scrape()));
        await new Promise((resolve) => setTimeout(resolve, SCRAPE_EVERY_MS));
      }
    })();
    let result: LoadResult;
    try {
      result = await run;
    } finally {
      loading = false;
      await polling;
    }
    await waitFor(
      'the thread that went away to be replaced',
      () => (exits.length > exitsBefore ? true : undefined),
      10_000,
    );
    const after = await settled(before.histogramCount + result['2xx']);
    scrapes.push(after);
    return { result, exits: exits.slice(exitsBefore), scrapes, before, after };
  };

  before(async () => {
    pool = start(process.execPath, [POOL], process.env, true);
    const { ready } = await nextMessage<{ ready: { appPort: number; metricsPort: number } }>(pool.child, 'ready');
    ({ appPort, metricsPort } = ready);
    pool.child.on('message', (message: { exited?: ThreadExit; stats?: PoolStats }) => {
      if (message.exited) exits.push(message.exited);
      if (message.stats) statsWaiter?.(message.stats);
    });
    crashed = await runLoad({ fail: 1 });
    terminated = await runLoad({ terminate: 1 });
    for (const [name, load] of [
      ['crash', crashed],
      ['terminate', terminated],
    ] as const) {
      const { result } = load;
      const gained = minus(load.after, load.before);
      const went = load.exits.map((e) => `thread ${e.threadId} ${e.cause}, ${e.failedRequests} in flight`);
      console.log(
        `      load with a ${name}: ${REQUESTS} requests, ${result['2xx']} 200s, ${result.non2xx} non-2xx, ` +
          `${result.errors} errors; ${went.join(', ')}; aggregate gained counter ${gained.counter}, ` +
          `histogram count ${gained.histogramCount}; ${load.scrapes.length} scrapes`,
      );
    }
  });

  after(async () => {
    await stop(pool);
  });

  it('answers every request: 200 once its thread has done the job, 503 when its thread went away first', async () => {
    const stats = await poolStats();
    const results = [crashed.result, terminated.result];
    for (const result of results) {
      expect(result.errors, 'connection errors').to.equal(0);
      expect(result.timeouts, 'timeouts').to.equal(0);
      expect(result['2xx'] + result.non2xx, 'answers').to.equal(REQUESTS);
    }
    const sum = (f: (r: LoadResult) => number): number => results.reduce((total, r) => total + f(r), 0);
    expect({ ok: stats.answered200, failed: stats.answered503 }, 'what the pool answered').to.deep.equal({
      ok: sum((r) => r['2xx']),
      failed: sum((r) => r.non2xx),
    });
    expect(crashed.exits.map((e) => e.cause)).to.deep.equal(['error']);
    expect(terminated.exits.map((e) => e.cause)).to.deep.equal(['terminate']);
    expect(crashed.result.non2xx).to.equal(crashed.exits[0]!.failedRequests);
    expect(terminated.result.non2xx).to.equal(terminated.exits[0]!.failedRequests);
    // Requests piled up on each thread before it went away: some were in flight.
    expect(crashed.exits[0]!.failedRequests, 'requests in flight to the crashed thread').to.be.above(0);
    expect(terminated.exits[0]!.failedRequests, 'requests in flight to the terminated thread').to.be.above(0);
    expect(stats.threads, 'the pool after the replacements').to.have.length(4);
  });

  it("a thread crashing mid-load: the main thread's counter and histogram count equal the 200s", () => {
    const ok = crashed.result['2xx'];
    expect(crashed.before, 'before the first load').to.deep.equal(NO_TOTALS);
    expect(crashed.after).to.deep.equal({ counter: ok, histogramCount: ok });
  });

  // terminate() runs no more JavaScript in the thread: this holds because every write (the
  // counter's inc() in the method's body too) is reported when its synchronous run ends.
  it("a thread terminated mid-load: the main thread's counter and histogram count grow by the 200s", () => {
    const ok = terminated.result['2xx'];
    expect(minus(terminated.after, terminated.before)).to.deep.equal({ counter: ok, histogramCount: ok });
  });

  it('a real parser (prometheus_client) reads the totals the spec reads', async function () {
    requireTool(this, 'python3 prometheus_client', hasPythonClient());
    const parsers = new PythonParsers();
    try {
      const body = await scrape();
      const parsed = await parsers.parse('text', body);
      if (!parsed.ok) throw new Error(parsed.error);
      const value = (family: string, sample: string): number | undefined =>
        parsed.families.find((f) => f.name === family)?.samples.find((s) => s.name === sample)?.value;
      const totals = totalsIn(body);
      expect(value('pool_jobs', 'pool_jobs_total')).to.equal(totals.counter);
      expect(value('pool_job_seconds', 'pool_job_seconds_count')).to.equal(totals.histogramCount);
    } finally {
      parsers.close();
    }
  });

  it('never went down across the scrapes taken every 200 ms during both loads', () => {
    const scrapes = [...crashed.scrapes, ...terminated.scrapes];
    expect(crashed.scrapes.length, 'scrapes during the first load').to.be.above(5);
    expect(terminated.scrapes.length, 'scrapes during the second load').to.be.above(5);
    const drops = scrapes.slice(1).flatMap((now, i) => {
      const before = scrapes[i]!;
      return now.counter < before.counter || now.histogramCount < before.histogramCount ? [{ before, now }] : [];
    });
    expect(drops, 'scrapes whose totals went down').to.deep.equal([]);
  });

  it("keeps the exited threads' counts once it has folded them away", async () => {
    const gone = exits.map((e) => String(e.threadId));
    const stats = await waitFor(
      'the exited threads to be folded',
      async () => {
        const s = await poolStats();
        return s.workers.some((w) => gone.includes(w.id)) ? undefined : s;
      },
      FOLD_WAIT_MS,
      500,
    );
    expect(stats.workers.map((w) => w.id).sort(), 'the threads the aggregation knows').to.deep.equal(
      stats.threads.map(String).sort(),
    );
    expect(stats.workers.every((w) => w.alive)).to.equal(true);
    const now = totalsIn(await scrape());
    expect(now, 'after the folds').to.deep.equal(terminated.after);
    expect(now.histogramCount).to.equal(crashed.result['2xx'] + terminated.result['2xx']);
  });
});
