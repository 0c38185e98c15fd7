import { expect } from 'chai';
import { generate } from 'selfsigned';
import { Gauge, Registry, exposeMetrics, type MetricsServer } from '../../lib/index.js';
import { LOOPBACK, request } from './support.js';

describe('exposeMetrics: TLS', () => {
  let server: MetricsServer;
  let cert: string;

  before(async () => {
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
    const registry = new Registry();
    new Gauge({ name: 'tls_gauge', help: 'h', registry }).set(1);
    server = await exposeMetrics(0, {
      host: LOOPBACK,
      registry,
      tls: { key: pems.private, cert: pems.cert },
      basicAuth: { username: 'u', password: 'p' },
    });
  });
  after(() => server?.close());

  it('serves HTTPS with the given certificate, and names https in its url', async () => {
    expect(server.url).to.equal(`https://127.0.0.1:${server.port}/metrics`);
    const answer = await request(server.port, '/metrics', {
      https: true,
      ca: cert,
      headers: { authorization: `Basic ${Buffer.from('u:p').toString('base64')}` },
    });
    expect(answer.status).to.equal(200);
    expect(answer.text).to.include('tls_gauge 1');
  });

  it('refuses a client that does not trust the certificate, and keeps serving', async () => {
    const error = (await request(server.port, '/metrics', { https: true }).catch(
      (e: unknown) => e,
    )) as NodeJS.ErrnoException;
    expect(error.code).to.equal('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect((await request(server.port, '/metrics', { https: true, ca: cert })).status).to.equal(401);
  });

  it('does not answer plain HTTP with metrics', async () => {
    const outcome = await request(server.port).then(
      (a) => a.status,
      (e: NodeJS.ErrnoException) => e.code,
    );
    expect(outcome).to.not.equal(200);
    expect((await request(server.port, '/metrics', { https: true, ca: cert })).status).to.equal(401);
  });
});
