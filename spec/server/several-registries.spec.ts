/**
 * Several registries, one endpoint (issue 16, part 4): `exposeMetrics(port, { registry: [a, b] })`,
 * `metricsHandler([a, b])` and `Registry.merge([a, b])` expose the families of every registry in
 * order, each with its own constant labels; a name exposed by two of them is an error naming both
 * (500 from a server, which keeps serving), never a silent merge.
 */
import { expect } from 'chai';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import {
  CollectionError,
  CollectionTimeoutError,
  Counter,
  Gauge,
  Histogram,
  PROTOBUF_CONTENT_TYPE,
  Registry,
  aggregateThreadMetrics,
  exposeMetrics,
  metricsHandler,
  writeToTextfile,
  type CollectedFamily,
  type MetricsServer,
} from '../../lib/index.js';
import { PythonParsers, promtoolCheck, type ParsedFamily } from '../support/exposition-tools.js';
import { decodeDelimited } from '../support/protobuf-decoder.js';
import { hasPromtool, hasPythonClient, rejection, requireTool } from '../support/tools.js';
import { LOOPBACK, request, type Answer } from './support.js';

const OPENMETRICS_ACCEPT = 'application/openmetrics-text; version=1.0.0';

/** The families every spec here expects from the app and library registries, in order. */
const FAMILIES = ['http_requests', 'latency_seconds', 'cache_hits', 'db_pool_connections', 'db_queries'];

/** Family name -> the constant labels its samples must carry (and the other registry's must not). */
function constantLabelsOf(families: readonly ParsedFamily[]): Record<string, Record<string, string | undefined>> {
  return Object.fromEntries(
    families.map((family) => {
      const labels = family.samples[0]!.labels;
      return [family.name, { service: labels.service, library: labels.library }];
    }),
  );
}

const EXPECTED_CONSTANTS = {
  http_requests: { service: 'shop', library: undefined },
  latency_seconds: { service: 'shop', library: undefined },
  cache_hits: { service: 'shop', library: undefined },
  db_pool_connections: { service: undefined, library: 'db' },
  db_queries: { service: undefined, library: 'db' },
};

