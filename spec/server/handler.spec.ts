import { expect } from 'chai';
import express from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { Counter, Registry, defaultRegistry, metricsHandler } from '../../lib/index.js';
import { LOOPBACK, request } from './support.js';

const listen = (server: Server): Promise<number> =>
  new Promise((resolve) => server.listen(0, LOOPBACK, () => resolve((server.address() as AddressInfo).port)));
const close = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });

describe('metricsHandler', () => {
  let registry: Registry;

  beforeEach(() => {
    registry = new Registry();
    new Counter({ name: 'orders', help: 'Orders placed', registry }).inc(4);
  });

  describe('with node:http', () => {
    let server: Server;
    let port: number;
    beforeEach(async () => {
      server = createServer(metricsHandler(registry));
      port = await listen(server);
    });
    afterEach(() => close(server));

    it('serves the registry on any path (mounting is the caller’s), negotiating and gzipping', async () => {
      const text = await request(port, '/anything');
      expect(text.status).to.equal(200);
      expect(text.text).to.equal('# HELP orders_total Orders placed\n# TYPE orders_total counter\norders_total 4\n');
      const openMetrics = await request(port, '/', {
        headers: { accept: 'application/openmetrics-text; version=1.0.0', 'accept-encoding': 'gzip' },
      });
      expect(openMetrics.headers['content-type']).to.equal(
        'application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores',
      );
      expect(gunzipSync(openMetrics.body).toString()).to.equal(await registry.metrics('openmetrics'));
    });

    it('answers 405 with Allow, and HEAD without a body', async () => {
      const post = await request(port, '/', { method: 'POST' });
      expect(post.status).to.equal(405);
      expect(post.headers.allow).to.equal('GET, HEAD');
      const head = await request(port, '/', { method: 'HEAD' });
      expect(head.status).to.equal(200);
      expect(head.body.length).to.equal(0);
    });
  });

  it('serves the default registry when given none', async () => {
    const counter = new Counter({ name: 'handler_spec_default_total', help: 'h' });
    const server = createServer(metricsHandler());
    try {
      const port = await listen(server);
      expect((await request(port)).text).to.include('handler_spec_default_total 0');
    } finally {
      await close(server);
      defaultRegistry.unregister(counter);
    }
  });

  describe('with Express', () => {
    let server: Server;
    let port: number;
    beforeEach(async () => {
      const app = express();
      app.get('/metrics', metricsHandler(registry));
      app.use('/guarded', metricsHandler(registry, { basicAuth: { username: 'scraper', password: 's3cret' } }));
      app.get('/hello', (_req, res) => {
        res.send('hi');
      });
      server = createServer(app);
      port = await listen(server);
    });
    afterEach(() => close(server));

    it('serves metrics on the route it is mounted on, with name[] filtering, next to the app’s routes', async () => {
      expect((await request(port, '/hello')).text).to.equal('hi');
      const answer = await request(port, '/metrics?name[]=orders');
      expect(answer.status).to.equal(200);
      expect(answer.headers['content-type']).to.equal('text/plain; version=0.0.4; charset=utf-8');
      expect(answer.text).to.include('orders_total 4');
      expect((await request(port, '/metrics?name[]=other')).text).to.equal('');
      expect((await request(port, '/metrics', { method: 'HEAD' })).status).to.equal(200);
    });

    it('applies its own options under app.use: basic auth and 405 for other methods', async () => {
      expect((await request(port, '/guarded')).status).to.equal(401);
      const authorization = `Basic ${Buffer.from('scraper:s3cret').toString('base64')}`;
      expect((await request(port, '/guarded', { headers: { authorization } })).text).to.include('orders_total 4');
      const del = await request(port, '/guarded', { method: 'DELETE', headers: { authorization } });
      expect(del.status).to.equal(405);
      expect(del.headers.allow).to.equal('GET, HEAD');
    });

    it('answers 500 naming the collector, and the app keeps serving', async () => {
      registry.registerCollector(() => {
        throw new Error('disk gone');
      }, 'diskCollector');
      const failed = await request(port, '/metrics');
      expect(failed.status).to.equal(500);
      expect(failed.text).to.equal('Collecting collector diskCollector failed: disk gone\n');
      expect((await request(port, '/hello')).text).to.equal('hi');
    });
  });
});
