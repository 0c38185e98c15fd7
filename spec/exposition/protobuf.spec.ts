/**
 * The protobuf exposition (lib/exposition/protobuf.ts) read back with the specs' independent
 * decoder (protobufjs over the upstream metrics.proto, spec/support/protobuf-decoder.ts): exact
 * messages for small registries of every type, the same samples as Python's parser reads from the
 * text format of the same registry, name escaping under every scheme, and random registries whose
 * decoded samples must be the snapshot's samples.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import sinon from 'sinon';
import {
  CONTENT_TYPES,
  Counter,
  Enum,
  Gauge,
  Histogram,
  Info,
  PROTOBUF_CONTENT_TYPE,
  Registry,
  Summary,
  renderExposition,
  renderExpositionBytes,
  type CollectedFamily,
  type EscapingScheme,
  type MetricFamily,
  type TextExpositionFormat,
} from '../../lib/index.js';
import { PythonParsers, sampleKey } from '../support/exposition-tools.js';
import {
  decodeDelimited,
  flattenFamilies,
  type DecodedHistogram,
  type DecodedLabelPair,
  type DecodedMetricFamily,
  type FlatSample,
} from '../support/protobuf-decoder.js';
import { hasPythonClient, requireTool } from '../support/tools.js';

// -----------------------------------------------------------------------------------------------
// Helpers

async function decoded(registry: Registry): Promise<DecodedMetricFamily[]> {
  const body = await registry.metrics('protobuf');
  expect(Buffer.isBuffer(body)).to.equal(true);
  return decodeDelimited(body);
}

/** Label pairs as the decoder gives them, in order. */
function pairs(labels: Record<string, string>): DecodedLabelPair[] {
  return Object.entries(labels).map(([name, value]) => ({ name, value }));
}

/** A decoded classic histogram: the native-histogram lists are present and empty. */
function classic(fields: Partial<DecodedHistogram>): DecodedHistogram {
  return {
    bucket: [],
    negative_span: [],
    negative_delta: [],
    negative_count: [],
    positive_span: [],
    positive_delta: [],
    positive_count: [],
    exemplars: [],
    ...fields,
  };
}

/** The snapshot's samples as flattenFamilies() reports them. */
function snapshotSamples(families: readonly MetricFamily[]): FlatSample[] {
  return families.flatMap((family) =>
    family.samples.map((s) => ({
      name: s.name,
      labels: { ...s.labels },
      value: s.value,
      ...(s.timestamp === undefined ? {} : { timestampMs: s.timestamp }),
    })),
  );
}

const CREATED_MS = 1_700_000_000_123;
const CREATED = { seconds: 1_700_000_000, nanos: 123_000_000 };

// -----------------------------------------------------------------------------------------------

