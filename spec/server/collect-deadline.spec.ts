/**
 * Hung and slow collectors (issue 9, finding 5): a scrape has a collection deadline and answers
 * 503 naming the collector that did not finish; a collector still running is not called again;
 * no collector work starts for a client that already left.
 */
import { expect } from 'chai';
import {
  CollectionTimeoutError,
  Counter,
  Registry,
  exposeMetrics,
  metricsHandler,
  type CollectedFamily,
  type MetricsServer,
} from '../../lib/index.js';
import { LOOPBACK, deferred, request, requestWithin, waitFor } from './support.js';

const FAMILY: CollectedFamily[] = [
  { name: 'jobs_waiting', help: 'Jobs waiting', type: 'gauge', samples: [{ value: 3 }] },
];

/** A scrape whose client gives up after `ms`, as a scraper with a short timeout does. */
function abandonAfter(port: number, ms: number): Promise<void> {
  return requestWithin(port, ms).then(
    () => undefined,
    () => undefined,
  );
}

describe('Collection deadline and single-flight collectors', () => {
  describe('through exposeMetrics', () => {
    let registry: Registry;
    let server: MetricsServer;
    const holds: Array<() => void> = [];

    before(async () => {
      registry = new Registry();
      new Counter({ name: 'served', help: 'Requests served', registry }).inc(2);
      server = await exposeMetrics(0, { host: LOOPBACK, registry, collectTimeout: 300 });
    });
    afterEach(() => {
      for (const release of holds.splice(0)) release();
      registry.clear();
      new Counter({ name: 'served', help: 'Requests served', registry }).inc(2);
    });
    after(() => server.close());

    it('answers 503 naming a collector that never resolves, at the deadline, and a normal scrape right after', async () => {
      const hung = (): Promise<CollectedFamily[]> => new Promise(() => {});
      registry.registerCollector(hung, 'inventory_db');
      const answer = await requestWithin(server.port, 3_000);
      expect(answer.status, 'a 503 before the client gives up').to.equal(503);
      expect(answer.text)
        .to.match(/inventory_db/)
        .and.to.match(/300 ms/);
      expect(answer.ms).to.be.below(2_000);

      registry.unregisterCollector(hung);
      const after = await requestWithin(server.port, 1_000);
      expect(after.status).to.equal(200);
      expect(after.text).to.contain('served_total 2');
    });

    it("takes a shorter deadline from Prometheus' X-Prometheus-Scrape-Timeout-Seconds", async () => {
      const slowServer = await exposeMetrics(0, { host: LOOPBACK, registry }); // default deadline: 10 s
      try {
        const hold = deferred<CollectedFamily[]>();
        holds.push(() => hold.resolve(FAMILY));
        registry.registerCollector(() => hold.promise, 'slow_cache');
        const answer = await requestWithin(slowServer.port, 4_000, '/metrics', {
          headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '1' },
        });
        expect(answer.status).to.equal(503);
        expect(answer.text).to.match(/slow_cache/);
        expect(answer.ms).to.be.within(400, 2_000);
      } finally {
        await slowServer.close();
      }
    });

    it('calls a slow collector once for many concurrent scrapes, and serves its result to all of them', async () => {
      const hold = deferred<CollectedFamily[]>();
      holds.push(() => hold.resolve(FAMILY));
      let calls = 0;
      registry.registerCollector(() => {
        calls++;
        return hold.promise;
      }, 'slow_cache');
      const local = await exposeMetrics(0, {
        host: LOOPBACK,
        registry,
        collectTimeout: 5_000,
        maxConcurrentScrapes: 20,
      });
      try {
        const scrapes = Array.from({ length: 15 }, () => request(local.port));
        await waitFor('every scrape to be waiting on the collector', () => (calls > 0 ? true : undefined), 2_000, 20);
        await new Promise((r) => setTimeout(r, 200));
        hold.resolve(FAMILY);
        const answers = await Promise.all(scrapes);
        expect(calls).to.equal(1);
        for (const answer of answers) {
          expect(answer.status).to.equal(200);
          expect(answer.text).to.contain('jobs_waiting 3');
        }
      } finally {
        await local.close();
      }
    });

    it('does not call a collector again for scrapes that come while its timed-out call still runs', async () => {
      const hold = deferred<CollectedFamily[]>();
      holds.push(() => hold.resolve(FAMILY));
      let calls = 0;
      registry.registerCollector(() => {
        calls++;
        return hold.promise;
      }, 'slow_cache');
      // Clients that give up before the deadline, as a scraper would with a short timeout.
      for (let round = 0; round < 3; round++) {
        await Promise.all(Array.from({ length: 10 }, () => abandonAfter(server.port, 100)));
      }
      const late = await requestWithin(server.port, 2_000);
      expect(late.status).to.equal(503);
      expect(calls, 'one call in progress, shared by every scrape').to.equal(1);
      hold.resolve(FAMILY);
      await new Promise((r) => setImmediate(r));
      // The settled call is not reused: the next scrape calls the collector anew, and gets its answer.
      const fresh = await requestWithin(server.port, 1_000);
      expect(fresh.status).to.equal(200);
      expect(fresh.text).to.contain('jobs_waiting 3');
      expect(calls).to.equal(2);
    });

    it('starts no collector work for a scrape whose client left while it waited for a slot', async () => {
      const hold = deferred<CollectedFamily[]>();
      holds.push(() => hold.resolve(FAMILY));
      let calls = 0;
      const gate = new Registry();
      gate.registerCollector(() => {
        calls++;
        return calls === 1 ? hold.promise : FAMILY;
      }, 'counted');
      const local = await exposeMetrics(0, {
        host: LOOPBACK,
        registry: gate,
        maxConcurrentScrapes: 1,
        collectTimeout: 5_000,
      });
      try {
        const first = request(local.port);
        await waitFor('the first scrape to call the collector', () => (calls === 1 ? true : undefined), 2_000, 20);
        await abandonAfter(local.port, 150); // queued behind the first, then gone
        hold.resolve(FAMILY);
        expect((await first).status).to.equal(200);
        await new Promise((r) => setTimeout(r, 100));
        expect(calls).to.equal(1);
      } finally {
        await local.close();
      }
    });
  });

  it('bounds metricsHandler too, with its collectTimeout option', async () => {
    const registry = new Registry();
    registry.registerCollector(() => new Promise<CollectedFamily[]>(() => {}), 'hung_queue');
    const handler = metricsHandler(registry, { collectTimeout: 200 });
    const { createServer } = await import('node:http');
    const server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
    try {
      const { port } = server.address() as { port: number };
      const answer = await requestWithin(port, 3_000);
      expect(answer.status).to.equal(503);
      expect(answer.text).to.contain('hung_queue');
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('refuses an invalid collectTimeout, naming it', () => {
    expect(() => metricsHandler(undefined, { collectTimeout: 0 })).to.throw(RangeError, /collectTimeout.*0/);
    expect(() => metricsHandler(undefined, { collectTimeout: '5s' as unknown as number })).to.throw(
      TypeError,
      /collectTimeout.*"5s"/,
    );
  });

  describe('Registry.collect options', () => {
    it('rejects with a CollectionTimeoutError naming every collector still running', async () => {
      const registry = new Registry();
      registry.registerCollector(() => FAMILY, 'quick');
      registry.registerCollector(() => new Promise<CollectedFamily[]>(() => {}), 'stuck_one');
      registry.registerCollector({ collect: () => new Promise<CollectedFamily[]>(() => {}) }, 'stuck_two');
      const error = await registry.collect({ timeoutMs: 50 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(CollectionTimeoutError);
      const timeout = error as CollectionTimeoutError;
      expect(timeout.sources).to.deep.equal(['collector stuck_one', 'collector stuck_two']);
      expect(timeout.message).to.contain('50 ms');
    });

    it('shares a call in progress between concurrent collections', async () => {
      const registry = new Registry();
      const hold = deferred<CollectedFamily[]>();
      let calls = 0;
      registry.registerCollector(() => {
        calls++;
        return hold.promise;
      });
      const both = Promise.all([registry.collect(), registry.collect()]);
      hold.resolve(FAMILY);
      const [a, b] = await both;
      expect(calls).to.equal(1);
      expect(a.map((f) => f.name)).to.deep.equal(['jobs_waiting']);
      expect(b.map((f) => f.name)).to.deep.equal(['jobs_waiting']);
    });

    it('does not call collectors when the signal is already aborted', async () => {
      const registry = new Registry();
      let calls = 0;
      registry.registerCollector(() => {
        calls++;
        return FAMILY;
      });
      const controller = new AbortController();
      controller.abort();
      let failed = false;
      await registry.collect({ signal: controller.signal }).catch(() => (failed = true));
      expect(failed).to.equal(true);
      expect(calls).to.equal(0);
    });

    it('refuses invalid options, naming them, and collects nothing', async () => {
      const registry = new Registry();
      let calls = 0;
      registry.registerCollector(() => {
        calls++;
        return FAMILY;
      });
      const failures = await Promise.all(
        [{ timeoutMs: -1 }, { timeoutMs: NaN }, { signal: 'x' }, { timeout: 5 }].map((options) =>
          registry.collect(options as never).then(
            () => 'resolved',
            (e: Error) => e.message,
          ),
        ),
      );
      expect(failures[0]).to.match(/timeoutMs.*-1/);
      expect(failures[1]).to.match(/timeoutMs.*NaN/);
      expect(failures[2]).to.match(/signal.*"x"/);
      expect(failures[3]).to.match(/unknown option "timeout"/);
      expect(calls).to.equal(0);
    });
  });
});
