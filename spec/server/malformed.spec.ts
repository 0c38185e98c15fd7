import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { Gauge, Registry, exposeMetrics, type MetricsServer } from '../../lib/index.js';
import { LOOPBACK, rawExchange, request, waitFor } from './support.js';

describe('exposeMetrics: malformed requests', () => {
  let server: MetricsServer;
  const unexpected: unknown[] = [];
  const record = (error: unknown): void => {
    unexpected.push(error);
  };

  before(async () => {
    process.on('unhandledRejection', record);
    const registry = new Registry();
    new Gauge({ name: 'still_here', help: 'h', registry }).set(1);
    server = await exposeMetrics(0, { host: LOOPBACK, registry, headersTimeout: 300, requestTimeout: 600 });
  });
  after(async () => {
    process.off('unhandledRejection', record);
    await server.close();
  });
  afterEach(async () => {
    expect(unexpected, 'unhandled rejections').to.deep.equal([]);
    const answer = await request(server.port);
    expect(answer.status, 'the server still serves').to.equal(200);
    expect(answer.text).to.include('still_here 1');
  });

  const expectStatus = (answer: string, status: number): void => {
    expect(answer.split('\r\n')[0], JSON.stringify(answer.slice(0, 120))).to.equal(
      `HTTP/1.1 ${status} ${status === 400 ? 'Bad Request' : status === 431 ? 'Request Header Fields Too Large' : 'Request Timeout'}`,
    );
    expect(answer).to.include('Connection: close');
  };

  it('answers 400 to a request line that is not HTTP, and closes', async () => {
    const { answer, closedByServer } = await rawExchange(server.port, 'HELLO THERE\r\n\r\n');
    expectStatus(answer, 400);
    expect(closedByServer).to.equal(true);
  });

  it('answers 400 to random bytes', async () => {
    for (let i = 0; i < 5; i++) {
      const { answer, closedByServer } = await rawExchange(
        server.port,
        Buffer.concat([Buffer.from([0x00, 0xff]), randomBytes(512)]),
      );
      expectStatus(answer, 400);
      expect(closedByServer).to.equal(true);
    }
  });

  it('answers 400 to broken headers and framing', async () => {
    const cases = [
      'GET /metrics HTTP/1.1\r\nHost: x\r\nBad Header Without Colon\r\n\r\n',
      'GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
      'GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
      'GET /metrics HTTP/9.9\r\nHost: x\r\n\r\n',
      'GET /metrics HTTP/1.1\r\n\r\n', // HTTP/1.1 requires Host
    ];
    for (const raw of cases) {
      const { answer, closedByServer } = await rawExchange(server.port, raw);
      expect(
        answer.startsWith('HTTP/1.1 400 '),
        `${JSON.stringify(raw)} -> ${JSON.stringify(answer.slice(0, 60))}`,
      ).to.equal(true);
      expect(closedByServer, JSON.stringify(raw)).to.equal(true);
    }
  });

  it('answers 404 to request targets that pass the HTTP parser but are not a path or an http URL', async () => {
    for (const target of [
      '*',
      'http://',
      'http://[',
      'http://[::1/metrics',
      'http://x:99999/metrics',
      'http://%zz/metrics',
      'ftp://x/metrics',
    ]) {
      const { answer } = await rawExchange(
        server.port,
        `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      );
      expect(answer.split('\r\n')[0], target).to.equal('HTTP/1.1 404 Not Found');
    }
  });

  it('answers 431 to oversized headers', async () => {
    const { answer, closedByServer } = await rawExchange(
      server.port,
      `GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`,
    );
    expectStatus(answer, 431);
    expect(closedByServer).to.equal(true);
  });

  it('answers 408 and closes when the headers never end (headersTimeout)', async () => {
    const { answer, closedByServer } = await rawExchange(
      server.port,
      'GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n',
      5_000,
    );
    expectStatus(answer, 408);
    expect(closedByServer).to.equal(true);
  });

  it('survives clients that leave mid-request or mid-response', async () => {
    for (const raw of ['GET /metr', 'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n']) {
      for (let i = 0; i < 20; i++) await rawExchange(server.port, raw, 0);
    }
  });

  it('answers 400 to garbage that follows a served request on a keep-alive connection', async () => {
    const socket = connect({ host: LOOPBACK, port: server.port });
    socket.on('error', () => {}); // a reset after the 400 is fine
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n');
    await waitFor('the first answer', () => (received.includes('still_here 1') ? true : undefined), 5_000, 10);
    socket.write('\x00\x01garbage\r\n\r\n');
    await Promise.race([closed, new Promise((r) => setTimeout(r, 5_000))]);
    socket.destroy();
    expect([...received.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1])).to.deep.equal(['200', '400']);
  });

  it('answers 400 to a request whose body is malformed, before its scrape answers', async () => {
    const { answer, closedByServer } = await rawExchange(
      server.port,
      'GET /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    );
    expectStatus(answer, 400);
    expect(closedByServer).to.equal(true);
  });
});
