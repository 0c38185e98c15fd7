/**
 * What importing the package loads (issue 14): Node's HTTP, TLS, gzip, crypto, cluster and V8
 * modules come in when a feature first needs them, not at import, and those features still work
 * once asked for (checked in a fresh process on the package build, as users import it). The
 * handler's own modules load when metricsHandler() is called: a request that comes before they
 * are in waits for them.
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { Counter, Registry, metricsHandler } from '../../lib/index.js';
import { DIST_INDEX, runNode } from '../collectors/support.js';
import { LOOPBACK, request } from '../server/support.js';

/** Built-ins the import leaves alone: only server, gzip, basic auth, cluster aggregation and heap metrics need them. */
const LOADED_ON_USE = ['http', 'https', 'tls', 'net', 'zlib', 'crypto', 'cluster', 'child_process', 'dgram', 'v8'];

interface ChildReport {
  readonly atImport: string[];
  readonly afterUse: string[];
  readonly status: number;
  readonly encoding: string | null;
  readonly unauthorized: number;
  readonly hasDefaultMetrics: boolean;
}

/**
 * A child that imports the build, lists the built-ins loaded by then (process.moduleLoadList,
 * read before anything prints: stdout on a pipe loads node:net), then serves a gzip scrape behind
 * basic auth through exposeMetrics on 127.0.0.1 and reports what it saw.
 */
function childScript(index: string): string {
  return `
    const builtins = (before) =>
      process.moduleLoadList.filter((m) => !before.has(m) && m.startsWith('NativeModule ')).map((m) => m.slice(13));
    const before = new Set(process.moduleLoadList);
    const m = await import(${JSON.stringify(index)});
    const atImport = builtins(before);
    const server = await m.exposeMetrics(0, {
      host: '127.0.0.1',
      basicAuth: { username: 'scraper', password: 'secret' },
    });
    const url = 'http://127.0.0.1:' + server.port + '/metrics';
    const authorization = 'Basic ' + Buffer.from('scraper:secret').toString('base64');
    const response = await fetch(url, { headers: { authorization, 'accept-encoding': 'gzip' } });
    const body = await response.text();
    const refused = await fetch(url, { headers: { 'accept-encoding': 'gzip' } });
    await refused.arrayBuffer();
    await server.close();
    process.stdout.write(JSON.stringify({
      atImport,
      afterUse: builtins(before),
      status: response.status,
      encoding: response.headers.get('content-encoding'),
      unauthorized: refused.status,
      hasDefaultMetrics:
        /^process_cpu_seconds_total /m.test(body) && /^nodejs_heap_space_size_used_bytes\\{/m.test(body),
    }));`;
}

describe('import cost: what importing the package loads', () => {
  let report: ChildReport;

  before(async function () {
    this.timeout(20_000);
    expect(existsSync(DIST_INDEX), `${DIST_INDEX} is built by npm test`).to.equal(true);
    const run = await runNode(['--input-type=module', '-e', childScript(DIST_INDEX)], 15_000);
    expect(run.code, run.stderr).to.equal(0);
    report = JSON.parse(run.stdout) as ChildReport;
  });

  it('loads none of the server, gzip, crypto, cluster and V8 built-ins at import', () => {
    expect(report.atImport.filter((m) => LOADED_ON_USE.includes(m))).to.deep.equal([]);
  });

  it('loads them when the server first needs them, and the gzip scrape behind basic auth works', () => {
    expect(report.afterUse).to.include.members(['http', 'zlib', 'crypto', 'v8']);
    expect(report.status).to.equal(200);
    expect(report.encoding).to.equal('gzip');
    expect(report.unauthorized).to.equal(401);
    expect(report.hasDefaultMetrics, 'process and heap metrics on the first scrape').to.equal(true);
  });
});

describe('import cost: a metricsHandler asked before its modules are in', () => {
  let server: Server;
  let port: number;
  const registry = new Registry();
  new Counter({ name: 'asked_early', help: 'Counted before the scrape.', registry }).inc(3);

  before(async () => {
    // A fresh handler per request, called at once: it has not yet got its loaded modules.
    server = createServer((req, res) => metricsHandler(registry, { gzip: false })(req, res));
    await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
    port = (server.address() as { port: number }).port;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('answers the request once they are', async () => {
    const answer = await request(port);
    expect(answer.status).to.equal(200);
    expect(answer.text).to.match(/^asked_early_total 3$/m);
    const refused = await request(port, '/metrics', { method: 'POST' });
    expect(refused.status).to.equal(405);
  });
});