describe('protobuf exposition (delimited io.prometheus.client.MetricFamily)', () => {
  afterEach(() => sinon.restore());

  describe('the API', () => {
    it('has the media type Prometheus asks for, in CONTENT_TYPES', () => {
      const type = 'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited';
      expect(PROTOBUF_CONTENT_TYPE).to.equal(type);
      expect(CONTENT_TYPES.protobuf).to.equal(type);
    });

    it('registry.metrics("protobuf") gives bytes; an empty registry gives no bytes', async () => {
      const registry = new Registry();
      expect(await registry.metrics('protobuf')).to.deep.equal(Buffer.alloc(0));
      new Gauge({ name: 'up', help: 'Up', registry }).set(1);
      const body = await registry.metrics('protobuf');
      expect(Buffer.isBuffer(body)).to.equal(true);
      // One family: its length (a varint), then the message.
      expect(body[0]).to.equal(body.length - 1);
    });

    it('renderExpositionBytes(families, "protobuf") is the same body as registry.metrics("protobuf")', async () => {
      const registry = new Registry();
      new Counter({ name: 'jobs', help: 'Jobs', labelNames: ['kind'], registry }).labels('a').inc(2);
      const rendered = renderExpositionBytes(await registry.collect(), 'protobuf');
      expect(rendered).to.deep.equal(await registry.metrics('protobuf'));
    });

    it('renderExposition(families, "protobuf") is a TypeError: the format is bytes, not text', () => {
      const format = 'protobuf' as unknown as TextExpositionFormat;
      expect(() => renderExposition([], format)).to.throw(TypeError, /protobuf.*bytes.*renderExpositionBytes/);
    });

    it('registry.metrics() refuses an unknown format or escaping before collecting anything', async () => {
      const registry = new Registry();
      const collector = sinon.stub().returns([]);
      registry.registerCollector(collector);
      const error = await registry.metrics('proto' as unknown as 'protobuf').catch((e: unknown) => e);
      expect(error).to.be.instanceOf(TypeError);
      expect((error as Error).message).to.match(/"text", "openmetrics" or "protobuf", got "proto"/);
      const none = 'none' as EscapingScheme;
      const escaping = await registry.metrics('protobuf', { escaping: none }).catch((e: unknown) => e);
      expect(escaping).to.be.instanceOf(TypeError);
      expect((escaping as Error).message).to.match(/options\.escaping must be one of .*got "none"/);
      expect(collector.called).to.equal(false);
    });
  });

  describe('messages, type by type', () => {
    it('counter: named with _total, COUNTER, constant labels first, no created_timestamp by default', async () => {
      const registry = new Registry({ labels: { service: 'api' } });
      const help = 'Requests "served"\\ by path\n2';
      const requests = new Counter({ name: 'http_requests', help, labelNames: ['path', 'code'], registry });
      requests.labels('/a"b\\c\nd', 200).inc(3);
      requests.labels({ path: 'ünï€ode 😀', code: '500' }).inc(0.5);
      expect(await decoded(registry)).to.deep.equal([
        {
          name: 'http_requests_total',
          help,
          type: 'COUNTER',
          metric: [
            { label: pairs({ service: 'api', path: '/a"b\\c\nd', code: '200' }), counter: { value: 3 } },
            { label: pairs({ service: 'api', path: 'ünï€ode 😀', code: '500' }), counter: { value: 0.5 } },
          ],
        },
      ]);
    });

    it('created timestamps with new Registry({ created: true }): seconds and nanos, zero fields left out', async () => {
      sinon.useFakeTimers({ now: CREATED_MS, toFake: ['Date'] });
      const registry = new Registry({ created: true });
      new Counter({ name: 'jobs', help: 'Jobs', registry }).inc();
      new Histogram({ name: 'latency_seconds', help: 'Latency', buckets: [1], registry }).observe(0.5);
      new Summary({ name: 'size_bytes', help: 'Size', registry }).observe(3);
      sinon.restore();
      sinon.useFakeTimers({ now: 1_700_000_005_000, toFake: ['Date'] }); // a whole second: no nanos
      new Counter({ name: 'whole', help: 'Whole', registry });
      const [jobs, latency, size, whole] = await decoded(registry);
      expect(jobs!.metric[0]!.counter).to.deep.equal({ value: 1, created_timestamp: CREATED });
      expect(latency!.metric[0]!.histogram!.created_timestamp).to.deep.equal(CREATED);
      expect(size!.metric[0]!.summary!.created_timestamp).to.deep.equal(CREATED);
      expect(whole!.metric[0]!.counter).to.deep.equal({ value: 0, created_timestamp: { seconds: 1_700_000_005 } });
    });

    it('gauge: GAUGE, every double as it is (NaN, ±Inf, -0, subnormal), the unit only when there is one', async () => {
      const registry = new Registry();
      new Gauge({ name: 'temperature', help: 'Degrees', unit: 'celsius', registry }).set(-Infinity);
      const odd = new Gauge({ name: 'odd_values', help: 'Odd values', labelNames: ['v'], registry });
      odd.labels('nan').set(NaN);
      odd.labels('inf').set(Infinity);
      odd.labels('negzero').set(-0);
      odd.labels('tiny').set(5e-324);
      const [temperature, values] = await decoded(registry);
      expect(temperature).to.deep.equal({
        name: 'temperature_celsius',
        help: 'Degrees',
        type: 'GAUGE',
        unit: 'celsius',
        metric: [{ label: [], gauge: { value: -Infinity } }],
      });
      expect(values!.unit).to.equal(undefined);
      const got = values!.metric.map((m) => m.gauge!.value!);
      expect(got).to.have.length(4);
      expect(got[0]).to.be.NaN;
      expect(got.slice(1)).to.deep.equal([Infinity, -0, 5e-324]);
      expect(Object.is(got[2], -0)).to.equal(true);
    });

    it('histogram: count, sum, a bucket per finite bound (+Inf is sample_count), zero counts included', async () => {
      const registry = new Registry();
      const buckets = [-1, 0.25, 1, 2.5e21];
      const options = { name: 'latency', help: 'Latency', unit: 'seconds', labelNames: ['op'], buckets, registry };
      const latency = new Histogram(options);
      for (const v of [0.1, 1, 7, 3e21]) latency.labels('read').observe(v);
      expect(await decoded(registry)).to.deep.equal([
        {
          name: 'latency_seconds',
          help: 'Latency',
          type: 'HISTOGRAM',
          unit: 'seconds',
          metric: [
            {
              label: pairs({ op: 'read' }),
              histogram: classic({
                sample_count: 4,
                sample_sum: 0.1 + 1 + 7 + 3e21,
                bucket: [
                  { cumulative_count: 0, upper_bound: -1 },
                  { cumulative_count: 1, upper_bound: 0.25 },
                  { cumulative_count: 2, upper_bound: 1 },
                  { cumulative_count: 3, upper_bound: 2.5e21 },
                ],
              }),
            },
          ],
        },
      ]);
    });

    it('summary: count, sum, quantiles (read from the quantile label); negative sums and quantiles kept', async () => {
      const registry = new Registry();
      const size = new Summary({ name: 'delta', help: 'Delta', percentiles: [0, 0.5, 1], registry });
      for (const v of [-5, -1, -3]) size.observe(v);
      new Summary({ name: 'plain', help: 'Count and sum only', registry }).observe(2);
      const [family] = await registry.collect();
      const quantiles = family!.samples.filter((s) => s.name === 'delta').map((s) => s.value);
      expect(quantiles.every((q) => q < 0)).to.equal(true);
      const [delta, plain] = await decoded(registry);
      expect(delta).to.deep.equal({
        name: 'delta',
        help: 'Delta',
        type: 'SUMMARY',
        metric: [
          {
            label: [],
            summary: {
              sample_count: 3,
              sample_sum: -9,
              quantile: [0, 0.5, 1].map((quantile, i) => ({ quantile, value: quantiles[i]! })),
            },
          },
        ],
      });
      expect(plain!.metric).to.deep.equal([{ label: [], summary: { sample_count: 1, sample_sum: 2, quantile: [] } }]);
    });

    it('info: a GAUGE named name_info, the facts as labels, value 1', async () => {
      const registry = new Registry({ labels: { region: 'eu' } });
      new Info({ name: 'build', help: 'Build', registry }).info({ version: '1.2', commit: 'a"b' });
      expect(await decoded(registry)).to.deep.equal([
        {
          name: 'build_info',
          help: 'Build',
          type: 'GAUGE',
          metric: [{ label: pairs({ region: 'eu', version: '1.2', commit: 'a"b' }), gauge: { value: 1 } }],
        },
      ]);
    });

    it('enum (stateset): a GAUGE named like the metric, a metric per state with the state label, 0/1', async () => {
      const registry = new Registry();
      const states = ['starting', 'running'];
      const phase = new Enum({ name: 'phase', help: 'Phase', labelNames: ['job'], states, registry });
      phase.labels('a').state('running');
      expect(await decoded(registry)).to.deep.equal([
        {
          name: 'phase',
          help: 'Phase',
          type: 'GAUGE',
          metric: [
            { label: pairs({ job: 'a', phase: 'starting' }), gauge: { value: 0 } },
            { label: pairs({ job: 'a', phase: 'running' }), gauge: { value: 1 } },
          ],
        },
      ]);
    });

    it('families without a series are not sent (client_golang never sends an empty MetricFamily)', async () => {
      const registry = new Registry();
      new Counter({ name: 'never', help: 'No series yet', labelNames: ['x'], registry });
      new Histogram({ name: 'never_latency', help: 'No series yet', labelNames: ['x'], registry });
      new Gauge({ name: 'up', help: 'Up', registry }).set(1);
      registry.registerCollector(() => [{ name: 'empty', help: 'Nothing', type: 'summary', samples: [] }]);
      expect((await decoded(registry)).map((f) => f.name)).to.deep.equal(['up']);
    });
  });

  describe('collector families', () => {
    it('unknown is UNTYPED; a sample timestamp (ms, negative too) is Metric.timestamp_ms', async () => {
      const registry = new Registry();
      registry.registerCollector(() => [
        { name: 'legacy', help: 'Unknown', type: 'unknown', samples: [{ value: 4, timestamp: 1_700_000_000_123 }] },
        {
          name: 'old',
          help: 'Before 1970',
          type: 'gauge',
          samples: [{ labels: { k: 'v' }, value: 1, timestamp: -1500 }],
        },
      ]);
      const [legacy, old] = await decoded(registry);
      expect(legacy).to.deep.equal({
        name: 'legacy',
        help: 'Unknown',
        type: 'UNTYPED',
        metric: [{ label: [], untyped: { value: 4 }, timestamp_ms: 1_700_000_000_123 }],
      });
      expect(old).to.deep.equal({
        name: 'old',
        help: 'Before 1970',
        type: 'GAUGE',
        metric: [{ label: pairs({ k: 'v' }), gauge: { value: 1 }, timestamp_ms: -1500 }],
      });
    });

    it('counter, histogram and summary points: a metric per label set, in whatever order given', async () => {
      const registry = new Registry({ labels: { zone: 'z1' } });
      const families: CollectedFamily[] = [
        {
          name: 'tasks_total',
          help: 'Tasks',
          type: 'counter',
          samples: [
            { name: 'tasks_created', labels: { q: 'a' }, value: 1_700_000_000.5, timestamp: 42 },
            { name: 'tasks_total', labels: { q: 'b' }, value: 2, timestamp: 43 },
            { name: 'tasks_total', labels: { q: 'a' }, value: 1, timestamp: 42 },
          ],
        },
        {
          name: 'wait_seconds',
          help: 'Wait',
          type: 'histogram',
          unit: 'seconds',
          samples: [
            { name: 'wait_seconds_count', labels: { q: 'a' }, value: 3 },
            { name: 'wait_seconds_bucket', labels: { q: 'a', le: '+Inf' }, value: 3 },
            { name: 'wait_seconds_bucket', labels: { le: '0.5', q: 'a' }, value: 1 },
            { name: 'wait_seconds_sum', labels: { q: 'a' }, value: 2.5 },
            { name: 'wait_seconds_created', labels: { q: 'a' }, value: 1_700_000_000 },
            // OpenMetrics lets a point leave out _count and _sum: the count is the +Inf bucket's.
            { name: 'wait_seconds_bucket', labels: { q: 'b', le: '1' }, value: 2 },
            { name: 'wait_seconds_bucket', labels: { q: 'b', le: 'Inf' }, value: 5 },
          ],
        },
        {
          name: 'rtt',
          help: 'RTT',
          type: 'summary',
          samples: [
            { name: 'rtt_sum', value: -4 },
            { name: 'rtt', labels: { quantile: '0.9' }, value: -0.5 },
            { name: 'rtt_count', value: 8 },
            { name: 'rtt', labels: { quantile: '.5' }, value: -1 },
            { name: 'rtt_created', value: 1_600_000_000.25 },
          ],
        },
      ];
      registry.registerCollector(() => families);
      const [tasks, wait, rtt] = await decoded(registry);
      expect(tasks).to.deep.equal({
        name: 'tasks_total',
        help: 'Tasks',
        type: 'COUNTER',
        metric: [
          {
            label: pairs({ zone: 'z1', q: 'a' }),
            counter: { value: 1, created_timestamp: { seconds: 1_700_000_000, nanos: 500_000_000 } },
            timestamp_ms: 42,
          },
          { label: pairs({ zone: 'z1', q: 'b' }), counter: { value: 2 }, timestamp_ms: 43 },
        ],
      });
      expect(wait).to.deep.equal({
        name: 'wait_seconds',
        help: 'Wait',
        type: 'HISTOGRAM',
        unit: 'seconds',
        metric: [
          {
            label: pairs({ zone: 'z1', q: 'a' }),
            histogram: classic({
              sample_count: 3,
              sample_sum: 2.5,
              bucket: [{ cumulative_count: 1, upper_bound: 0.5 }],
              created_timestamp: { seconds: 1_700_000_000 },
            }),
          },
          // No sample_sum on the wire: Prometheus reads it as 0 (the protobuf format has no "no sum").
          {
            label: pairs({ zone: 'z1', q: 'b' }),
            histogram: classic({ sample_count: 5, bucket: [{ cumulative_count: 2, upper_bound: 1 }] }),
          },
        ],
      });
      expect(rtt).to.deep.equal({
        name: 'rtt',
        help: 'RTT',
        type: 'SUMMARY',
        metric: [
          {
            label: pairs({ zone: 'z1' }),
            summary: {
              sample_count: 8,
              sample_sum: -4,
              quantile: [
                { quantile: 0.5, value: -1 },
                { quantile: 0.9, value: -0.5 },
              ],
              created_timestamp: { seconds: 1_600_000_000, nanos: 250_000_000 },
            },
          },
        ],
      });
    });

    it('a histogram count no uint64 holds goes in the *_float fields; a non-finite _created is left out', async () => {
      const registry = new Registry();
      registry.registerCollector(() => [
        {
          name: 'huge',
          help: 'Huge',
          type: 'histogram',
          samples: [
            { name: 'huge_bucket', labels: { le: '1' }, value: 2 ** 64 },
            { name: 'huge_bucket', labels: { le: '+Inf' }, value: 2 ** 65 },
            { name: 'huge_created', value: Infinity },
          ],
        },
      ]);
      const [huge] = await decoded(registry);
      expect(huge!.metric[0]!.histogram).to.deep.equal(
        classic({ sample_count_float: 2 ** 65, bucket: [{ cumulative_count_float: 2 ** 64, upper_bound: 1 }] }),
      );
    });
  });

  describe('name escaping', () => {
    /** UTF-8 names (Prometheus 3's data model) beside legacy ones. */
    function utf8Registry(): Registry {
      const registry = new Registry();
      const labelNames = ['http.method', 'a:b'];
      new Histogram({ name: 'http.server.duration', help: 'Duration', labelNames, buckets: [0.5], registry })
        .labels('GET', 'x')
        .observe(0.25);
      new Counter({ name: 'http.server.requests', help: 'Requests', labelNames, registry }).labels('GET', 'x').inc(7);
      new Gauge({ name: 'up', help: 'Up', labelNames: ['job_name'], registry }).labels('x').set(1);
      return registry;
    }

    type Names = { histogram: string; counter: string; label: string; colon: string };
    const EXPECTED: Record<EscapingScheme, Names> = {
      'allow-utf-8': {
        histogram: 'http.server.duration',
        counter: 'http.server.requests_total',
        label: 'http.method',
        colon: 'a:b',
      },
      underscores: {
        histogram: 'http_server_duration',
        counter: 'http_server_requests_total',
        label: 'http_method',
        colon: 'a_b',
      },
      dots: {
        histogram: 'http_dot_server_dot_duration',
        counter: 'http_dot_server_dot_requests_total',
        label: 'http_dot_method',
        colon: 'a_b',
      },
      values: {
        histogram: 'U__http_2E_server_2E_duration',
        counter: 'U__http_2E_server_2E_requests_total',
        label: 'U__http_2E_method',
        colon: 'U__a_3A_b',
      },
    };

    for (const scheme of Object.keys(EXPECTED) as EscapingScheme[]) {
      it(`under escaping=${scheme}: family and label names escaped, legacy names as they are`, async () => {
        const expected = EXPECTED[scheme];
        const body = await utf8Registry().metrics('protobuf', { escaping: scheme });
        const [histogram, counter, up] = decodeDelimited(body);
        const labels = [
          { name: expected.label, value: 'GET' },
          { name: expected.colon, value: 'x' },
        ];
        expect(histogram!.name).to.equal(expected.histogram);
        expect(histogram!.metric[0]!.label).to.deep.equal(labels);
        expect(counter!.name).to.equal(expected.counter);
        expect(counter!.metric[0]!.label).to.deep.equal(labels);
        expect(up!.name).to.equal('up');
        expect(up!.metric[0]!.label).to.deep.equal([{ name: 'job_name', value: 'x' }]);
      });
    }

    it("the escaped names are the text format's under the same scheme (as Python reads them)", async function () {
      requireTool(this, 'Python prometheus_client', hasPythonClient());
      const parsers = new PythonParsers();
      try {
        for (const scheme of ['underscores', 'dots', 'values'] as const) {
          const registry = utf8Registry();
          const parsed = await parsers.parse('text', await registry.metrics('text', { escaping: scheme }));
          if (!parsed.ok) expect.fail(parsed.error);
          const fromText = parsed.families.flatMap((f) => f.samples.map((s) => sampleKey(s.name, s.labels, s.value)));
          const body = await registry.metrics('protobuf', { escaping: scheme });
          const fromProtobuf = flattenFamilies(decodeDelimited(body)).map((s) => sampleKey(s.name, s.labels, s.value));
          expect(fromProtobuf.sort(), scheme).to.deep.equal(fromText.sort());
        }
      } finally {
        parsers.close();
      }
    });
  });

  describe('against the text format', () => {
    let parsers: PythonParsers | undefined;
    after(() => parsers?.close());

    it("decodes to the samples Python's parser reads from the text body (a registry of every type)", async function () {
      requireTool(this, 'Python prometheus_client', hasPythonClient());
      sinon.useFakeTimers({ now: CREATED_MS, toFake: ['Date'] });
      const registry = new Registry({ created: true, labels: { service: 'api' } });
      const requests = new Counter({ name: 'http_requests', help: 'Requests', labelNames: ['path'], registry });
      requests.labels('/a"b\\c\nd').inc(3);
      requests.labels('ünï€ode 😀').inc(0.5);
      const odd = new Gauge({ name: 'odd_values', help: 'Odd', labelNames: ['v'], registry });
      const values = { nan: NaN, inf: Infinity, negzero: -0, tiny: 5e-324, huge: 1.7e308 };
      for (const [label, value] of Object.entries(values)) odd.labels(label).set(value);
      const buckets = [-1, 1e-5, 0.25, 1e6];
      const latency = new Histogram({ name: 'latency', help: 'Latency', unit: 'seconds', buckets, registry });
      for (const v of [0.1, 1, -7, 2e6]) latency.observe(v);
      const percentiles = [0, 0.5, 0.99, 1];
      const payload = new Summary({ name: 'payload', help: 'Payload', unit: 'bytes', percentiles, registry });
      for (const v of [64, -3, 1e9]) payload.observe(v);
      new Info({ name: 'build', help: 'Build', registry }).info({ version: '1.2' });
      new Enum({ name: 'phase', help: 'Phase', states: ['starting', 'running'], registry }).state('running');
      registry.registerCollector(() => [
        { name: 'legacy', help: 'Unknown', type: 'unknown', samples: [{ labels: { a: 'b' }, value: 2.5 }] },
        {
          name: 'wait_seconds',
          help: 'Wait',
          type: 'histogram',
          samples: [
            { name: 'wait_seconds_bucket', labels: { le: '0.5' }, value: 1 },
            { name: 'wait_seconds_bucket', labels: { le: '+Inf' }, value: 3 },
            { name: 'wait_seconds_count', value: 3 },
            { name: 'wait_seconds_sum', value: 2.5 },
          ],
        },
      ]);
      const families = await registry.collect();
      const text = renderExposition(families, 'text');
      parsers ??= new PythonParsers();
      const parsed = await parsers.parse('text', text);
      if (!parsed.ok) expect.fail(parsed.error);
      const fromText = parsed.families.flatMap((f) => f.samples.map((s) => sampleKey(s.name, s.labels, s.value)));
      const fromProtobuf = flattenFamilies(decodeDelimited(renderExpositionBytes(families, 'protobuf')));
      expect(fromProtobuf.map((s) => sampleKey(s.name, s.labels, s.value)).sort()).to.deep.equal(fromText.sort());
      // And the same body comes through the registry.
      expect(await registry.metrics('protobuf')).to.deep.equal(renderExpositionBytes(families, 'protobuf'));
    });
  });

  describe('property: random registries', () => {
    it('decode to exactly the snapshot samples: names, labels, values, timestamps (50 runs)', async () => {
      await fc.assert(
        fc.asyncProperty(registryPlan, async (plan) => {
          const registry = buildRegistry(plan);
          const families = await registry.collect();
          const body = renderExpositionBytes(families, 'protobuf');
          expect(flattenFamilies(decodeDelimited(body))).to.deep.equal(snapshotSamples(families));
        }),
        { numRuns: 50 },
      );
    });
  });
});