describe('Several registries, one endpoint', () => {
  // The application's registry: metrics and an async collector, a constant label of its own.
  const app = new Registry({ name: 'app', labels: { service: 'shop' } });
  // A library's registry: a metric and a sync collector, another constant label.
  const library = new Registry({ labels: { library: 'db' } });
  // A third, empty registry the duplicate specs add clashing metrics to (and remove them again).
  const plugin = new Registry({ name: 'plugin' });
  const requests = new Counter({ name: 'http_requests', help: 'Requests', labelNames: ['method'], registry: app });
  let server: MetricsServer;
  let parsers: PythonParsers | undefined;

  before(async () => {
    requests.labels({ method: 'GET' }).inc(3);
    new Histogram({ name: 'latency_seconds', help: 'Latency', buckets: [0.1, 1], registry: app }).observe(0.5);
    app.registerCollector(
      async () => [{ name: 'cache_hits', help: 'Cache hits', type: 'counter', samples: [{ value: 5 }] }],
      'cache',
    );
    new Gauge({ name: 'db_pool_connections', help: 'Open connections', registry: library }).set(4);
    library.registerCollector(
      () => [{ name: 'db_queries', help: 'Queries', type: 'counter', samples: [{ labels: { op: 'read' }, value: 9 }] }],
      'queries',
    );
    server = await exposeMetrics(0, { host: LOOPBACK, registry: [app, library, plugin] });
    if (hasPythonClient()) parsers = new PythonParsers();
  });
  after(async () => {
    parsers?.close();
    await server.close();
  });

  describe('exposeMetrics with an array of registries', () => {
    it('serves text 0.0.4: every family of every registry in order, each with its own constant labels', async function () {
      requireTool(this, 'prometheus_client', hasPythonClient());
      requireTool(this, 'promtool', hasPromtool());
      const answer = await request(server.port);
      expect(answer.status).to.equal(200);
      // Text families stand alone, so the merged body is the registries' bodies one after another.
      expect(answer.text).to.equal((await app.metrics()) + (await library.metrics()) + (await plugin.metrics()));
      const parsed = await parsers!.parse('text', answer.text);
      if (!parsed.ok) expect.fail(parsed.error);
      expect(parsed.families.map((f) => f.name)).to.deep.equal(FAMILIES);
      expect(constantLabelsOf(parsed.families)).to.deep.equal(EXPECTED_CONSTANTS);
      const check = promtoolCheck(answer.text);
      expect(check.ok, check.output).to.equal(true);
    });

    it('serves OpenMetrics (one # EOF at the end) that the OpenMetrics parser reads', async function () {
      requireTool(this, 'prometheus_client', hasPythonClient());
      const answer = await request(server.port, '/metrics', { headers: { accept: OPENMETRICS_ACCEPT } });
      expect(answer.status).to.equal(200);
      expect(answer.headers['content-type']).to.match(/^application\/openmetrics-text; version=1\.0\.0/);
      expect(answer.text.match(/^# EOF$/gm)).to.have.length(1);
      const parsed = await parsers!.parse('openmetrics', answer.text);
      if (!parsed.ok) expect.fail(parsed.error);
      expect(parsed.families.map((f) => f.name)).to.deep.equal(FAMILIES);
      expect(constantLabelsOf(parsed.families)).to.deep.equal(EXPECTED_CONSTANTS);
      const gets = parsed.families[0]!.samples.find((s) => s.name === 'http_requests_total');
      expect(gets?.value).to.equal(3);
    });

    it('serves protobuf: every family, each with its own constant labels', async () => {
      const answer = await request(server.port, '/metrics', { headers: { accept: PROTOBUF_CONTENT_TYPE } });
      expect(answer.status).to.equal(200);
      const families = decodeDelimited(answer.body);
      expect(families.map((f) => f.name)).to.deep.equal([
        'http_requests_total',
        'latency_seconds',
        'cache_hits_total',
        'db_pool_connections',
        'db_queries_total',
      ]);
      const labelsOf = (i: number): string[] => families[i]!.metric[0]!.label.map((l) => `${l.name}=${l.value}`);
      expect(labelsOf(0)).to.deep.equal(['service=shop', 'method=GET']);
      expect(labelsOf(3)).to.deep.equal(['library=db']);
      expect(labelsOf(4)).to.deep.equal(['library=db', 'op=read']);
    });

    it('filters with name[] across the registries, and gzips', async () => {
      const answer = await request(server.port, '/metrics?name[]=http_requests_total&name[]=db_queries_total', {
        headers: { 'accept-encoding': 'gzip' },
      });
      expect(answer.status).to.equal(200);
      expect(answer.headers['content-encoding']).to.equal('gzip');
      const text = gunzipSync(answer.body).toString();
      expect(text.match(/^# TYPE \S+/gm)).to.deep.equal(['# TYPE http_requests_total', '# TYPE db_queries_total']);
      expect(text).to.include('http_requests_total{service="shop",method="GET"} 3\n');
      expect(text).to.include('db_queries_total{library="db",op="read"} 9\n');
    });

    it('shows what is added to a registry after the server started', async () => {
      const late = new Gauge({ name: 'plugin_ready', help: 'Ready', registry: plugin });
      try {
        late.set(1);
        const answer = await request(server.port);
        expect(answer.text).to.match(/\nplugin_ready 1\n$/);
      } finally {
        plugin.unregister(late);
      }
    });

    it('answers 500 naming both registries when two expose one family, and keeps serving', async () => {
      const clash = new Counter({ name: 'http_requests', help: 'Plugin requests', registry: plugin });
      let answer: Answer;
      try {
        answer = await request(server.port);
      } finally {
        plugin.unregister(clash);
      }
      expect(answer.status).to.equal(500);
      expect(answer.text).to.equal(
        'Collecting the merged registries failed: ' +
          'metric http_requests is exposed by registry #1 (app) and registry #3 (plugin)\n',
      );
      const after = await request(server.port);
      expect(after.status).to.equal(200);
      expect(after.text).to.include('http_requests_total{service="shop",method="GET"} 3\n');
    });

    it('answers 500 naming both when a collector of one registry exposes a name a metric of another has', async () => {
      const collector = (): CollectedFamily[] => [
        { name: 'db_pool_connections', help: 'Again', type: 'gauge', samples: [{ value: 1 }] },
      ];
      app.registerCollector(collector, 'shadow');
      let answer: Answer;
      try {
        answer = await request(server.port);
      } finally {
        app.unregisterCollector(collector);
      }
      expect(answer.status).to.equal(500);
      expect(answer.text).to.include('metric db_pool_connections is exposed by registry #1 (app) and registry #2\n');
      expect((await request(server.port)).status).to.equal(200);
    });

    it('answers 500 naming both families when a sample name of one is a family of another', async () => {
      const clash = new Gauge({ name: 'http_requests_total', help: 'Clash', registry: plugin });
      let answer: Answer;
      try {
        answer = await request(server.port);
      } finally {
        plugin.unregister(clash);
      }
      expect(answer.status).to.equal(500);
      expect(answer.text).to.include(
        'metric http_requests_total of registry #3 (plugin) and metric http_requests of registry #1 (app) ' +
          'both expose the name http_requests_total',
      );
    });

    it('answers 500 naming the collector of either registry that fails', async () => {
      const failing = (): never => {
        throw new Error('database down');
      };
      library.registerCollector(failing, 'pool-stats');
      let answer: Answer;
      try {
        answer = await request(server.port);
      } finally {
        library.unregisterCollector(failing);
      }
      expect(answer.status).to.equal(500);
      expect(answer.text).to.equal('Collecting collector pool-stats failed: database down\n');
    });
  });

  describe('metricsHandler with an array, in a plain node:http server', () => {
    let plain: Server;
    let port: number;
    const credentials = { username: 'prometheus', password: 'secret' };
    before(async () => {
      plain = createServer(metricsHandler([library, app], { basicAuth: credentials }));
      await new Promise<void>((resolve) => plain.listen(0, LOOPBACK, resolve));
      port = (plain.address() as AddressInfo).port;
    });
    after(async () => {
      plain.closeAllConnections();
      await new Promise<void>((resolve) => plain.close(() => resolve()));
    });

    it('serves the registries in the order given, behind basic auth', async () => {
      expect((await request(port, '/')).status).to.equal(401);
      const authorization = `Basic ${Buffer.from('prometheus:secret').toString('base64')}`;
      const answer = await request(port, '/', { headers: { authorization } });
      expect(answer.status).to.equal(200);
      expect(answer.text).to.equal((await library.metrics()) + (await app.metrics()));
      expect(answer.text.match(/^# TYPE (\S+)/gm)).to.deep.equal([
        '# TYPE db_pool_connections',
        '# TYPE db_queries_total',
        '# TYPE http_requests_total',
        '# TYPE latency_seconds',
        '# TYPE cache_hits_total',
      ]);
    });
  });

  describe('Registry.merge', () => {
    it('is a registry whose metrics(), stream() and collect() show every registry, live', async () => {
      const view = Registry.merge([app, library]);
      expect(view).to.be.an.instanceOf(Registry);
      expect(view.mergedFrom).to.deep.equal([app, library]);
      expect((await view.collect()).map((f) => f.name)).to.deep.equal(FAMILIES);
      const before = await view.metrics();
      expect(before).to.equal((await app.metrics()) + (await library.metrics()));
      const chunks: Buffer[] = [];
      for await (const chunk of view.stream('openmetrics')) chunks.push(Buffer.from(chunk));
      expect(Buffer.concat(chunks).toString()).to.equal(await view.metrics('openmetrics'));
      requests.labels({ method: 'POST' }).inc();
      try {
        expect(await view.metrics()).to.include('http_requests_total{service="shop",method="POST"} 1\n');
      } finally {
        requests.remove({ method: 'POST' });
      }
      const file = join(await mkdtemp(join(tmpdir(), 'prometric-merge-')), 'merged.prom');
      try {
        await writeToTextfile(file, view);
        expect(await readFile(file, 'utf8')).to.equal(await view.metrics());
      } finally {
        await rm(dirname(file), { recursive: true, force: true });
      }
      expect(view.getMetric('db_pool_connections')).to.equal(library.getMetric('db_pool_connections'));
      expect(view.getMetrics().map((m) => m.name)).to.deep.equal([
        'http_requests',
        'latency_seconds',
        'db_pool_connections',
      ]);
    });

    it('collect() throws a CollectionError naming both registries of a duplicate family', async () => {
      const first = new Registry({ name: 'orders' });
      const second = new Registry({ name: 'billing' });
      new Counter({ name: 'jobs', help: 'Jobs', registry: first });
      new Counter({ name: 'jobs', help: 'Jobs', registry: second });
      const error = await rejection(Registry.merge([first, second]).collect());
      expect(error).to.be.an.instanceOf(CollectionError);
      expect(error.message).to.equal(
        'Collecting the merged registries failed: metric jobs is exposed by registry #1 (orders) and registry #2 (billing)',
      );
      // Without names, positions alone.
      const unnamed = await rejection(Registry.merge([new Registry(), second, first]).metrics());
      expect(unnamed.message).to.include('metric jobs is exposed by registry #2 (billing) and registry #3 (orders)');
    });

    it('names the late collectors of every registry when a collection times out', async () => {
      const slow = (name: string): Registry => {
        const registry = new Registry();
        registry.registerCollector(() => new Promise((resolve) => setTimeout(() => resolve([]), 300)), name);
        return registry;
      };
      const error = await rejection(
        Registry.merge([slow('first-slow'), slow('second-slow')]).collect({ timeoutMs: 20 }),
      );
      expect(error).to.be.an.instanceOf(CollectionTimeoutError);
      expect((error as CollectionTimeoutError).sources).to.deep.equal([
        'collector first-slow',
        'collector second-slow',
      ]);
      expect((error as CollectionTimeoutError).timeoutMs).to.equal(20);
    });

    it('holds nothing of its own: registering on it throws and changes nothing', () => {
      const view = Registry.merge([app, library]);
      expect(() => new Counter({ name: 'on_view', help: 'h', registry: view })).to.throw(
        TypeError,
        'Registry.merge view: cannot register metric on_view: a merged view holds nothing of its own; ' +
          'do it on one of its registries',
      );
      expect(() => view.registerCollector(() => [], 'extra')).to.throw(TypeError, 'cannot register collector extra:');
      expect(() => view.setDefaultLabels({ a: 'b' })).to.throw(TypeError, 'cannot set constant labels:');
      expect(() => view.clear()).to.throw(TypeError, 'cannot clear it:');
      expect(view.getMetric('on_view')).to.equal(undefined);
      expect(app.getMetric('http_requests')).to.equal(requests);
    });

    it('resetMetrics() resets the metrics of every registry it shows', async () => {
      const [first, second] = [new Registry(), new Registry()];
      const a = new Counter({ name: 'a', help: 'h', registry: first });
      const b = new Counter({ name: 'b', help: 'h', registry: second });
      a.inc(2);
      b.inc(3);
      const view = Registry.merge([first, second]);
      expect(await view.metrics())
        .to.include('a_total 2\n')
        .and.include('b_total 3\n');
      view.resetMetrics();
      expect(await view.metrics())
        .to.include('a_total 0\n')
        .and.include('b_total 0\n');
    });

    it('cannot be the registry of an aggregation: each registry it shows aggregates on its own', () => {
      expect(() => aggregateThreadMetrics({ registry: Registry.merge([new Registry()]) })).to.throw(
        TypeError,
        'aggregateThreadMetrics: options.registry is a merged view (Registry.merge)',
      );
    });
  });

  describe('validation', () => {
    it('Registry.merge: a non-empty array of distinct registries, errors naming the argument and value', () => {
      const merge = Registry.merge as (value: unknown) => Registry;
      expect(() => merge([])).to.throw(
        TypeError,
        'Registry.merge: registries must be a non-empty array of Registry, got []',
      );
      expect(() => merge(app)).to.throw(TypeError, 'Registry.merge: registries must be a non-empty array of Registry');
      expect(() => merge([app, 'metrics'])).to.throw(
        TypeError,
        'Registry.merge: registries[1] must be a Registry, got "metrics"',
      );
      expect(() => merge([app, library, app])).to.throw(
        TypeError,
        'Registry.merge: registries[2] is the same registry as registries[0]: each may appear once',
      );
    });

    it('exposeMetrics and metricsHandler: the same checks, naming their function and argument', async () => {
      const expose = await rejection(exposeMetrics(0, { host: LOOPBACK, registry: [] }));
      expect(expose).to.be.an.instanceOf(TypeError);
      expect(expose.message).to.equal('exposeMetrics: options.registry must be a non-empty array of Registry, got []');
      const handler = metricsHandler as (registry: unknown) => unknown;
      expect(() => handler([app, null])).to.throw(
        TypeError,
        'metricsHandler: registry[1] must be a Registry, got null',
      );
      expect(() => handler('app')).to.throw(
        TypeError,
        'metricsHandler: registry must be a Registry or an array of Registry, got "app"',
      );
    });

    it('Registry: options.name must be a non-empty string', () => {
      expect(() => new Registry({ name: '' })).to.throw(
        TypeError,
        'Registry: options.name must be a non-empty string, got ""',
      );
      expect(() => new Registry({ name: 7 as unknown as string })).to.throw(TypeError, 'got 7');
      expect(new Registry({ name: 'payments' }).name).to.equal('payments');
    });
  });
});
