/**
 * The Pushgateway calls' arguments (issue 15): the URL each group gets, and every bad argument
 * rejected with a TypeError or RangeError naming the function, the option and the value, before
 * anything is sent (a recording server checks that nothing arrives).
 */
import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import { Gauge, Registry, deleteFromGateway, pushAddToGateway, pushToGateway } from '../../lib/index.js';
import { checkGatewayUrl, groupUrl, pathPair } from '../../lib/push/url.js';
import { rejection } from '../support/tools.js';
import { LOOPBACK } from '../server/support.js';

describe('Pushgateway client: URLs', () => {
  const gateway = checkGatewayUrl('spec', 'http://gw.example:9091');

  it('percent-encodes plain values and base64url-encodes (unpadded) "/", empty and dot-segment values', () => {
    expect(pathPair('k', 'plain')).to.equal('/k/plain');
    expect(pathPair('k', 'a b%é')).to.equal('/k/a%20b%25%C3%A9');
    expect(pathPair('k', '?#')).to.equal('/k/%3F%23');
    expect(pathPair('k', 'a/b')).to.equal('/k@base64/YS9i');
    expect(pathPair('k', 'a/bc'), 'no padding').to.equal('/k@base64/YS9iYw');
    expect(pathPair('k', '/?>')).to.equal('/k@base64/Lz8-');
    expect(pathPair('k', '')).to.equal('/k@base64/=');
    expect(pathPair('k', '.')).to.equal('/k@base64/Lg');
    expect(pathPair('k', '..')).to.equal('/k@base64/Li4');
    expect(pathPair('k', '...'), 'not a dot segment').to.equal('/k/...');
  });

  it('builds <gateway>/metrics/job/<job>{/<name>/<value>}, names sorted, keeping a path prefix', () => {
    expect(groupUrl(gateway, 'backup', []).href).to.equal('http://gw.example:9091/metrics/job/backup');
    expect(
      groupUrl(gateway, 'a/b', [
        ['x', '1'],
        ['y', ''],
      ]).href,
    ).to.equal('http://gw.example:9091/metrics/job@base64/YS9i/x/1/y@base64/=');
    const prefixed = checkGatewayUrl('spec', 'https://proxy.example/pushgateway/');
    expect(groupUrl(prefixed, 'j', []).href).to.equal('https://proxy.example/pushgateway/metrics/job/j');
    expect(groupUrl(checkGatewayUrl('spec', 'localhost:9091'), 'j', []).href, 'http without a scheme').to.equal(
      'http://localhost:9091/metrics/job/j',
    );
    expect(groupUrl(checkGatewayUrl('spec', new URL('http://h/')), 'j', []).href).to.equal('http://h/metrics/job/j');
  });
});