// -----------------------------------------------------------------------------------------------
// Random registries

type Kind = 'counter' | 'gauge' | 'histogram' | 'summary' | 'info' | 'enum';

interface SeriesPlan {
  readonly values: readonly string[];
  readonly numbers: readonly number[];
  readonly facts: Readonly<Record<string, string>>;
  readonly state: number;
}

interface MetricPlan {
  readonly kind: Kind;
  readonly labelNames: readonly string[];
  readonly buckets: readonly number[];
  readonly percentiles: readonly number[];
  readonly states: readonly string[];
  readonly series: readonly SeriesPlan[];
}

interface RegistryPlan {
  readonly constantLabels: Readonly<Record<string, string>>;
  /** With `_created`, at this time (ms since the epoch). */
  readonly createdAt: number | undefined;
  readonly metrics: readonly MetricPlan[];
  readonly collected: readonly CollectedFamily[];
}

const labelName = fc.stringMatching(/^[a-z][a-z0-9_]{0,5}$/).filter((n) => n !== 'le' && n !== 'quantile');
const labelChar = fc.oneof(
  fc.constantFrom('"', '\\', '\n', 'é', '😀', '\u0000'),
  fc.string({ minLength: 1, maxLength: 1 }),
);
const labelValue = fc.string({ unit: labelChar, maxLength: 6 });
const anyDouble = fc.oneof(fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, 5e-324, 1.7e308, -1e21), fc.double());
const observation = anyDouble.filter((n) => !Number.isNaN(n));
const increment = fc.oneof(fc.constantFrom(0, 0.5, 1e21), fc.double({ min: 0, max: 1e300, noNaN: true }));
const timestamp = fc.option(fc.integer({ min: -(2 ** 45), max: 2 ** 45 }), { nil: undefined });

