/** The README's lines for mounting metricsHandler in Koa and Fastify, run exactly as written. */
import { expect } from 'chai';
import Fastify, { type FastifyInstance } from 'fastify';
import Koa from 'koa';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Registry, metricsHandler } from '../../lib/index.js';
import { LOOPBACK, request } from './support.js';

const TEXT = 'text/plain; version=0.0.4; charset=utf-8';
// No escaping parameter in the Accept header means underscores, and the answer names it.
const OPENMETRICS = 'application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores';

interface Mounted {
  port: number;
  close(): Promise<void>;
}

const frameworks: Record<string, (handler: ReturnType<typeof metricsHandler>) => Promise<Mounted>> = {
  async Koa(handler) {
    const app = new Koa();
    // The README's line:
    // biome-ignore lint/complexity/noCommaOperator: the README's line, word for word
    app.use((ctx, next) => (ctx.path === '/metrics' ? ((ctx.respond = false), handler(ctx.req, ctx.res)) : next()));
    app.use((ctx) => {
      ctx.body = 'hi';
    });
    const server: Server = await new Promise((resolve) => {
      const listening = app.listen(0, LOOPBACK, () => resolve(listening));
    });
    return {
      port: (server.address() as AddressInfo).port,
      close: () =>
        new Promise((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        }),
    };
  },
  async Fastify(handler) {
    const fastify: FastifyInstance = Fastify();
    // The README's line:
    fastify.get('/metrics', (request, reply) => {
      reply.hijack();
      handler(request.raw, reply.raw);
    });
    fastify.get('/hello', async () => 'hi');
    await fastify.listen({ port: 0, host: LOOPBACK });
    return { port: (fastify.server.address() as AddressInfo).port, close: () => fastify.close() };
  },
};

for (const [name, mount] of Object.entries(frameworks)) {
  describe(`metricsHandler in ${name}, mounted with the README's line`, () => {
    let registry: Registry;
    let app: Mounted;

    beforeEach(async () => {
      registry = new Registry();
      new Counter({ name: 'orders', help: 'Orders placed', registry }).inc(4);
      app = await mount(metricsHandler(registry));
    });
    afterEach(() => app.close());

    it('serves the text format on GET, next to the app’s own routes', async () => {
      const answer = await request(app.port, '/metrics');
      expect(answer.status).to.equal(200);
      expect(answer.headers['content-type']).to.equal(TEXT);
      expect(answer.text).to.equal('# HELP orders_total Orders placed\n# TYPE orders_total counter\norders_total 4\n');
      expect((await request(app.port, '/hello')).text).to.equal('hi');
    });

    it('negotiates OpenMetrics from Accept', async () => {
      const answer = await request(app.port, '/metrics', {
        headers: { accept: 'application/openmetrics-text; version=1.0.0' },
      });
      expect(answer.status).to.equal(200);
      expect(answer.headers['content-type']).to.equal(OPENMETRICS);
      expect(answer.text).to.equal(await registry.metrics('openmetrics'));
    });

    it('answers HEAD with the headers of GET and no body', async () => {
      const get = await request(app.port, '/metrics');
      const head = await request(app.port, '/metrics', { method: 'HEAD' });
      expect(head.status).to.equal(200);
      expect(head.body.length).to.equal(0);
      for (const header of ['content-type', 'content-length'])
        expect(head.headers[header], header).to.equal(get.headers[header]);
    });

    it('answers 500 naming a failing collector, and keeps serving', async () => {
      registry.registerCollector(() => {
        throw new Error('disk gone');
      }, 'diskCollector');
      const failed = await request(app.port, '/metrics');
      expect(failed.status).to.equal(500);
      expect(failed.text).to.equal('Collecting collector diskCollector failed: disk gone\n');
      expect((await request(app.port, '/hello')).text).to.equal('hi');
    });
  });
}
