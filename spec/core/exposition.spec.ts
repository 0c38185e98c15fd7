import { expect } from 'chai';
import sinon from 'sinon';
import {
  CONTENT_TYPES,
  Counter,
  Enum,
  Gauge,
  Histogram,
  Info,
  OPENMETRICS_CONTENT_TYPE,
  Registry,
  Summary,
  TEXT_CONTENT_TYPE,
  renderExposition,
} from '../../lib/index.js';
import { PythonParsers, promtoolCheck, sampleKey } from '../support/exposition-tools.js';
import { hasPromtool, hasPythonClient, requireTool } from '../support/tools.js';

/** A registry with one of everything and the awkward cases of escaping and number formatting. */
function fixedRegistry(options: ConstructorParameters<typeof Registry>[0] = {}): Registry {
  const registry = new Registry(options);
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'Requests "served"\\ by path\nsecond line',
    labelNames: ['path', 'code'],
    registry,
  });
  requests.labels('/a"b\\c\nd', 200).inc(3);
  requests.labels({ path: 'ünï€ode 😀', code: '500' }).inc(0.5);
  new Gauge({ name: 'temperature', help: 'Degrees', unit: 'celsius', registry }).set(-Infinity);
  const odd = new Gauge({ name: 'odd_values', help: 'Odd values', labelNames: ['v'], registry });
  odd.labels('nan').set(NaN);
  odd.labels('inf').set(Infinity);
  odd.labels('negzero').set(-0);
  odd.labels('tiny').set(5e-324);
  odd.labels('huge').set(1.7e308);
  odd.labels('fraction').set(0.1 + 0.2);
  const latency = new Histogram({
    name: 'latency',
    help: 'Latency',
    unit: 'seconds',
    buckets: [0.25, 1, 2.5e21],
    registry,
  });
  for (const v of [0.1, 1, 7]) latency.observe(v);
  const size = new Summary({ name: 'payload', help: 'Payload', unit: 'bytes', percentiles: [0, 0.5, 1], registry });
  size.observe(64);
  new Summary({ name: 'plain_sizes', help: 'Count and sum only', registry }).observe(2);
  new Info({ name: 'build', help: 'Build', registry }).info({ version: '1.2', commit: 'a"b' });
  new Enum({ name: 'phase', help: 'Phase', states: ['starting', 'running'], registry }).state('running');
  return registry;
}

const TEXT = `# HELP http_requests_total Requests "served"\\\\ by path\\nsecond line
# TYPE http_requests_total counter
http_requests_total{path="/a\\"b\\\\c\\nd",code="200"} 3
http_requests_total{path="ünï€ode 😀",code="500"} 0.5
# HELP temperature_celsius Degrees
# TYPE temperature_celsius gauge
temperature_celsius -Inf
# HELP odd_values Odd values
# TYPE odd_values gauge
odd_values{v="nan"} NaN
odd_values{v="inf"} +Inf
odd_values{v="negzero"} -0
odd_values{v="tiny"} 5e-324
odd_values{v="huge"} 1.7e+308
odd_values{v="fraction"} 0.30000000000000004
# HELP latency_seconds Latency
# TYPE latency_seconds histogram
latency_seconds_bucket{le="0.25"} 1
latency_seconds_bucket{le="1.0"} 2
latency_seconds_bucket{le="2.5e+21"} 3
latency_seconds_bucket{le="+Inf"} 3
latency_seconds_count 3
latency_seconds_sum 8.1
# HELP payload_bytes Payload
# TYPE payload_bytes summary
payload_bytes{quantile="0.0"} 64
payload_bytes{quantile="0.5"} 64
payload_bytes{quantile="1.0"} 64
payload_bytes_count 1
payload_bytes_sum 64
# HELP plain_sizes Count and sum only
# TYPE plain_sizes summary
plain_sizes_count 1
plain_sizes_sum 2
# HELP build_info Build
# TYPE build_info gauge
build_info{version="1.2",commit="a\\"b"} 1
# HELP phase Phase
# TYPE phase gauge
phase{phase="starting"} 0
phase{phase="running"} 1
`;