const metricPlan: fc.Arbitrary<MetricPlan> = fc
  .record({
    kind: fc.constantFrom<Kind>('counter', 'gauge', 'histogram', 'summary', 'info', 'enum'),
    labelNames: fc.uniqueArray(labelName, { maxLength: 2 }),
    buckets: fc.uniqueArray(
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((b) => (b === 0 ? 0 : b)),
      { minLength: 1, maxLength: 4, comparator: 'SameValueZero' },
    ),
    percentiles: fc.uniqueArray(fc.constantFrom(0, 0.01, 0.5, 0.99, 1), { maxLength: 3 }),
    states: fc.uniqueArray(labelValue, { minLength: 1, maxLength: 3 }),
    factNames: fc.uniqueArray(fc.stringMatching(/^f[a-z]{0,3}$/), { maxLength: 2 }),
  })
  .chain((m) => {
    const series = fc.record({
      values: fc.array(labelValue, { minLength: m.labelNames.length, maxLength: m.labelNames.length }),
      numbers: fc.array(m.kind === 'counter' ? increment : m.kind === 'gauge' ? anyDouble : observation, {
        maxLength: 4,
      }),
      facts: fc
        .tuple(...m.factNames.map(() => labelValue))
        .map((vs) => Object.fromEntries(m.factNames.map((n, i) => [n, vs[i]!]))),
      state: fc.nat({ max: m.states.length - 1 }),
    });
    const all =
      m.labelNames.length === 0
        ? fc.tuple(series).map((s) => [...s])
        : fc.uniqueArray(series, { maxLength: 3, selector: (s) => JSON.stringify(s.values) });
    return all.map((s) => ({
      kind: m.kind,
      labelNames: m.labelNames,
      buckets: [...m.buckets].sort((a, b) => a - b),
      percentiles: [...m.percentiles].sort((a, b) => a - b),
      states: m.states,
      series: s,
    }));
  });

