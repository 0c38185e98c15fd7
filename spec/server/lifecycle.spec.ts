import { expect } from 'chai';
import { request as httpRequest, Agent } from 'node:http';
import { Counter, Registry, defaultRegistry, exposeMetrics } from '../../lib/index.js';
import { LOOPBACK, deferred, request, waitFor } from './support.js';

describe('exposeMetrics: lifecycle', () => {
  it('listens on the port the OS picked when asked for 0, and says where', async () => {
    const server = await exposeMetrics(0, { host: LOOPBACK, registry: new Registry() });
    try {
      expect(server.port).to.be.a('number').above(0);
      expect(server.host).to.equal(LOOPBACK);
      expect(server.path).to.equal('/metrics');
      expect(server.url).to.equal(`http://127.0.0.1:${server.port}/metrics`);
      expect((await request(server.port)).status).to.equal(200);
    } finally {
      await server.close();
    }
  });

  it('listens on all interfaces by default and names localhost in its url', async () => {
    const server = await exposeMetrics(0, { registry: new Registry() });
    try {
      expect(['::', '0.0.0.0']).to.include(server.host);
      expect(server.url).to.equal(`http://localhost:${server.port}/metrics`);
      expect((await request(server.port)).status).to.equal(200);
    } finally {
      await server.close();
    }
  });

  it('serves the default registry by default', async () => {
    const counter = new Counter({ name: 'lifecycle_spec_default_total', help: 'h' });
    counter.inc();
    const server = await exposeMetrics(0, { host: LOOPBACK });
    try {
      expect((await request(server.port)).text).to.include('lifecycle_spec_default_total 1');
    } finally {
      await server.close();
      defaultRegistry.unregister(counter);
    }
  });

  it('rejects with an error naming the port when it is taken', async () => {
    const first = await exposeMetrics(0, { host: LOOPBACK, registry: new Registry() });
    try {
      const error = (await exposeMetrics(first.port, { host: LOOPBACK }).catch((e: unknown) => e)) as Error & {
        code?: string;
      };
      expect(error).to.be.instanceOf(Error);
      expect(error.code).to.equal('EADDRINUSE');
      expect(error.message).to.equal(
        `exposeMetrics: cannot listen on 127.0.0.1 port ${first.port}: port ${first.port} is already in use (EADDRINUSE)`,
      );
      expect((await request(first.port)).status, 'the first server is unharmed').to.equal(200);
    } finally {
      await first.close();
    }
  });

  it('close() resolves once closed; the port refuses connections after; a second close() is the same promise', async () => {
    const server = await exposeMetrics(0, { host: LOOPBACK, registry: new Registry() });
    expect((await request(server.port)).status).to.equal(200);
    const closing = server.close();
    expect(server.close()).to.equal(closing);
    await closing;
    expect(server.server.listening).to.equal(false);
    const error = (await request(server.port).catch((e: unknown) => e)) as NodeJS.ErrnoException;
    expect(error.code).to.equal('ECONNREFUSED');
  });

  it('close() does not wait for idle keep-alive connections', async () => {
    const server = await exposeMetrics(0, { host: LOOPBACK, registry: new Registry(), keepAliveTimeout: 60_000 });
    const agent = new Agent({ keepAlive: true });
    try {
      await new Promise<void>((resolve, reject) => {
        httpRequest({ host: LOOPBACK, port: server.port, path: '/metrics', agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        })
          .on('error', reject)
          .end();
      });
      const started = Date.now();
      await server.close();
      // Without closing the idle connection, close() would wait for the 60 s keep-alive timeout.
      expect(Date.now() - started).to.be.below(2_000);
    } finally {
      agent.destroy();
    }
  });

  it('close() lets a scrape in progress finish, then closes its keep-alive connection', async () => {
    const registry = new Registry();
    const gate = deferred();
    let started = false;
    registry.registerCollector(async function slowCollector() {
      started = true;
      await gate.promise;
      return [{ name: 'late', help: 'h', type: 'gauge', samples: [{ value: 1 }] }];
    });
    const server = await exposeMetrics(0, { host: LOOPBACK, registry, keepAliveTimeout: 60_000 });
    const agent = new Agent({ keepAlive: true });
    try {
      const answer = new Promise<{ status: number; body: string; connection: string | undefined }>(
        (resolve, reject) => {
          httpRequest({ host: LOOPBACK, port: server.port, path: '/metrics', agent }, (res) => {
            let body = '';
            res.on('data', (chunk: Buffer) => (body += chunk.toString()));
            res.on('end', () => resolve({ status: res.statusCode!, body, connection: res.headers.connection }));
          })
            .on('error', reject)
            .end();
        },
      );
      await waitFor('the scrape to start', () => (started ? true : undefined), 5_000, 10);
      let closed = false;
      const closing = server.close().then(() => (closed = true));
      await new Promise((r) => setTimeout(r, 50));
      expect(closed, 'close() waits for the scrape').to.equal(false);
      gate.resolve();
      const { status, body } = await answer;
      expect(status).to.equal(200);
      expect(body).to.include('late 1');
      const started2 = Date.now();
      await closing;
      expect(Date.now() - started2).to.be.below(2_000);
    } finally {
      gate.resolve();
      agent.destroy();
      await server.close();
    }
  });

  it('is async-disposable', async () => {
    const server = await exposeMetrics(0, { host: LOOPBACK, registry: new Registry() });
    await server[Symbol.asyncDispose]();
    expect(server.server.listening).to.equal(false);
  });
});