const OPENMETRICS = `# HELP http_requests Requests \\"served\\"\\\\ by path\\nsecond line
# TYPE http_requests counter
http_requests_total{path="/a\\"b\\\\c\\nd",code="200"} 3
http_requests_total{path="ünï€ode 😀",code="500"} 0.5
# HELP temperature_celsius Degrees
# TYPE temperature_celsius gauge
# UNIT temperature_celsius celsius
temperature_celsius -Inf
# HELP odd_values Odd values
# TYPE odd_values gauge
odd_values{v="nan"} NaN
odd_values{v="inf"} +Inf
odd_values{v="negzero"} -0
odd_values{v="tiny"} 5e-324
odd_values{v="huge"} 1.7e+308
odd_values{v="fraction"} 0.30000000000000004
# HELP latency_seconds Latency
# TYPE latency_seconds histogram
# UNIT latency_seconds seconds
latency_seconds_bucket{le="0.25"} 1
latency_seconds_bucket{le="1.0"} 2
latency_seconds_bucket{le="2.5e+21"} 3
latency_seconds_bucket{le="+Inf"} 3
latency_seconds_count 3
latency_seconds_sum 8.1
# HELP payload_bytes Payload
# TYPE payload_bytes summary
# UNIT payload_bytes bytes
payload_bytes{quantile="0.0"} 64
payload_bytes{quantile="0.5"} 64
payload_bytes{quantile="1.0"} 64
payload_bytes_count 1
payload_bytes_sum 64
# HELP plain_sizes Count and sum only
# TYPE plain_sizes summary
plain_sizes_count 1
plain_sizes_sum 2
# HELP build Build
# TYPE build info
build_info{version="1.2",commit="a\\"b"} 1
# HELP phase Phase
# TYPE phase stateset
phase{phase="starting"} 0
phase{phase="running"} 1
# EOF
`;