type CollectedType = 'gauge' | 'unknown' | 'counter' | 'histogram' | 'summary';

/** A `_created` value of a collected point: whole milliseconds, in seconds. */
const createdSeconds = fc.option(
  fc.integer({ min: 0, max: 2 ** 42 }).map((ms) => ms / 1000),
  { nil: undefined },
);

/**
 * A collected family of complete points (a histogram's with _count and _sum), every sample of a
 * point carrying the point's timestamp if it has one: what the protobuf format can say exactly.
 */
const collectedFamily = (index: number): fc.Arbitrary<CollectedFamily> =>
  fc
    .record({
      type: fc.constantFrom<CollectedType>('gauge', 'unknown', 'counter', 'histogram', 'summary'),
      points: fc.uniqueArray(fc.record({ label: labelValue, timestamp, created: createdSeconds }), {
        minLength: 1,
        maxLength: 3,
        selector: (p) => p.label,
      }),
      value: anyDouble,
      total: increment,
      counts: fc.array(fc.nat({ max: 5 }), { minLength: 1, maxLength: 3 }),
      sum: anyDouble,
    })
    .map(({ type, points, value, total, counts, sum }): CollectedFamily => {
      const name = `c${index}_family`;
      const samples = points.flatMap(({ label, timestamp: ts, created }) => {
        const labels = { point: label };
        const at = ts === undefined ? {} : { timestamp: ts };
        const withCreated = created === undefined ? [] : [{ name: `${name}_created`, labels, value: created, ...at }];
        switch (type) {
          case 'gauge':
          case 'unknown':
            return [{ labels, value, ...at }];
          case 'counter':
            return [{ name: `${name}_total`, labels, value: total, ...at }, ...withCreated];
          case 'histogram': {
            let cumulative = 0;
            const buckets = counts.map((c, i) => ({
              name: `${name}_bucket`,
              labels: { ...labels, le: String(i) },
              value: (cumulative += c),
              ...at,
            }));
            buckets.push({ name: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: cumulative, ...at });
            const count = { name: `${name}_count`, labels, value: cumulative, ...at };
            return [...buckets, count, { name: `${name}_sum`, labels, value: sum, ...at }, ...withCreated];
          }
          case 'summary': {
            const quantiles = counts.map((c, i) => ({
              name,
              labels: { ...labels, quantile: String(i / counts.length) },
              value: c * value,
              ...at,
            }));
            const count = { name: `${name}_count`, labels, value: counts.length, ...at };
            return [...quantiles, count, { name: `${name}_sum`, labels, value: sum, ...at }, ...withCreated];
          }
        }
      });
      return { name, help: `Collected ${index}`, type, samples };
    });

