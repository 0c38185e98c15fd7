/**
 * Gzip as a stream: a large scrape asked for with Accept-Encoding: gzip is compressed as it is
 * rendered, so its first compressed bytes reach the client before the render has reached the
 * registry's last family; and it decompresses to the identity body, byte for byte.
 */
import { expect } from 'chai';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { Counter, Histogram, Registry, exposeMetrics, type MetricsServer } from '../../lib/index.js';
import { LOOPBACK, request } from './support.js';

interface TimedAnswer {
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** When the first bytes of the body arrived (performance.now()). */
  firstBytesAt: number;
}

function scrape(port: number, headers: Record<string, string>): Promise<TimedAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: LOOPBACK, port, path: '/metrics', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let firstBytesAt = 0;
      res.on('data', (chunk: Buffer) => {
        if (chunks.length === 0) firstBytesAt = performance.now();
        chunks.push(chunk);
      });
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks), firstBytesAt }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error('scrape timed out')));
    req.end();
  });
}

describe('gzip streaming: compressed as it is rendered', function () {
  this.timeout(60_000);
  const registry = new Registry();
  let server: MetricsServer;
  /** When the render reached the last family (read its samples) in the current scrape. */
  let lastFamilyRenderedAt: number | undefined;

  before(async () => {
    for (let m = 0; m < 60; m++) {
      const counter = new Counter({ name: `app_requests_${m}`, help: 'Requests', labelNames: ['route'], registry });
      for (let j = 0; j < 1000; j++) counter.labels(`/api/v1/resource/${j}`).inc(j);
    }
    const histogram = new Histogram({ name: 'app_latency_seconds', help: 'Latency', labelNames: ['route'], registry });
    for (let j = 0; j < 3000; j++) histogram.labels(`/api/v1/resource/${j}`).observe(j / 1000);
    // The last family: a metric of our own whose samples note when a format first reads them.
    const family = {
      name: 'zz_last',
      help: 'The last family rendered',
      type: 'gauge' as const,
      unit: '',
      get samples() {
        lastFamilyRenderedAt ??= performance.now();
        return [{ name: 'zz_last', labels: {}, value: 1 }];
      },
    };
    registry.register({
      name: 'zz_last',
      help: family.help,
      type: 'gauge',
      unit: '',
      labelNames: [],
      reset: () => {},
      definition: () => ({}),
      sampleNames: () => ['zz_last'],
      seriesLabelNames: () => [],
      collect: () => family,
    });
    server = await exposeMetrics(0, { host: LOOPBACK, registry });
  });

  after(() => server?.close());

  it('sends the first compressed bytes before the render reaches the last family', async () => {
    lastFamilyRenderedAt = undefined;
    const zipped = await scrape(server.port, { 'accept-encoding': 'gzip' });
    expect(zipped.headers['content-encoding']).to.equal('gzip');
    expect(zipped.headers['content-length'], 'no length: the body goes as it is made').to.equal(undefined);
    expect(zipped.headers['transfer-encoding']).to.equal('chunked');
    expect(lastFamilyRenderedAt, 'the last family was rendered').to.be.a('number');
    const lead = lastFamilyRenderedAt! - zipped.firstBytesAt;
    console.log(`      the first gzip bytes arrived ${lead.toFixed(1)} ms before the render reached the last family`);
    expect(zipped.firstBytesAt, 'first compressed bytes received before the last family was rendered').to.be.lessThan(
      lastFamilyRenderedAt!,
    );
  });

  it('decompresses to the identity body, byte for byte', async () => {
    const zipped = await scrape(server.port, { 'accept-encoding': 'gzip' });
    const plain = await request(server.port);
    expect(plain.headers['content-encoding']).to.equal(undefined);
    expect(plain.body.length, 'a large body').to.be.greaterThan(3_000_000);
    const unzipped = gunzipSync(zipped.body);
    expect(unzipped.length).to.equal(plain.body.length);
    expect(unzipped.equals(plain.body), 'gunzip(gzip body) equals the identity body').to.equal(true);
    expect(unzipped.toString('utf8')).to.equal(await registry.metrics('text'));
    // Also in OpenMetrics, the format Prometheus asks for.
    const accept = 'application/openmetrics-text; version=1.0.0';
    const zippedOpenMetrics = await scrape(server.port, { 'accept-encoding': 'gzip', accept });
    expect(gunzipSync(zippedOpenMetrics.body).toString('utf8')).to.equal(await registry.metrics('openmetrics'));
  });

  it('answers a small registry whole, gzipped, with its Content-Length', async () => {
    const small = new Registry();
    new Counter({ name: 'jobs', help: 'Jobs', registry: small }).inc(3);
    const smallServer = await exposeMetrics(0, { host: LOOPBACK, registry: small });
    try {
      const zipped = await scrape(smallServer.port, { 'accept-encoding': 'gzip' });
      expect(zipped.headers['content-length']).to.equal(String(zipped.body.length));
      expect(gunzipSync(zipped.body).toString('utf8')).to.equal(await small.metrics('text'));
    } finally {
      await smallServer.close();
    }
  });
});