describe('exposition', () => {
  afterEach(() => sinon.restore());

  it('Prometheus text 0.0.4: exact body for a fixed registry', async () => {
    expect(await fixedRegistry().metrics('text')).to.equal(TEXT);
  });

  it('OpenMetrics 1.0.0: exact body for the same registry', async () => {
    expect(await fixedRegistry().metrics('openmetrics')).to.equal(OPENMETRICS);
  });

  it("metrics() defaults to 'text' and refuses other formats", async () => {
    const registry = fixedRegistry();
    expect(await registry.metrics()).to.equal(TEXT);
    const error = await registry.metrics('json' as never).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(TypeError);
    expect((error as Error).message).to.include('"json"');
  });

  it('an empty registry renders as nothing (text) and just # EOF (OpenMetrics)', async () => {
    const registry = new Registry();
    expect(await registry.metrics()).to.equal('');
    expect(await registry.metrics('openmetrics')).to.equal('# EOF\n');
  });

  it('both formats render from one collected snapshot', async () => {
    const registry = fixedRegistry();
    const snapshot = await registry.collect();
    expect(renderExposition(snapshot, 'text')).to.equal(TEXT);
    expect(renderExposition(snapshot, 'openmetrics')).to.equal(OPENMETRICS);
  });

  it("Content-Type strings are exactly the specifications'", () => {
    expect(TEXT_CONTENT_TYPE).to.equal('text/plain; version=0.0.4; charset=utf-8');
    expect(OPENMETRICS_CONTENT_TYPE).to.equal('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(CONTENT_TYPES).to.deep.equal({
      text: TEXT_CONTENT_TYPE,
      openmetrics: OPENMETRICS_CONTENT_TYPE,
      protobuf: 'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited',
    });
  });

  it('canonical le and quantile values: integers carry .0, others the shortest form', async () => {
    const registry = new Registry();
    new Histogram({ name: 'h', help: 'h', buckets: [-2, -0, 1e-7, 3, 100, 123.5], registry });
    new Summary({ name: 's', help: 'h', percentiles: [0, 0.25, 1], registry });
    const body = await registry.metrics('openmetrics');
    const les = [...body.matchAll(/[{,]le="([^"]*)"/g)].map((m) => m[1]);
    expect(les).to.deep.equal(['-2.0', '0.0', '1e-07', '3.0', '100.0', '123.5', '+Inf']);
    const qs = [...body.matchAll(/quantile="([^"]*)"/g)].map((m) => m[1]);
    expect(qs).to.deep.equal(['0.0', '0.25', '1.0']);
  });

  it('_created samples with new Registry({ created: true }): a gauge family of its own in text, in-family in OpenMetrics', async () => {
    const clock = sinon.useFakeTimers({ now: 1_700_000_000_500, toFake: ['Date'] });
    const registry = new Registry({ created: true });
    const c = new Counter({ name: 'jobs', help: 'Jobs', labelNames: ['q'], registry });
    c.labels('a').inc();
    const h = new Histogram({ name: 'lat', help: 'Lat', buckets: [1], registry });
    new Summary({ name: 'sz', help: 'Sz', registry });
    new Gauge({ name: 'g', help: 'G', registry });
    clock.tick(1_500);
    h.observe(0.5);
    expect(await registry.metrics()).to.equal(
      [
        '# HELP jobs_total Jobs',
        '# TYPE jobs_total counter',
        'jobs_total{q="a"} 1',
        '# HELP jobs_created Jobs',
        '# TYPE jobs_created gauge',
        'jobs_created{q="a"} 1700000000.5',
        '# HELP lat Lat',
        '# TYPE lat histogram',
        'lat_bucket{le="1.0"} 1',
        'lat_bucket{le="+Inf"} 1',
        'lat_count 1',
        'lat_sum 0.5',
        '# HELP lat_created Lat',
        '# TYPE lat_created gauge',
        'lat_created 1700000000.5',
        '# HELP sz Sz',
        '# TYPE sz summary',
        'sz_count 0',
        'sz_sum 0',
        '# HELP sz_created Sz',
        '# TYPE sz_created gauge',
        'sz_created 1700000000.5',
        '# HELP g G',
        '# TYPE g gauge',
        'g 0',
        '',
      ].join('\n'),
    );
    // reset() starts the series anew: _created moves.
    c.reset();
    expect(await registry.metrics('openmetrics')).to.equal(
      [
        '# HELP jobs Jobs',
        '# TYPE jobs counter',
        'jobs_total{q="a"} 0',
        'jobs_created{q="a"} 1700000002',
        '# HELP lat Lat',
        '# TYPE lat histogram',
        'lat_bucket{le="1.0"} 1',
        'lat_bucket{le="+Inf"} 1',
        'lat_count 1',
        'lat_sum 0.5',
        'lat_created 1700000000.5',
        '# HELP sz Sz',
        '# TYPE sz summary',
        'sz_count 0',
        'sz_sum 0',
        'sz_created 1700000000.5',
        '# HELP g G',
        '# TYPE g gauge',
        'g 0',
        '# EOF',
        '',
      ].join('\n'),
    );
  });

  it('no _created samples by default', async () => {
    const registry = new Registry();
    new Counter({ name: 'jobs', help: 'Jobs', registry });
    expect(await registry.metrics('openmetrics')).not.to.include('_created');
    expect(await registry.metrics('text')).not.to.include('_created');
  });

  it('HELP escaping: text escapes backslash and newline only; OpenMetrics also the double quote', async () => {
    const registry = new Registry();
    new Gauge({ name: 'g', help: 'a\\b\nc"d', registry });
    expect((await registry.metrics('text')).split('\n')[0]).to.equal('# HELP g a\\\\b\\nc"d');
    expect((await registry.metrics('openmetrics')).split('\n')[0]).to.equal('# HELP g a\\\\b\\nc\\"d');
  });

  describe('read by the real tools', () => {
    let python: PythonParsers | undefined;
    after(() => python?.close());

    it('promtool check metrics accepts the fixed text body', function () {
      requireTool(this, 'promtool', hasPromtool());
      const result = promtoolCheck(TEXT);
      expect(result.ok, result.output).to.equal(true);
    });

    it("prometheus_client's text and OpenMetrics parsers read the fixed bodies back", async function () {
      requireTool(this, 'python3-prometheus-client', hasPythonClient());
      python ??= new PythonParsers();
      const text = await python.parse('text', TEXT);
      const om = await python.parse('openmetrics', OPENMETRICS);
      if (!text.ok) expect.fail(text.error);
      if (!om.ok) expect.fail(om.error);
      const families = (r: typeof text & { ok: true }) => r.families.map((f) => [f.name, f.type, f.help]);
      expect(families(text)).to.deep.equal([
        ['http_requests', 'counter', 'Requests "served"\\ by path\nsecond line'],
        ['temperature_celsius', 'gauge', 'Degrees'],
        ['odd_values', 'gauge', 'Odd values'],
        ['latency_seconds', 'histogram', 'Latency'],
        ['payload_bytes', 'summary', 'Payload'],
        ['plain_sizes', 'summary', 'Count and sum only'],
        ['build_info', 'gauge', 'Build'],
        ['phase', 'gauge', 'Phase'],
      ]);
      expect(families(om)).to.deep.equal([
        ['http_requests', 'counter', 'Requests "served"\\ by path\nsecond line'],
        ['temperature_celsius', 'gauge', 'Degrees'],
        ['odd_values', 'gauge', 'Odd values'],
        ['latency_seconds', 'histogram', 'Latency'],
        ['payload_bytes', 'summary', 'Payload'],
        ['plain_sizes', 'summary', 'Count and sum only'],
        ['build', 'info', 'Build'],
        ['phase', 'stateset', 'Phase'],
      ]);
      expect(om.families.map((f) => f.unit)).to.deep.equal(['', 'celsius', '', 'seconds', 'bytes', '', '', '']);
      const samples = (r: typeof text & { ok: true }) =>
        r.families.flatMap((f) => f.samples.map((s) => sampleKey(s.name, s.labels, s.value)));
      const expected = [
        sampleKey('http_requests_total', { path: '/a"b\\c\nd', code: '200' }, 3),
        sampleKey('http_requests_total', { path: 'ünï€ode 😀', code: '500' }, 0.5),
        sampleKey('temperature_celsius', {}, -Infinity),
        sampleKey('odd_values', { v: 'nan' }, NaN),
        sampleKey('odd_values', { v: 'inf' }, Infinity),
        sampleKey('odd_values', { v: 'negzero' }, -0),
        sampleKey('odd_values', { v: 'tiny' }, 5e-324),
        sampleKey('odd_values', { v: 'huge' }, 1.7e308),
        sampleKey('odd_values', { v: 'fraction' }, 0.1 + 0.2),
        sampleKey('latency_seconds_bucket', { le: '0.25' }, 1),
        sampleKey('latency_seconds_bucket', { le: '1.0' }, 2),
        sampleKey('latency_seconds_bucket', { le: '2.5e+21' }, 3),
        sampleKey('latency_seconds_bucket', { le: '+Inf' }, 3),
        sampleKey('latency_seconds_count', {}, 3),
        sampleKey('latency_seconds_sum', {}, 8.1),
        sampleKey('payload_bytes', { quantile: '0.0' }, 64),
        sampleKey('payload_bytes', { quantile: '0.5' }, 64),
        sampleKey('payload_bytes', { quantile: '1.0' }, 64),
        sampleKey('payload_bytes_count', {}, 1),
        sampleKey('payload_bytes_sum', {}, 64),
        sampleKey('plain_sizes_count', {}, 1),
        sampleKey('plain_sizes_sum', {}, 2),
        sampleKey('build_info', { version: '1.2', commit: 'a"b' }, 1),
        sampleKey('phase', { phase: 'starting' }, 0),
        sampleKey('phase', { phase: 'running' }, 1),
      ];
      expect(samples(text)).to.deep.equal(expected);
      // The OpenMetrics parser reads "-0" as the int 0: the sign is the parser's to lose.
      const negzero = om.families[2]!.samples[2]!;
      expect(negzero.int).to.equal(true);
      expect(samples(om)).to.deep.equal(
        expected.map((k) =>
          k === sampleKey('odd_values', { v: 'negzero' }, -0) ? sampleKey('odd_values', { v: 'negzero' }, 0) : k,
        ),
      );
    });
  });
});
