import { expect } from 'chai';
import { Gauge, Registry, exposeMetrics, type MetricsServer } from '../../lib/index.js';
import { LOOPBACK, request } from './support.js';

const basic = (credentials: string): string => `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;

describe('exposeMetrics: basic auth', () => {
  let server: MetricsServer;

  before(async () => {
    const registry = new Registry();
    new Gauge({ name: 'secret_value', help: 'h', registry }).set(42);
    server = await exposeMetrics(0, {
      host: LOOPBACK,
      registry,
      basicAuth: { username: 'prometheus', password: 'pä:ss wörd' },
    });
  });
  after(() => server.close());

  const expectChallenge = async (authorization: string | undefined, why: string): Promise<void> => {
    const answer = await request(server.port, '/metrics', {
      headers: authorization === undefined ? {} : { authorization },
    });
    expect(answer.status, why).to.equal(401);
    expect(answer.headers['www-authenticate'], why).to.equal('Basic realm="metrics"');
    expect(answer.text, why).to.not.include('secret_value');
  };

  it('serves the right credentials (UTF-8, with a colon in the password)', async () => {
    const answer = await request(server.port, '/metrics', {
      headers: { authorization: basic('prometheus:pä:ss wörd') },
    });
    expect(answer.status).to.equal(200);
    expect(answer.text).to.include('secret_value 42');
    const lowercaseScheme = await request(server.port, '/metrics', {
      headers: { authorization: `basic ${Buffer.from('prometheus:pä:ss wörd').toString('base64')}` },
    });
    expect(lowercaseScheme.status, 'the scheme is case-insensitive').to.equal(200);
  });

  it('challenges a missing Authorization header', () => expectChallenge(undefined, 'missing'));

  it('challenges wrong credentials', async () => {
    await expectChallenge(basic('prometheus:wrong'), 'wrong password');
    await expectChallenge(basic('someone:pä:ss wörd'), 'wrong user');
    await expectChallenge(basic('prometheus:pä:ss wörd '), 'password with a trailing space');
    await expectChallenge(basic('prometheus:pä'), 'password prefix');
    await expectChallenge(basic(':'), 'empty both');
  });

  it('challenges malformed headers', async () => {
    await expectChallenge('Basic', 'no credentials');
    await expectChallenge('Basic !!!notbase64!!!', 'not base64');
    await expectChallenge(basic('prometheus'), 'no colon');
    await expectChallenge(`Bearer ${Buffer.from('prometheus:pä:ss wörd').toString('base64')}`, 'another scheme');
    await expectChallenge('prometheus:pä:ss wörd', 'no scheme, not encoded');
    await expectChallenge('', 'empty');
  });

  it('checks credentials before the method, so 405 tells nothing to strangers', async () => {
    expect((await request(server.port, '/metrics', { method: 'POST' })).status).to.equal(401);
    expect(
      (
        await request(server.port, '/metrics', {
          method: 'POST',
          headers: { authorization: basic('prometheus:pä:ss wörd') },
        })
      ).status,
    ).to.equal(405);
  });
});
