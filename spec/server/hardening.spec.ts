/**
 * Connections that misbehave (issue 9, findings 1-4) must not wedge the endpoint, hold memory or
 * sockets, or keep close() from resolving. The attacked server runs in a child process
 * (hardening-target.ts) started with --expose-gc, so its heap is measured after real collections;
 * the attackers run here. Deadlines are shortened through the options so each finding shows within
 * seconds; the last describe checks that the defaults are bounded too.
 */
import { expect } from 'chai';
import { fork, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { generate } from 'selfsigned';
import { Registry, exposeMetrics, metricsHandler, type ExposeMetricsOptions } from '../../lib/index.js';
import { resolveHandlerOptions, resolveServerOptions } from '../../lib/server/options.js';
import { LOOPBACK, requestWithin, stalledClient, waitFor } from './support.js';

const TARGET = fileURLToPath(new URL('./hardening-target.js', import.meta.url));

/** The deadlines of the attacked server: short, so that each attack resolves within seconds. */
const OPTIONS = { headersTimeout: 1_000, requestTimeout: 2_000, sendTimeout: 2_000, closeTimeout: 1_000 } as const;
/** A normal scrape must be answered within this, right after each attack. */
const RESPONSIVE_MS = 1_000;
/** Slack on top of a deadline for the server to act on it (timers, its event loop, a busy machine). */
const SLACK_MS = 3_000;
/** The ordinary families, about 1.2 MB: what the pipelining clients ask for. */
const APP_FAMILIES = '/metrics?name[]=app_requests&name[]=app_in_flight';

interface Memory {
  heapUsed: number;
  external: number;
}
interface Stats {
  requests: number;
  connections: { http: number; https: number };
}
const NONE_OPEN = { http: 0, https: 0 };

const megabytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const pipelined = (path: string, count: number): string => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`.repeat(count);
const times = <T>(count: number, make: () => Promise<T>): Promise<T[]> =>
  Promise.all(Array.from({ length: count }, make));

describe('exposeMetrics hardening: misbehaving clients cannot wedge it, hold memory or outlive close()', function () {
  this.timeout(20_000);
  let child: ChildProcess | undefined;
  let httpPort: number;
  let httpsPort: number;
  let cert: string;
  let baseline: Memory;
  const clients: Socket[] = [];
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

  const stats = (): Promise<Stats> => ask<Stats>('stats');
  const attack = async (port: number, data?: string | Buffer): Promise<Socket> => {
    const client = await stalledClient(port, data);
    clients.push(client);
    return client;
  };
  const requestsSeen = (count: number): Promise<true> => {
    const arrived = async (): Promise<true | undefined> => ((await stats()).requests >= count ? true : undefined);
    return waitFor(`${count} requests to reach the server`, arrived, 5_000, 20);
  };
  const connectionsAtLeast = (count: number): Promise<true> => {
    const open = async (): Promise<true | undefined> => ((await stats()).connections.https >= count ? true : undefined);
    return waitFor(`${count} connections on the HTTPS server`, open, 2_000, 20);
  };
  /** The connections still open on the server after up to `limitMs` (as soon as there are none). */
  const openAfter = async (limitMs: number): Promise<Stats['connections']> => {
    const none = async (): Promise<Stats['connections'] | undefined> => {
      const { connections } = await stats();
      return connections.http + connections.https === 0 ? connections : undefined;
    };
    return waitFor('the connections to close', none, limitMs, 50).catch(async () => (await stats()).connections);
  };

  /** What must hold after every attack: a normal scrape in time, no connection left, the memory back. */
  const expectRecovered = async (attack: string, https = false): Promise<void> => {
    const answer = await requestWithin(https ? httpsPort : httpPort, RESPONSIVE_MS, '/metrics', { https, ca: cert });
    expect(answer.status, `a normal scrape after ${attack}`).to.equal(200);
    expect(answer.text).to.include('bulk_payload{shard="255"');
    expect(await openAfter(2_000), `connections open on the server after ${attack}`).to.deep.equal(NONE_OPEN);
    const after = await ask<Memory>('heap');
    console.log(
      `      after ${attack}: a normal scrape (${megabytes(answer.body.length)}) in ${answer.ms} ms; ` +
        `heap ${megabytes(baseline.heapUsed)} before, ${megabytes(after.heapUsed)} after GC; ` +
        `external (response bodies) ${megabytes(baseline.external)} before, ${megabytes(after.external)} after`,
    );
    expect(after.heapUsed, `heap after ${attack} and a GC`).to.be.at.most(baseline.heapUsed * 1.2);
    const total = (memory: Memory): number => memory.heapUsed + memory.external;
    expect(total(after), `heap and external memory after ${attack} and a GC`).to.be.at.most(total(baseline) * 1.2);
  };

  before(async function () {
    this.timeout(30_000);
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      extensions: [
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 7, ip: '127.0.0.1' },
          ],
        },
      ],
    });
    cert = pems.cert;
    child = fork(TARGET, { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise<void>((resolve, reject) => {
      child!.once('exit', (code) => reject(new Error(`hardening target exited early (code ${code})`)));
      child!.on('message', (message: Record<string, unknown>) => {
        if (message.ready === true) resolve();
        const id = message.id as number;
        pending.get(id)?.(message);
        pending.delete(id);
      });
    });
    const tls = { key: pems.private, cert: pems.cert };
    ({ httpPort, httpsPort } = await ask<{ httpPort: number; httpsPort: number }>('start', { options: OPTIONS, tls }));
    // Scrapes before the baseline, so it includes what the first scrapes allocate for good
    // (compiled code, caches) and the comparison is about what an attack leaves behind.
    for (const path of ['/metrics', APP_FAMILIES]) {
      expect((await requestWithin(httpPort, 5_000, path)).status).to.equal(200);
    }
    expect((await requestWithin(httpsPort, 5_000, '/metrics', { https: true, ca: cert })).status).to.equal(200);
    baseline = await ask<Memory>('heap');
  });

  afterEach(() => {
    for (const client of clients.splice(0)) client.destroy();
  });

  after(async () => {
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  });

  it('finding 1: pipelined requests abandoned mid-response free their scrape slots', async () => {
    // Two connections pipeline 11 scrapes each (more than maxConcurrentScrapes) and never read:
    // the responses queued behind the stalled first one get neither finish nor close from Node.
    const before = (await stats()).requests;
    const pipeliners = await times(2, () => attack(httpPort, pipelined(APP_FAMILIES, 11)));
    await requestsSeen(before + 22);
    await sleep(500); // let the scrapes start and the first responses stall
    for (const client of pipeliners) client.destroy();
    await expectRecovered('two abandoned connections of 11 pipelined scrapes');
  });

  it('finding 1: pipelined scrapes on half-closed connections, and an abandoned scrape, free their slots', async () => {
    const before = (await stats()).requests;
    const halfClosed = await times(2, () => attack(httpPort, pipelined(APP_FAMILIES, 11)));
    for (const client of halfClosed) client.end(); // done sending, still "reading" (never does)
    const single = await attack(httpPort, pipelined('/metrics', 1));
    await requestsSeen(before + 23);
    await sleep(500);
    for (const client of [...halfClosed, single]) client.destroy();
    await expectRecovered('two half-closed connections of 11 pipelined scrapes and one abandoned scrape');
  });

  it('finding 2: TLS connections that never finish their handshake are closed at the headers timeout', async () => {
    const silent = await times(10, () => attack(httpsPort));
    // A TLS record header announcing a ClientHello that never comes.
    const partialHello = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]);
    const stalledHello = await times(10, () => attack(httpsPort, partialHello));
    // The same, a byte every 100 ms: the handshake deadline must not be an idle timer it can reset.
    const trickledHello = await times(5, () => attack(httpsPort));
    let sent = 0;
    const trickle = setInterval(() => {
      if (sent >= partialHello.length) return;
      for (const client of trickledHello) if (!client.destroyed) client.write(partialHello.subarray(sent, sent + 1));
      sent++;
    }, 100);
    // Not TLS at all: the server fails the handshake at once and must not answer it in plain HTTP.
    await times(5, () => attack(httpsPort, pipelined('/metrics', 1)));
    try {
      await connectionsAtLeast(silent.length + stalledHello.length + trickledHello.length);
      const limit = OPTIONS.headersTimeout + SLACK_MS;
      expect(await openAfter(limit), `connections open ${limit} ms after they opened`).to.deep.equal(NONE_OPEN);
    } finally {
      clearInterval(trickle);
    }
    await expectRecovered('30 TLS connections that never finished their handshake', true);
  });

  it('finding 4: clients that never read a 17 MB body are cut at sendTimeout; other scrapes get through', async () => {
    const before = (await stats()).requests;
    // As many as maxConcurrentScrapes (default 10): they hold every slot.
    await times(10, () => attack(httpPort, pipelined('/metrics', 1)));
    await requestsSeen(before + 10);
    // A scrape that arrives while all ten slots are held waits for the first one cut.
    const limit = OPTIONS.sendTimeout + SLACK_MS;
    const during = await requestWithin(httpPort, limit);
    expect(during.status, 'a scrape during the attack').to.equal(200);
    console.log(`      a scrape during the attack was answered in ${during.ms} ms`);
    expect(await openAfter(limit), `connections open ${limit} ms after that scrape`).to.deep.equal(NONE_OPEN);
    await expectRecovered('ten clients that never read a 17 MB body');
  });

  it('finding 3: close() resolves within closeTimeout while clients trickle headers (HTTP and HTTPS)', async () => {
    const httpTrickler = await attack(httpPort, 'GET /metrics HTTP/1.1\r\nHost: x\r\n');
    const tlsTrickler = tlsConnect({ host: LOOPBACK, port: httpsPort, ca: cert, servername: 'localhost' });
    tlsTrickler.on('error', () => {});
    await new Promise<void>((resolve) => tlsTrickler.once('secureConnect', resolve));
    tlsTrickler.write('GET /metrics HTTP/1.1\r\nHost: x\r\n');
    let trickling = true;
    const trickle = (async () => {
      for (let i = 0; i < 100 && trickling; i++) {
        for (const socket of [httpTrickler, tlsTrickler]) {
          if (!socket.destroyed) socket.write(`X-Trickle-${i}: 1\r\n`);
        }
        await sleep(100);
      }
    })();
    try {
      await sleep(300); // both are mid-headers when close() starts
      const limit = OPTIONS.closeTimeout + SLACK_MS;
      // close() resolves only once the server has no connection left, tricklers included.
      const closed = await ask<{ httpMs: number; httpsMs: number }>('close', {}, limit);
      console.log(`      close() took ${closed.httpMs} ms (HTTP) and ${closed.httpsMs} ms (HTTPS)`);
      expect(closed.httpMs).to.be.at.most(limit);
      expect(closed.httpsMs).to.be.at.most(limit);
    } finally {
      trickling = false;
      tlsTrickler.destroy();
      await trickle;
    }
  });
});

describe('metricsHandler in a server of your own: slots tied to the socket, responses under the send deadline', () => {
  const SEND_TIMEOUT_MS = 1_000;
  let server: Server;
  let port: number;
  let seen = 0;
  const clients: Socket[] = [];
  const connections = (): Promise<number> =>
    new Promise((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count))));

  before(async () => {
    const registry = new Registry();
    const pad = 'y'.repeat(64 * 1024);
    registry.registerCollector(function paddedCollector() {
      const samples = Array.from({ length: 20 }, (_, i) => ({ labels: { i, pad }, value: i }));
      return [{ name: 'padded', help: 'About 1.3 MB', type: 'gauge', samples }];
    });
    server = createServer(metricsHandler(registry, { sendTimeout: SEND_TIMEOUT_MS }));
    server.on('request', () => seen++);
    await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.destroy();
  });
  after(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  });

  it('answers a fresh scrape right after two connections of 11 pipelined scrapes are abandoned', async () => {
    const before = seen;
    for (let i = 0; i < 2; i++) clients.push(await stalledClient(port, pipelined('/metrics', 11)));
    await waitFor('22 requests', () => (seen >= before + 22 ? true : undefined), 5_000, 10);
    await sleep(500); // let the scrapes start and the first responses stall
    for (const client of clients) client.destroy();
    const answer = await requestWithin(port, RESPONSIVE_MS);
    expect(answer.status).to.equal(200);
    expect(answer.text).to.include('padded{i="19"');
  });

  it('cuts a connection of pipelined scrapes that never reads, at sendTimeout', async () => {
    const before = seen;
    clients.push(await stalledClient(port, pipelined('/metrics', 11)));
    await waitFor('11 requests', () => (seen >= before + 11 ? true : undefined), 5_000, 10);
    const limit = SEND_TIMEOUT_MS + SLACK_MS;
    const cut = async (): Promise<true | undefined> => ((await connections()) === 0 ? true : undefined);
    const closed = await waitFor('the connection to be cut', cut, limit, 50).catch(() => false);
    expect(closed, `the connection was cut within ${limit} ms`).to.equal(true);
    expect((await requestWithin(port, RESPONSIVE_MS)).status).to.equal(200);
  });
});

describe('connection deadlines: options and defaults', () => {
  it('has bounded defaults for every deadline', () => {
    const server = resolveServerOptions(0, undefined);
    expect(server.sendTimeout, 'sendTimeout').to.equal(30_000);
    expect(server.closeTimeout, 'closeTimeout').to.equal(5_000);
    expect(server.headersTimeout, 'headersTimeout, which also bounds a TLS handshake').to.equal(10_000);
    expect(server.requestTimeout).to.equal(30_000);
    expect(server.keepAliveTimeout).to.equal(5_000);
    expect(resolveHandlerOptions(undefined).sendTimeout, 'metricsHandler sendTimeout').to.equal(30_000);
  });

  it('validates the deadline options like the others', async () => {
    const rejection = async (options: ExposeMetricsOptions): Promise<Error> => {
      const error: unknown = await exposeMetrics(0, options).then(
        async (server) => server.close(),
        (e: unknown) => e,
      );
      expect(error, `${JSON.stringify(options)} is refused`).to.be.instanceOf(Error);
      return error as Error;
    };
    const expectError = (error: Error, type: ErrorConstructor, message: RegExp): void => {
      expect(error).to.be.instanceOf(type);
      expect(error.message).to.match(message);
    };
    expectError(await rejection({ sendTimeout: 0 }), RangeError, /options\.sendTimeout must be from 1 .* got 0/);
    expectError(await rejection({ sendTimeout: 1.5 }), TypeError, /options\.sendTimeout must be an integer, got 1\.5/);
    expectError(await rejection({ closeTimeout: -1 }), RangeError, /options\.closeTimeout must be from 0 .* got -1/);
    const notANumber = { closeTimeout: '5s' } as never;
    expectError(await rejection(notANumber), TypeError, /options\.closeTimeout must be an integer, got "5s"/);
    expect(() => metricsHandler(undefined, { sendTimeout: Infinity })).to.throw(
      TypeError,
      /metricsHandler: options\.sendTimeout must be an integer, got Infinity/,
    );
    // closeTimeout belongs to exposeMetrics: a handler does not close your server.
    const withCloseTimeout = { closeTimeout: 1 } as never;
    expect(() => metricsHandler(undefined, withCloseTimeout)).to.throw(TypeError, /unknown option "closeTimeout"/);
  });
});
