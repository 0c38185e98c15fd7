import { expect } from 'chai';
import { request as httpRequest, type ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { Counter, Gauge, Histogram, Registry, exposeMetrics, type MetricsServer } from '../../lib/index.js';
import { LOOPBACK, deferred, rawExchange, request, waitFor } from './support.js';

/** The Accept header Prometheus 2.42 sends. */
const PROMETHEUS_2_42_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
const TEXT = 'text/plain; version=0.0.4; charset=utf-8';
// No escaping parameter in the Accept header means underscores, and the answer names it.
const OPENMETRICS = 'application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores';

describe('exposeMetrics: HTTP behaviour', () => {
  let registry: Registry;
  let server: MetricsServer;

  beforeEach(async () => {
    registry = new Registry();
    new Counter({ name: 'jobs', help: 'Jobs done', labelNames: ['kind'], registry }).labels({ kind: 'a' }).inc(3);
    new Gauge({ name: 'queue_depth', help: 'Queue depth', registry }).set(7);
    new Histogram({ name: 'latency_seconds', help: 'Latency', buckets: [0.1, 1], registry }).observe(0.5);
    server = await exposeMetrics(0, { host: LOOPBACK, registry });
  });
  afterEach(() => server.close());

  it('serves text 0.0.4 to a client that sends no Accept', async () => {
    const answer = await request(server.port);
    expect(answer.status).to.equal(200);
    expect(answer.headers['content-type']).to.equal(TEXT);
    expect(answer.headers['content-length']).to.equal(String(answer.body.length));
    expect(answer.headers.vary).to.equal('Accept, Accept-Encoding');
    expect(answer.text).to.equal(await registry.metrics('text'));
  });

  it("serves OpenMetrics to Prometheus 2.42's Accept header", async () => {
    const answer = await request(server.port, '/metrics', { headers: { accept: PROMETHEUS_2_42_ACCEPT } });
    expect(answer.status).to.equal(200);
    expect(answer.headers['content-type']).to.equal(OPENMETRICS);
    expect(answer.text).to.equal(await registry.metrics('openmetrics'));
    expect(answer.text.endsWith('# EOF\n')).to.equal(true);
  });

  it('gzips when Accept-Encoding asks, and the body decompresses to the same text', async () => {
    const plain = await request(server.port, '/metrics', { headers: { accept: PROMETHEUS_2_42_ACCEPT } });
    const zipped = await request(server.port, '/metrics', {
      headers: { accept: PROMETHEUS_2_42_ACCEPT, 'accept-encoding': 'gzip' },
    });
    expect(plain.headers['content-encoding']).to.equal(undefined);
    expect(zipped.headers['content-encoding']).to.equal('gzip');
    expect(zipped.headers['content-length']).to.equal(String(zipped.body.length));
    expect(gunzipSync(zipped.body).toString('utf8')).to.equal(plain.text);
  });

  it('does not gzip when the client refuses it, or when gzip is off', async () => {
    expect(
      (await request(server.port, '/metrics', { headers: { 'accept-encoding': 'gzip;q=0, deflate' } })).headers[
        'content-encoding'
      ],
    ).to.equal(undefined);
    const noGzip = await exposeMetrics(0, { host: LOOPBACK, registry, gzip: false });
    try {
      expect(
        (await request(noGzip.port, '/metrics', { headers: { 'accept-encoding': 'gzip' } })).headers[
          'content-encoding'
        ],
      ).to.equal(undefined);
    } finally {
      await noGzip.close();
    }
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const get = await request(server.port, '/metrics', { headers: { 'accept-encoding': 'gzip' } });
    const head = await request(server.port, '/metrics', { method: 'HEAD', headers: { 'accept-encoding': 'gzip' } });
    expect(head.status).to.equal(200);
    expect(head.body.length).to.equal(0);
    for (const name of ['content-type', 'content-length', 'content-encoding', 'vary'])
      expect(head.headers[name], name).to.equal(get.headers[name]);
  });

  it('answers 405 with Allow to other methods', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']) {
      const answer = await request(server.port, '/metrics', { method });
      expect(answer.status, method).to.equal(405);
      expect(answer.headers.allow).to.equal('GET, HEAD');
    }
  });

  it('answers 404 off the path, and serves a custom path', async () => {
    for (const path of ['/', '/metrics/', '/metricsx', '/favicon.ico'])
      expect((await request(server.port, path)).status, path).to.equal(404);
    const custom = await exposeMetrics(0, { host: LOOPBACK, registry, path: '/internal/prom' });
    try {
      expect(custom.url).to.equal(`http://${LOOPBACK}:${custom.port}/internal/prom`);
      expect((await request(custom.port, '/internal/prom?x=1')).status).to.equal(200);
      expect((await request(custom.port, '/metrics')).status).to.equal(404);
    } finally {
      await custom.close();
    }
  });

  it('filters families with ?name[]= by family or sample name, as Python does, but a histogram whole', async () => {
    const byFamily = await request(server.port, '/metrics?name[]=jobs&name[]=queue_depth');
    expect(byFamily.text)
      .to.include('jobs_total{kind="a"} 3')
      .and.include('queue_depth 7')
      .and.not.include('latency_seconds');

    const bySample = await request(server.port, `/metrics?${encodeURIComponent('name[]')}=latency_seconds_count`, {
      headers: { accept: PROMETHEUS_2_42_ACCEPT },
    });
    // OpenMetrics has no histogram without its +Inf bucket, nor a _count without _sum: the whole histogram.
    expect(bySample.text).to.equal(
      '# HELP latency_seconds Latency\n# TYPE latency_seconds histogram\nlatency_seconds_bucket{le="0.1"} 0\n' +
        'latency_seconds_bucket{le="1.0"} 1\nlatency_seconds_bucket{le="+Inf"} 1\n' +
        'latency_seconds_count 1\nlatency_seconds_sum 0.5\n# EOF\n',
    );
    const counterSamples = await request(server.port, `/metrics?${encodeURIComponent('name[]')}=jobs_total`);
    expect(counterSamples.text).to.equal(
      '# HELP jobs_total Jobs done\n# TYPE jobs_total counter\njobs_total{kind="a"} 3\n',
    );

    const none = await request(server.port, '/metrics?name[]=nothing_here');
    expect(none.status).to.equal(200);
    expect(none.text).to.equal('');
  });

  it('answers 500 naming a throwing collector, keeps running, and the next scrape works', async () => {
    let failures = 1;
    registry.registerCollector(function flakyCollector() {
      if (failures-- > 0) throw new Error('backend unreachable');
      return [{ name: 'flaky_up', help: 'Flaky', type: 'gauge', samples: [{ value: 1 }] }];
    });
    const failed = await request(server.port);
    expect(failed.status).to.equal(500);
    expect(failed.headers['content-type']).to.equal('text/plain; charset=utf-8');
    expect(failed.text).to.equal('Collecting collector flakyCollector failed: backend unreachable\n');

    const next = await request(server.port);
    expect(next.status).to.equal(200);
    expect(next.text).to.include('flaky_up 1');
  });

  it('serves a request target in absolute form (RFC 7230), as proxies send it', async () => {
    const exchange = (target: string): Promise<{ answer: string }> =>
      rawExchange(server.port, `GET ${target} HTTP/1.1\r\nHost: ${LOOPBACK}\r\nConnection: close\r\n\r\n`);
    const { answer } = await exchange(`http://${LOOPBACK}/metrics?name[]=queue_depth`);
    expect(answer.split('\r\n')[0]).to.equal('HTTP/1.1 200 OK');
    expect(answer).to.include('queue_depth 7').and.not.include('jobs_total');
    expect((await exchange(`HTTP://${LOOPBACK}:${server.port}/metrics`)).answer).to.match(/^HTTP\/1\.1 200 /);
    for (const target of [`http://${LOOPBACK}/other`, `ftp://${LOOPBACK}/metrics`, '//metrics/metrics', '*']) {
      expect((await exchange(target)).answer, target).to.match(/^HTTP\/1\.1 404 /);
    }
  });

  it('lets scrapes past maxConcurrentScrapes wait their turn, and answers 503 only when the queue is full', async () => {
    const bounded = await exposeMetrics(0, { host: LOOPBACK, registry, maxConcurrentScrapes: 1, maxQueuedScrapes: 2 });
    const gate = deferred();
    let started = 0;
    registry.registerCollector(async function slowCollector() {
      started++;
      await gate.promise;
      return [];
    });
    try {
      const first = request(bounded.port);
      await waitFor('the first scrape to start', () => (started === 1 ? true : undefined), 5_000, 10);
      const queued = [request(bounded.port), request(bounded.port)];
      const refused = await request(bounded.port);
      expect(refused.status).to.equal(503);
      expect(refused.headers['retry-after']).to.equal('1');
      expect(started, 'queued scrapes wait for a slot').to.equal(1);
      gate.resolve();
      expect((await Promise.all([first, ...queued])).map((a) => a.status)).to.deep.equal([200, 200, 200]);
      expect(started).to.equal(3);
    } finally {
      gate.resolve();
      await bounded.close();
    }
  });

  it('drops a queued scrape whose client leaves: its place is freed and it is never collected', async () => {
    const bounded = await exposeMetrics(0, { host: LOOPBACK, registry, maxConcurrentScrapes: 1, maxQueuedScrapes: 1 });
    const gate = deferred();
    let started = 0;
    registry.registerCollector(async function slowCollector() {
      started++;
      await gate.promise;
      return [];
    });
    // Listeners added after exposeMetrics' own run after it: once one sees a request, the handler
    // has started or queued it; once one sees a response close, the admission has seen it too.
    const arrivals: Promise<void>[] = [];
    bounded.server.on('request', (_req, res: ServerResponse) =>
      arrivals.push(new Promise((resolve) => res.once('close', resolve))),
    );
    const arrived = (count: number): Promise<true> =>
      waitFor(`request ${count} to arrive`, () => (arrivals.length === count ? true : undefined), 5_000, 10);
    try {
      const first = request(bounded.port);
      await waitFor('the first scrape to start', () => (started === 1 ? true : undefined), 5_000, 10);
      const leaving = httpRequest({ host: LOOPBACK, port: bounded.port, path: '/metrics', agent: false });
      leaving.on('error', () => {}); // we cut it ourselves
      leaving.end();
      await arrived(2);
      expect((await request(bounded.port)).status, 'the queue of one is full').to.equal(503);

      leaving.destroy();
      await arrivals[1];
      const next = request(bounded.port); // takes the freed place
      await arrived(4);
      gate.resolve();
      expect((await first).status).to.equal(200);
      expect((await next).status, 'queued, not refused').to.equal(200);
      expect(started, 'the leaver was never collected').to.equal(2);
    } finally {
      gate.resolve();
      await bounded.close();
    }
  });

  it('answers 503 with Retry-After past maxConcurrentScrapes when no queue is allowed, and serves again once scrapes end', async () => {
    const bounded = await exposeMetrics(0, { host: LOOPBACK, registry, maxConcurrentScrapes: 2, maxQueuedScrapes: 0 });
    const gate = deferred();
    let started = 0;
    registry.registerCollector(async function slowCollector() {
      started++;
      await gate.promise;
      return [];
    });
    let arrivals = 0;
    bounded.server.on('request', () => arrivals++);
    try {
      // Both scrapes wait on the one call of the collector they share.
      const held = [request(bounded.port), request(bounded.port)];
      await waitFor('two scrapes in progress', () => (started === 1 && arrivals === 2 ? true : undefined), 5_000, 10);
      await new Promise((r) => setImmediate(r));
      const refused = await request(bounded.port);
      expect(refused.status).to.equal(503);
      expect(refused.headers['retry-after']).to.equal('1');
      gate.resolve();
      expect((await Promise.all(held)).map((a) => a.status)).to.deep.equal([200, 200]);
      expect((await request(bounded.port)).status).to.equal(200);
    } finally {
      gate.resolve();
      await bounded.close();
    }
  });

  it('starts one scrape per event-loop turn, so a burst of scrapes cannot hold the loop', async () => {
    // A registry of its own with only the recording collector: no metric family to collect first,
    // whose time budget could give the loop a turn before the collector is called.
    const own = new Registry();
    const ownServer = await exposeMetrics(0, { host: LOOPBACK, registry: own });
    let turn = 0;
    let counting = true;
    const count = (): void => {
      turn++;
      if (counting) setImmediate(count); // one increment per turn of the loop
    };
    setImmediate(count);
    const turns: number[] = [];
    own.registerCollector(function turnRecorder() {
      turns.push(turn);
      return [];
    });
    try {
      // Pipelined on one connection, the 8 requests reach the handler in the same turn.
      const { answer } = await rawExchange(
        ownServer.port,
        'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(7) +
          'GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      );
      expect(answer.match(/HTTP\/1\.1 200 OK/g)).to.have.length(8);
    } finally {
      counting = false;
      await ownServer.close();
    }
    expect(new Set(turns).size, `turns ${turns.join(',')}`).to.equal(8);
  });

  it('releases the slot of a client that leaves mid-scrape', async () => {
    const bounded = await exposeMetrics(0, { host: LOOPBACK, registry, maxConcurrentScrapes: 1, maxQueuedScrapes: 0 });
    const gate = deferred();
    let started = 0;
    const slowCollector = async (): Promise<never[]> => {
      started++;
      await gate.promise;
      return [];
    };
    registry.registerCollector(slowCollector);
    try {
      const leaving = httpRequest({ host: LOOPBACK, port: bounded.port, path: '/metrics', agent: false });
      leaving.on('error', () => {}); // we cut it ourselves
      leaving.end();
      await waitFor('the first scrape to start', () => (started === 1 ? true : undefined), 5_000, 10);
      // Later scrapes would share the collector's pending call: take it away so they need only the slot.
      registry.unregisterCollector(slowCollector);
      leaving.destroy();
      // The slot is released when the server sees the connection close.
      const answer = await waitFor(
        'the slot to be released',
        async () => {
          const a = await request(bounded.port);
          return a.status === 200 ? a : undefined;
        },
        5_000,
        20,
      );
      expect(answer.status).to.equal(200);
    } finally {
      gate.resolve();
      await bounded.close();
    }
  });
});