describe('Pushgateway client: bad arguments', () => {
  let server: Server;
  let url: string;
  let received = 0;
  const registry = new Registry();
  new Gauge({ name: 'g', help: 'h', registry }).set(1);

  before(async () => {
    server = createServer((req, res) => {
      received++;
      req.resume();
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
    url = `http://${LOOPBACK}:${(server.address() as { port: number }).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** Expects the call to reject with `type` and a message matching `message`, having sent nothing. */
  async function refused(call: Promise<void>, type: typeof TypeError | typeof RangeError, message: RegExp) {
    const before = received;
    const error = await rejection(call);
    expect(error).to.be.instanceOf(type);
    expect(error.message).to.match(message);
    expect(received - before, 'nothing sent').to.equal(0);
  }

  it('accepts good arguments (the recording server counts the request)', async () => {
    await pushToGateway(url, { job: 'ok', registry });
    expect(received).to.equal(1);
  });

  it('checks the gateway URL', async () => {
    const job = { job: 'j', registry };
    await refused(
      pushToGateway('', job),
      TypeError,
      /^pushToGateway: gatewayUrl must be a non-empty string or a URL, got ""$/,
    );
    await refused(pushToGateway(42 as unknown as string, job), TypeError, /gatewayUrl .* got 42$/);
    await refused(
      pushToGateway('ftp://h', job),
      TypeError,
      /^pushToGateway: gatewayUrl must be an http: or https: URL, got "ftp:\/\/h"$/,
    );
    await refused(
      pushToGateway('http://[bad', job),
      TypeError,
      /^pushToGateway: gatewayUrl "http:\/\/\[bad" is not a valid URL$/,
    );
    await refused(
      pushToGateway('http://u:p@h', job),
      TypeError,
      /must not carry credentials: give them as options.basicAuth$/,
    );
    await refused(
      pushToGateway('http://h/?a=1', job),
      TypeError,
      /must have no query or fragment, got "http:\/\/h\/\?a=1"$/,
    );
  });

  it('checks the job', async () => {
    await refused(
      pushToGateway(url, { job: '', registry }),
      TypeError,
      /^pushToGateway: options.job must be a non-empty string \(the Pushgateway refuses an empty job\), got ""$/,
    );
    await refused(
      pushAddToGateway(url, { job: 7 as unknown as string }),
      TypeError,
      /^pushAddToGateway: options.job must be a non-empty string \(the Pushgateway refuses an empty job\), got 7$/,
    );
    await refused(
      deleteFromGateway(url, {} as { job: string }),
      TypeError,
      /^deleteFromGateway: options.job must be a non-empty string \(the Pushgateway refuses an empty job\), got undefined$/,
    );
    await refused(
      pushToGateway(url, { job: 'a\uD800' }),
      TypeError,
      /options.job must be well-formed UTF-16 .* got "a\\ud800"$/,
    );
    await refused(
      pushToGateway(url, undefined as unknown as { job: string }),
      TypeError,
      /^pushToGateway: options with a job are required/,
    );
  });

  it('checks the grouping key: legacy label names, not job, not __, values as label values', async () => {
    const push = (groupingKey: unknown) =>
      pushToGateway(url, { job: 'j', registry, groupingKey: groupingKey as Record<string, string> });
    await refused(
      push({ 'bad-name': 'x' }),
      TypeError,
      /^pushToGateway: options.groupingKey name "bad-name" is not a valid label name/,
    );
    await refused(push({ '1st': 'x' }), TypeError, /name "1st" is not a valid label name/);
    await refused(push({ ünï: 'x' }), TypeError, /name "ünï" is not a valid label name/);
    await refused(push({ __reserved: 'x' }), TypeError, /name "__reserved" is not a valid label name .*"__" prefix/);
    await refused(
      push({ job: 'x' }),
      TypeError,
      /^pushToGateway: options.groupingKey must not contain "job": the job is options.job$/,
    );
    await refused(
      push({ shard: null }),
      TypeError,
      /^pushToGateway: options.groupingKey.shard must be a string, finite number or boolean, got null$/,
    );
    await refused(push({ shard: Number.NaN }), TypeError, /options.groupingKey.shard .* got NaN$/);
    await refused(push({ shard: '\uDC00' }), TypeError, /options.groupingKey.shard must be well-formed UTF-16/);
    await refused(
      push(['x']),
      TypeError,
      /^pushToGateway: options.groupingKey must be an object of label values by name, got \["x"\]$/,
    );
    // A Map has no own pairs: taken for an empty key, it would address (and replace) the job's own group.
    await refused(
      push(new Map([['instance', 'a']])),
      TypeError,
      /^pushToGateway: options.groupingKey must be an object of label values by name, got /,
    );
  });

  it('checks the other options', async () => {
    const push = (options: Record<string, unknown>) =>
      pushToGateway(url, { job: 'j', registry, ...options } as { job: string });
    await refused(push({ registry: {} }), TypeError, /^pushToGateway: options.registry must be a Registry, got \{\}$/);
    await refused(
      push({ timeoutMs: 0 }),
      RangeError,
      /^pushToGateway: options.timeoutMs must be above 0 and at most 2147483647, got 0$/,
    );
    await refused(push({ timeoutMs: Infinity }), RangeError, /options.timeoutMs .* got Infinity$/);
    await refused(
      push({ timeoutMs: '5s' }),
      TypeError,
      /^pushToGateway: options.timeoutMs must be a number of milliseconds, got "5s"$/,
    );
    await refused(
      push({ headers: { 'x-a': 1 } }),
      TypeError,
      /^pushToGateway: options.headers.x-a must be a string of visible ASCII, spaces and tabs, got 1$/,
    );
    await refused(
      push({ headers: { 'x-a': 'a\r\nb' } }),
      TypeError,
      /options.headers.x-a must be a string of visible ASCII, spaces and tabs/,
    );
    await refused(
      push({ headers: { 'x-a': 'caf\u00e9 \u6771' } }),
      TypeError,
      /options.headers.x-a must be a string of visible/,
    );
    await refused(
      push({ headers: { 'x-a': 'a\u0001b' } }),
      TypeError,
      /options.headers.x-a must be a string of visible/,
    );
    await refused(
      push({ headers: new Map([['authorization', 'Bearer x']]) }),
      TypeError,
      /^pushToGateway: options.headers must be an object of header values by name, got /,
    );
    // TLS options are checked before anything is sent (an https URL: nothing listens there).
    const tlsPush = (tls: Record<string, unknown>) =>
      pushToGateway('https://127.0.0.1:1', { job: 'j', registry, tls } as { job: string });
    await refused(
      tlsPush({ ca: 5 }),
      TypeError,
      /^pushToGateway: options.tls.ca must be a string or Buffer, or an array of them, got 5$/,
    );
    await refused(
      tlsPush({ minVersion: 'TLSv9' }),
      TypeError,
      /options.tls.minVersion must be one of TLSv1, .* got "TLSv9"$/,
    );
    await refused(tlsPush({ rejectUnauthorized: 'no' }), TypeError, /options.tls.rejectUnauthorized must be a boolean/);
    await refused(
      tlsPush(new Map() as never),
      TypeError,
      /options.tls must be an object of node:https request options/,
    );
    await refused(
      push({ headers: { 'bad name': 'v' } }),
      TypeError,
      /options.headers has an invalid header name "bad name"$/,
    );
    await refused(
      push({ headers: { 'Content-Type': 'text/plain' } }),
      TypeError,
      /options.headers.Content-Type is set by the call itself$/,
    );
    const basicAuth = { username: 'u', password: 'p' };
    await refused(
      push({ basicAuth, headers: { Authorization: 'Bearer t' } }),
      TypeError,
      /either options.basicAuth or an Authorization header/,
    );
    await refused(
      push({ basicAuth: { username: 'a:b', password: 'p' } }),
      TypeError,
      /options.basicAuth.username must be a non-empty string without ":", got "a:b"$/,
    );
    await refused(
      push({ basicAuth: { username: 'u', password: 5 } }),
      TypeError,
      /options.basicAuth.password must be a string, got a number$/,
    );
    await refused(
      push({ basicAuth: { user: 'u', password: 'p' } }),
      TypeError,
      /options.basicAuth: unknown option "user"/,
    );
    await refused(
      push({ tls: { ca: 'x' } }),
      TypeError,
      /^pushToGateway: options.tls is for an https: gateway, but gatewayUrl is "http:/,
    );
    await refused(
      pushToGateway(url.replace('http:', 'https:'), { job: 'j', tls: { cafile: 'x' } as object }),
      TypeError,
      /options.tls: unknown option "cafile"/,
    );
    await refused(
      push({ grouping_key: {} }),
      TypeError,
      /unknown option "grouping_key" \(Python's "grouping_key" is called "groupingKey" here\)/,
    );
    await refused(
      push({ timeout: 5 }),
      TypeError,
      /unknown option "timeout" \(the timeout is "timeoutMs", in milliseconds\)/,
    );
    await refused(
      deleteFromGateway(url, { job: 'j', registry } as { job: string }),
      TypeError,
      /^deleteFromGateway: unknown option "registry" \("registry" is an option of pushToGateway and pushAddToGateway only\)/,
    );
  });
});
