import { expect } from 'chai';
import { exposeMetrics, metricsHandler, Registry } from '../../lib/index.js';

describe('server options validation', () => {
  const rejects = async (promise: Promise<unknown>, type: ErrorConstructor, message: RegExp): Promise<void> => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error, 'expected a rejection').to.be.instanceOf(type);
    expect((error as Error).message).to.match(message);
  };

  it('rejects a port that is not an integer from 0 to 65535', async () => {
    await rejects(
      exposeMetrics('8000' as unknown as number),
      TypeError,
      /exposeMetrics: port must be an integer .*"8000"/,
    );
    await rejects(exposeMetrics(80.5), TypeError, /port must be an integer.*80\.5/);
    await rejects(exposeMetrics(-1), RangeError, /port must be from 0 to 65535, got -1/);
    await rejects(exposeMetrics(65536), RangeError, /got 65536/);
  });

  it('rejects unknown options, so a misspelt one never turns a protection off', async () => {
    await rejects(
      exposeMetrics(0, { basicauth: { username: 'a', password: 'b' } } as never),
      TypeError,
      /unknown option "basicauth"/,
    );
    expect(() => metricsHandler(undefined, { path: '/x' } as never)).to.throw(
      TypeError,
      /metricsHandler: unknown option "path"/,
    );
  });

  it('names the option and the bad value', async () => {
    await rejects(exposeMetrics(0, null as never), TypeError, /options must be an object, got null/);
    await rejects(exposeMetrics(0, { host: '' }), TypeError, /options\.host must be a non-empty string, got ""/);
    await rejects(exposeMetrics(0, { path: 'metrics' }), TypeError, /options\.path must start with "\/".*"metrics"/);
    await rejects(exposeMetrics(0, { path: '/m?x=1' }), TypeError, /options\.path/);
    await rejects(
      exposeMetrics(0, { registry: {} as Registry }),
      TypeError,
      /options\.registry must be a Registry or an array of Registry, got \{\}/,
    );
    await rejects(exposeMetrics(0, { gzip: 'yes' as never }), TypeError, /options\.gzip must be a boolean, got "yes"/);
    await rejects(
      exposeMetrics(0, { maxConcurrentScrapes: 0 }),
      RangeError,
      /options\.maxConcurrentScrapes must be from 1 .* got 0/,
    );
    await rejects(
      exposeMetrics(0, { maxConcurrentScrapes: 2.5 }),
      TypeError,
      /maxConcurrentScrapes must be an integer, got 2\.5/,
    );
    await rejects(
      exposeMetrics(0, { maxQueuedScrapes: -1 }),
      RangeError,
      /options\.maxQueuedScrapes must be from 0 .* got -1/,
    );
    await rejects(
      exposeMetrics(0, { maxQueuedScrapes: '5' as never }),
      TypeError,
      /maxQueuedScrapes must be an integer, got "5"/,
    );
    await rejects(exposeMetrics(0, { headersTimeout: -5 }), RangeError, /options\.headersTimeout .* got -5/);
    await rejects(
      exposeMetrics(0, { headersTimeout: 5000, requestTimeout: 1000 }),
      RangeError,
      /headersTimeout \(5000\) must not exceed options\.requestTimeout \(1000\)/,
    );
    await rejects(
      exposeMetrics(0, { keepAliveTimeout: Infinity }),
      TypeError,
      /keepAliveTimeout must be an integer, got Infinity/,
    );
    await rejects(exposeMetrics(0, { tls: 'cert.pem' as never }), TypeError, /options\.tls must be an object/);
    await rejects(exposeMetrics(0, { tls: {} }), TypeError, /options\.tls needs a certificate/);
    await rejects(
      exposeMetrics(0, { tls: { key: 'not a key', cert: 'not a cert' } }),
      TypeError,
      /options\.tls is not usable/,
    );
  });

  it('checks basic auth credentials without echoing the password', async () => {
    await rejects(
      exposeMetrics(0, { basicAuth: 'user:pass' as never }),
      TypeError,
      /options\.basicAuth must be an object/,
    );
    await rejects(
      exposeMetrics(0, { basicAuth: { username: 'a:b', password: 'p' } }),
      TypeError,
      /basicAuth\.username .* without ":", got "a:b"/,
    );
    await rejects(
      exposeMetrics(0, { basicAuth: { username: 'u', password: '' } }),
      TypeError,
      /basicAuth\.password must be a non-empty string, got an empty string/,
    );
    const error = await exposeMetrics(0, { basicAuth: { username: 'u', password: 42 as never } }).catch(
      (e: Error) => e,
    );
    expect((error as Error).message)
      .to.match(/got a number/)
      .and.not.match(/42/);
  });

  it('metricsHandler checks its registry and options', () => {
    expect(() => metricsHandler({ gzip: false } as never)).to.throw(
      TypeError,
      /metricsHandler: registry must be a Registry or an array of Registry, got \{"gzip":false\}/,
    );
    expect(() => metricsHandler(new Registry(), { maxConcurrentScrapes: -1 })).to.throw(
      RangeError,
      /maxConcurrentScrapes/,
    );
    expect(metricsHandler()).to.be.a('function');
  });
});
