/**
 * Exemplars (issue 12, part 2): the API on counters and histograms, their limits, the snapshot
 * carrying them, and their rendering in OpenMetrics, read back by Python's OpenMetrics parser.
 */
import { expect } from 'chai';
import { Counter, Histogram, Registry, type MetricFamily } from '../../lib/index.js';
import { PythonParsers } from '../support/exposition-tools.js';
import {
  decodeDelimited,
  timestampSeconds,
  type DecodedExemplar,
  type DecodedMetricFamily,
} from '../support/protobuf-decoder.js';
import { hasPythonClient, requireTool } from '../support/tools.js';

/** An exemplar as labels, value and timestamp in seconds, the way the snapshot holds one. */
function plain(exemplar: DecodedExemplar | undefined): unknown {
  if (exemplar === undefined) return undefined;
  const labels = Object.fromEntries(exemplar.label.map((pair) => [pair.name, pair.value]));
  return { labels, value: exemplar.value, timestamp: timestampSeconds(exemplar.timestamp!) };
}

async function decoded(registry: Registry): Promise<DecodedMetricFamily[]> {
  return decodeDelimited((await registry.metrics('protobuf')) as Buffer);
}

async function family(registry: Registry, name: string): Promise<MetricFamily> {
  const found = (await registry.collect()).find((f) => f.name === name);
  if (found === undefined) throw new Error(`no family ${name}`);
  return found;
}