const registryPlan: fc.Arbitrary<RegistryPlan> = fc
  .record({
    constantLabels: fc.dictionary(labelName, labelValue, { maxKeys: 2 }),
    createdAt: fc.option(fc.integer({ min: 0, max: 2 ** 42 }), { nil: undefined }),
    metricCount: fc.integer({ min: 0, max: 5 }),
    collectedCount: fc.integer({ min: 0, max: 2 }),
  })
  .chain(({ constantLabels, createdAt, metricCount, collectedCount }) =>
    fc
      .tuple(
        fc.array(metricPlan, { minLength: metricCount, maxLength: metricCount }),
        fc.tuple(...Array.from({ length: collectedCount }, (_, i) => collectedFamily(i))),
      )
      .map(([metrics, collected]) => ({ constantLabels, createdAt, metrics, collected })),
  );

function buildRegistry(plan: RegistryPlan): Registry {
  const { createdAt } = plan;
  const clock = createdAt === undefined ? undefined : sinon.useFakeTimers({ now: createdAt, toFake: ['Date'] });
  try {
    const registry = new Registry({ labels: plan.constantLabels, created: plan.createdAt !== undefined });
    plan.metrics.forEach((m, index) => {
      // At least 7 characters: never one of the label names (at most 6), which an enum's state label would clash with.
      const name = `m${index}_${m.kind}`;
      const { labelNames, series } = m;
      const common = { name, help: `Metric ${index}`, labelNames, registry };
      switch (m.kind) {
        case 'counter': {
          const counter = new Counter(common);
          for (const s of series) {
            const child = counter.labels(...s.values);
            for (const n of s.numbers) child.inc(n);
          }
          break;
        }
        case 'gauge': {
          const gauge = new Gauge(common);
          for (const s of series) {
            const child = gauge.labels(...s.values);
            for (const n of s.numbers) child.set(n);
          }
          break;
        }
        case 'histogram': {
          const histogram = new Histogram({ ...common, buckets: m.buckets });
          for (const s of series) {
            const child = histogram.labels(...s.values);
            for (const n of s.numbers) child.observe(n);
          }
          break;
        }
        case 'summary': {
          const summary = new Summary({ ...common, percentiles: m.percentiles });
          for (const s of series) {
            const child = summary.labels(...s.values);
            for (const n of s.numbers) child.observe(n);
          }
          break;
        }
        case 'info': {
          const info = new Info(common);
          for (const s of series) {
            // An info's facts may not repeat its label names.
            const facts = Object.fromEntries(Object.entries(s.facts).filter(([k]) => !labelNames.includes(k)));
            info.labels(...s.values).info(facts);
          }
          break;
        }
        case 'enum': {
          const states = new Enum({ ...common, states: m.states });
          for (const s of series) states.labels(...s.values).state(m.states[s.state]!);
          break;
        }
      }
    });
    const collected = plan.collected;
    if (collected.length > 0) registry.registerCollector(() => collected);
    return registry;
  } finally {
    clock?.restore();
  }
}