describe('Exemplars', () => {
  let registry: Registry;
  beforeEach(() => {
    registry = new Registry();
  });

  describe('on a counter', () => {
    it('keeps the last exemplar per series, its value the increment, with a wall-clock timestamp', async () => {
      const c = new Counter('requests', 'Requests', ['method'], { registry });
      const before = Date.now() / 1000;
      c.labels('GET').inc(2, { trace_id: 'abc' });
      c.labels('GET').inc(3, { trace_id: 'def', span_id: '01' });
      c.labels('GET').inc(); // no exemplar: the last one stays
      c.labels('POST').inc(1);
      const after = Date.now() / 1000;
      const samples = (await family(registry, 'requests')).samples;
      const get = samples.find((s) => s.labels.method === 'GET')!;
      expect(get.value).to.equal(6);
      expect(get.exemplar?.labels).to.deep.equal({ trace_id: 'def', span_id: '01' });
      expect(get.exemplar?.value).to.equal(3);
      expect(get.exemplar?.timestamp).to.be.within(before, after);
      expect(samples.find((s) => s.labels.method === 'POST')).to.not.have.property('exemplar');
    });

    it('takes an exemplar on the metric without labels, and reset() drops it', async () => {
      const c = new Counter('jobs', 'Jobs', [], { registry });
      c.inc(1, { trace_id: 'x' });
      expect((await family(registry, 'jobs')).samples[0]!.exemplar?.labels).to.deep.equal({ trace_id: 'x' });
      c.reset();
      expect((await family(registry, 'jobs')).samples[0]).to.not.have.property('exemplar');
    });
  });

  describe('on a histogram', () => {
    it('keeps the last exemplar per classic bucket, on metric and children', async () => {
      const h = new Histogram('latency', 'Latency', ['method'], { registry, buckets: [0.1, 0.5, 1] });
      h.labels('GET').observe(0.3, { trace_id: 'a' });
      h.labels('GET').observe(0.4, { trace_id: 'b' });
      h.labels('GET').observe(0.05); // no exemplar: its bucket has none
      h.labels('GET').observe(7, { trace_id: 'c' });
      const row = (await family(registry, 'latency')).histogram!.rows[0]!;
      expect(row.exemplars).to.have.length(4);
      expect(row.exemplars![0]).to.equal(undefined);
      expect(row.exemplars![1]).to.include({ value: 0.4 });
      expect(row.exemplars![1]!.labels).to.deep.equal({ trace_id: 'b' });
      expect(row.exemplars![2]).to.equal(undefined);
      expect(row.exemplars![3]).to.include({ value: 7 });
      const plain = new Histogram('plain', 'Plain', [], { registry, buckets: [1] });
      plain.observe(0.5, { trace_id: 'p' });
      expect((await family(registry, 'plain')).histogram!.rows[0]!.exemplars![0]!.labels).to.deep.equal({
        trace_id: 'p',
      });
    });

    it('keeps a series without exemplars free of them', async () => {
      const h = new Histogram('quiet', 'Quiet', [], { registry, buckets: [1] });
      h.observe(0.5);
      expect((await family(registry, 'quiet')).histogram!.rows[0]).to.not.have.property('exemplars');
    });

    it('native-only: keeps the most recent exemplar per native bucket, at most 8', async () => {
      const h = new Histogram('native', 'Native', [], { registry, native: true });
      // Values a factor 2 apart land in different buckets at schema 3.
      for (let i = 0; i < 12; i++) h.observe(2 ** i, { trace_id: `t${i}` });
      // Buckets are upper-inclusive: just below 2^11 is the bucket of 2^11, and replaces t11.
      h.observe(2 ** 11 * 0.9999, { trace_id: 'same-bucket' });
      const row = (await family(registry, 'native')).histogram!.rows[0]!;
      const kept = row.nativeExemplars!.map((e) => e.labels.trace_id);
      expect(kept).to.deep.equal(['t4', 't5', 't6', 't7', 't8', 't9', 't10', 'same-bucket']);
      expect(row.exemplars).to.have.length(1);
      expect(row.exemplars![0]!.labels).to.deep.equal({ trace_id: 'same-bucket' });
    });
  });

  describe('validation', () => {
    it('counts code points, not UTF-16 units: 128 emoji-bearing code points pass, 129 fail', async () => {
      const c = new Counter('limits', 'Limits', [], { registry });
      // 't' (1) + 127 emoji (each 2 UTF-16 units, 1 code point) = 128 code points, 255 units.
      const atLimit = { t: '😀'.repeat(127) };
      expect(() => c.inc(1, atLimit)).to.not.throw();
      expect(() => c.inc(1, { t: '😀'.repeat(128) })).to.throw(
        RangeError,
        /Counter limits: exemplar labels .*129 code points.*128/,
      );
      expect(() => c.inc(1, { trace_id: 'x'.repeat(121) })).to.throw(RangeError, /129 code points/);
      expect(() => c.inc(1, { trace_id: 'x'.repeat(120) })).to.not.throw();
    });

    it('refuses invalid label names and values, naming the metric, and changes nothing', async () => {
      const c = new Counter('checked', 'Checked', [], { registry });
      const h = new Histogram('checked_h', 'Checked', [], { registry, buckets: [1] });
      const bad: [unknown, RegExp][] = [
        [{ 'trace-id': 'x' }, /Counter checked: invalid exemplar label name "trace-id"/],
        [{ '1st': 'x' }, /invalid exemplar label name "1st"/],
        [{ trace_id: 5 }, /Counter checked: exemplar label trace_id must be a well-formed string, got 5/],
        [{ trace_id: '\uD800' }, /exemplar label trace_id must be a well-formed string/],
        [null, /Counter checked: exemplar labels must be an object/],
        [['x'], /exemplar labels must be an object/],
      ];
      for (const [labels, message] of bad) {
        expect(() => c.inc(1, labels as Record<string, string>)).to.throw(TypeError, message);
        expect(() => h.observe(1, labels as Record<string, string>)).to.throw(TypeError, /Histogram checked_h: /);
      }
      expect(() => c.inc(-1, { trace_id: 'x' })).to.throw(RangeError, /Counter checked: increment/);
      expect(() => h.observe(Number.NaN, { trace_id: 'x' })).to.throw(RangeError, /Histogram checked_h/);
      expect(c.get()).to.equal(0);
      expect((await family(registry, 'checked')).samples[0]).to.not.have.property('exemplar');
      const row = (await family(registry, 'checked_h')).histogram!.rows[0]!;
      expect(row.cumulative).to.deep.equal([0, 0]);
      expect(row).to.not.have.property('exemplars');
    });
  });

  describe('exposition', () => {
    let python: PythonParsers | undefined;
    after(() => python?.close());

    function populate(): void {
      const c = new Counter('requests', 'Requests', ['method'], { registry });
      c.labels('GET').inc(2, { trace_id: 'abc' });
      c.labels('POST').inc();
      const h = new Histogram('latency', 'Latency', ['method'], { registry, buckets: [0.1, 0.5] });
      h.labels('GET').observe(0.3, { trace_id: 'def' });
      h.labels('GET').observe(3, { trace_id: 'ghi', span_id: '7' });
      const n = new Histogram('native', 'Native', [], { registry, native: true });
      n.observe(0.25, { trace_id: 'n1' });
      n.observe(4, { trace_id: 'n2' });
    }

    it('renders exemplars in OpenMetrics on _total and bucket lines', async () => {
      populate();
      const body = (await registry.metrics('openmetrics')) as string;
      expect(body).to.match(/^requests_total\{method="GET"\} 2 # \{trace_id="abc"\} 2 \d+(\.\d+)?$/m);
      expect(body).to.match(/^requests_total\{method="POST"\} 1$/m);
      expect(body).to.match(/^latency_bucket\{method="GET",le="0.1"\} 0$/m);
      expect(body).to.match(/^latency_bucket\{method="GET",le="0.5"\} 1 # \{trace_id="def"\} 0.3 \d+(\.\d+)?$/m);
      expect(body).to.match(/^latency_bucket\{method="GET",le="\+Inf"\} 2 # \{trace_id="ghi",span_id="7"\} 3 \d/m);
      expect(body).to.match(/^native_bucket\{le="\+Inf"\} 2 # \{trace_id="n2"\} 4 \d/m);
    });

    it('never renders exemplars in the text format 0.0.4', async () => {
      populate();
      const body = (await registry.metrics('text')) as string;
      expect(body).to.not.include('#  {').and.not.include('trace_id');
    });

    it("Python's OpenMetrics parser reads the exemplars back", async function () {
      requireTool(this, "Python's prometheus_client", hasPythonClient());
      python ??= new PythonParsers();
      populate();
      const before = Date.now() / 1000;
      const body = (await registry.metrics('openmetrics')) as string;
      const parsed = await python.parse('openmetrics', body);
      if (!parsed.ok) throw new Error(parsed.error);
      const samples = parsed.families.flatMap((f) => f.samples);
      const withExemplars = samples
        .filter((s) => s.exemplar !== undefined)
        .map((s) => ({ name: s.name, le: s.labels.le, labels: s.exemplar!.labels, value: s.exemplar!.value }));
      expect(withExemplars).to.deep.equal([
        { name: 'requests_total', le: undefined, labels: { trace_id: 'abc' }, value: 2 },
        { name: 'latency_bucket', le: '0.5', labels: { trace_id: 'def' }, value: 0.3 },
        { name: 'latency_bucket', le: '+Inf', labels: { trace_id: 'ghi', span_id: '7' }, value: 3 },
        { name: 'native_bucket', le: '+Inf', labels: { trace_id: 'n2' }, value: 4 },
      ]);
      for (const s of samples.filter((x) => x.exemplar !== undefined)) {
        expect(s.exemplar!.timestamp).to.be.within(before - 60, before + 1);
      }
    });
  });

  describe('protobuf', () => {
    it('puts a counter exemplar on Counter.exemplar, with its timestamp to the millisecond', async () => {
      const c = new Counter('requests', 'Requests', ['method'], { registry });
      c.labels('GET').inc(2, { trace_id: 'abc', span_id: 'def' });
      c.labels('POST').inc();
      const snapshot = (await family(registry, 'requests')).samples[0]!.exemplar!;
      const [counters] = await decoded(registry);
      const byMethod = new Map(counters!.metric.map((m) => [m.label[0]!.value, m.counter!]));
      expect(plain(byMethod.get('GET')!.exemplar)).to.deep.equal({ ...snapshot, labels: { ...snapshot.labels } });
      expect(byMethod.get('POST')!.exemplar).to.equal(undefined);
    });

    it('puts classic bucket exemplars on Bucket.exemplar, sending the +Inf bucket only when it has one', async () => {
      const h = new Histogram('latency', 'Latency', ['method'], { registry, buckets: [0.1, 0.5] });
      h.labels('GET').observe(0.3, { trace_id: 'a' });
      h.labels('POST').observe(3, { trace_id: 'b' });
      h.labels('PUT').observe(0.05);
      const [histograms] = await decoded(registry);
      const byMethod = new Map(histograms!.metric.map((m) => [m.label[0]!.value, m.histogram!]));
      const shape = (method: string) =>
        byMethod.get(method)!.bucket.map((b) => [b.upper_bound, b.cumulative_count ?? 0, b.exemplar?.label[0]?.value]);
      expect(shape('GET')).to.deep.equal([
        [0.1, 0, undefined],
        [0.5, 1, 'a'],
      ]);
      expect(shape('POST')).to.deep.equal([
        [0.1, 0, undefined],
        [0.5, 0, undefined],
        [Infinity, 1, 'b'],
      ]);
      expect(shape('PUT')).to.deep.equal([
        [0.1, 1, undefined],
        [0.5, 1, undefined],
      ]);
      expect(plain(byMethod.get('GET')!.bucket[1]!.exemplar)).to.include({ value: 0.3 });
    });

    it('native-only: the most recent exemplar on a +Inf bucket (what Prometheus 2.42 reads), all in Histogram.exemplars', async () => {
      const h = new Histogram('native', 'Native', [], { registry, native: true });
      h.observe(0.25, { trace_id: 'n1' });
      h.observe(4, { trace_id: 'n2' });
      h.observe(1);
      const [native] = await decoded(registry);
      const histogram = native!.metric[0]!.histogram!;
      expect(histogram.schema).to.equal(3);
      expect(histogram.bucket.map((b) => [b.upper_bound, b.cumulative_count])).to.deep.equal([[Infinity, 3]]);
      expect(plain(histogram.bucket[0]!.exemplar)).to.include({ value: 4 });
      expect(histogram.exemplars.map((e) => e.label[0]!.value)).to.deep.equal(['n1', 'n2']);
      const plainHistogram = new Histogram('plain_native', 'Native', [], { registry, native: true });
      plainHistogram.observe(1);
      const withoutExemplars = (await decoded(registry)).find((f) => f.name === 'plain_native')!;
      expect(withoutExemplars.metric[0]!.histogram!.bucket).to.deep.equal([]);
      expect(withoutExemplars.metric[0]!.histogram!.exemplars).to.deep.equal([]);
    });
  });
});
