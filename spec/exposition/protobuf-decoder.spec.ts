/**
 * The specs' protobuf reference (spec/support/protobuf-decoder.ts) checked on its own, with
 * bodies made by protobufjs' encoder from plain objects (not by our writer): strict decoding,
 * the flattening into text-parser samples by Prometheus' rules, and the canonical `le`/`quantile`
 * numbers.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import {
  canonicalFloat,
  decodeDelimited,
  decodeMessage,
  flattenFamilies,
  nativeBuckets,
  type DecodedHistogram,
} from '../support/protobuf-decoder.js';

const PROTO = new URL('../../../spec/support/proto/io/prometheus/client/metrics.proto', import.meta.url);
const root = new protobuf.Root().loadSync(PROTO.pathname, { keepCase: true });
const MetricFamily = root.lookupType('io.prometheus.client.MetricFamily');

/** A delimited body as protobufjs encodes it (fromObject takes enum names and 64-bit numbers). */
function body(...families: object[]): Buffer {
  const w = protobuf.Writer.create();
  for (const f of families) MetricFamily.encodeDelimited(MetricFamily.fromObject(f), w);
  return Buffer.from(w.finish());
}

describe('protobuf decoder for specs (spec/support/protobuf-decoder.ts)', () => {
  describe('decoding', () => {
    it('reads families in order, with snake_case fields, arrays present and absent fields absent', () => {
      const metric = [{ label: [{ name: 'x' }], counter: { value: 2 } }];
      const a = { name: 'a_total', help: 'h', type: 'COUNTER', metric };
      const b = { name: 'b', type: 'GAUGE', metric: [{ gauge: { value: -0 }, timestamp_ms: -1500 }], unit: 's' };
      expect(decodeDelimited(body(a, b))).to.deep.equal([
        a,
        { name: 'b', type: 'GAUGE', metric: [{ label: [], gauge: { value: -0 }, timestamp_ms: -1500 }], unit: 's' },
      ]);
    });

    it('loads google/protobuf/timestamp.proto (bundled with protobufjs) for created timestamps', () => {
      const created = { seconds: 1700000000, nanos: 250000000 };
      const [f] = decodeDelimited(body({ name: 'c', metric: [{ counter: { value: 1, created_timestamp: created } }] }));
      expect(f!.metric[0]!.counter!.created_timestamp).to.deep.equal(created);
    });

    it('keeps 64-bit integers exact as numbers, up to 2^53 and for integer doubles beyond', () => {
      for (const n of [2 ** 53, 2 ** 53 + 2, 2 ** 64 - 2048]) {
        const [f] = decodeDelimited(body({ name: 'h', metric: [{ histogram: { sample_count: n } }] }));
        expect(f!.metric[0]!.histogram!.sample_count).to.equal(n);
      }
    });

    it('rejects a field number the schema does not have', () => {
      // Gauge { value = 1 (double) } plus field 9 as a varint.
      const bytes = Buffer.from('09000000000000f03f4801', 'hex');
      expect(() => decodeMessage('Gauge', bytes)).to.throw(/schema does not know/);
    });

    it('rejects a known field sent with the wrong wire type', () => {
      // Gauge.value as a varint instead of a double.
      expect(() => decodeMessage('Gauge', Buffer.from('0801', 'hex'))).to.throw(/wrong wire type/);
      // ...also deep inside a family: Metric.label[0] (LabelPair) with name as a varint.
      const bad = Buffer.from('0a0178' + '2204' + '0a02' + '0801', 'hex');
      const delimited = Buffer.concat([Buffer.from([bad.length]), bad]);
      expect(() => decodeDelimited(delimited)).to.throw(/metric\[0\]\.label\[0\]/);
    });

    it('rejects a MetricType outside the enum', () => {
      expect(() => decodeMessage('MetricFamily', Buffer.from('1809', 'hex'))).to.throw(/schema does not know/);
    });

    it('rejects a length running past the end, and a partial family after the last', () => {
      const good = body({ name: 'x' });
      expect(() => decodeDelimited(good.subarray(0, good.length - 1))).to.throw(/MetricFamily #0 at byte 0/);
      const partial = Buffer.concat([good, Buffer.from([0x05, 0x0a])]);
      expect(() => decodeDelimited(partial)).to.throw(/MetricFamily #1 at byte/);
    });

    it('accepts non-minimal varints, as protobuf decoders must', () => {
      // A family whose length prefix and name length are both written in 5 bytes.
      const b = Buffer.from('8780808000' + '0a8180808000' + '78', 'hex');
      expect(decodeDelimited(b)).to.deep.equal([{ name: 'x', metric: [] }]);
    });
  });

  describe('canonicalFloat: Go %g plus .0, as Prometheus renders le and quantile', () => {
    const table: Array<[number, string]> = [
      [1e-5, '1e-05'],
      [1.5e-5, '1.5e-05'],
      [1e-4, '0.0001'],
      [0.00012345, '0.00012345'],
      [0.005, '0.005'],
      [0.1, '0.1'],
      [0.25, '0.25'],
      [1, '1.0'],
      [-1, '-1.0'],
      [2.5, '2.5'],
      [10, '10.0'],
      [100000, '100000.0'],
      [123456, '123456.0'],
      [999999.5, '999999.5'],
      [1e6, '1e+06'],
      [1234567, '1.234567e+06'],
      [1.5e6, '1.5e+06'],
      [-2e6, '-2e+06'],
      [1e21, '1e+21'],
      [1e100, '1e+100'],
      [5e-324, '5e-324'],
      [Number.MAX_VALUE, '1.7976931348623157e+308'],
      [0.1 + 0.2, '0.30000000000000004'],
      [0, '0.0'],
      [-0, '0.0'],
      [Infinity, '+Inf'],
      [-Infinity, '-Inf'],
      [NaN, 'NaN'],
    ];
    for (const [value, text] of table) {
      it(`${String(value)} -> ${text}`, () => expect(canonicalFloat(value)).to.equal(text));
    }

    it('reads back as the same number, in the shape Go gives', () => {
      const exponential = /^-?[1-9](\.\d*[1-9])?e([+-])(\d{2,3})$/;
      const plain = /^-?\d+\.\d+$/;
      fc.assert(
        fc.property(
          fc.double({ noNaN: true, noDefaultInfinity: true }).filter((v) => v !== 0),
          (v) => {
            const text = canonicalFloat(v);
            expect(Number(text)).to.equal(v);
            // Exponent form exactly when the decimal exponent is below -4 or at least 6.
            const magnitude = Math.abs(v);
            if (magnitude >= 1e-4 && magnitude < 1e6) {
              expect(text).to.match(plain);
            } else {
              const match = exponential.exec(text);
              expect(match, text).to.not.equal(null);
              const exponent = Number(match![2]! + match![3]!);
              expect(exponent < -4 || exponent >= 6, text).to.equal(true);
            }
          },
        ),
        { numRuns: 2000 },
      );
    });
  });

  describe('flattenFamilies', () => {
    const flat = (...families: object[]) => flattenFamilies(decodeDelimited(body(...families)));

    it('counter: name_total (once) and name_created in seconds', () => {
      const created = { seconds: 1700000000, nanos: 500000000 };
      expect(
        flat(
          {
            name: 'jobs',
            type: 'COUNTER',
            metric: [{ label: [{ name: 'q', value: 'a' }], counter: { value: 3, created_timestamp: created } }],
          },
          { name: 'runs_total', type: 'COUNTER', metric: [{ counter: { value: 1 } }] },
        ),
      ).to.deep.equal([
        { name: 'jobs_total', labels: { q: 'a' }, value: 3 },
        { name: 'jobs_created', labels: { q: 'a' }, value: 1700000000.5 },
        { name: 'runs_total', labels: {}, value: 1 },
      ]);
    });

    it('gauge and untyped: the name; an absent value is 0; timestamps carried', () => {
      expect(
        flat(
          { name: 'g', type: 'GAUGE', metric: [{ gauge: { value: NaN }, timestamp_ms: 42 }, { gauge: {} }] },
          { name: 'u', type: 'UNTYPED', metric: [{ untyped: { value: -Infinity } }] },
        ),
      ).to.deep.equal([
        { name: 'g', labels: {}, value: NaN, timestampMs: 42 },
        { name: 'g', labels: {}, value: 0 },
        { name: 'u', labels: {}, value: -Infinity },
      ]);
    });

    it('summary: quantiles, _count, _sum, _created', () => {
      const summary = {
        sample_count: 4,
        sample_sum: 10,
        quantile: [
          { quantile: 0.5, value: 2 },
          { quantile: 1, value: 4 },
        ],
        created_timestamp: { seconds: 5 },
      };
      expect(flat({ name: 's', type: 'SUMMARY', metric: [{ summary }] })).to.deep.equal([
        { name: 's', labels: { quantile: '0.5' }, value: 2 },
        { name: 's', labels: { quantile: '1.0' }, value: 4 },
        { name: 's_count', labels: {}, value: 4 },
        { name: 's_sum', labels: {}, value: 10 },
        { name: 's_created', labels: {}, value: 5 },
      ]);
    });

    it('histogram: cumulative buckets, +Inf added from the count when absent, _count, _sum', () => {
      const bucket = [
        { upper_bound: 1e-5, cumulative_count: 1 },
        { upper_bound: 1, cumulative_count: 2 },
        { upper_bound: 1e6, cumulative_count: 3 },
      ];
      const histogram = { sample_count: 5, sample_sum: 1.5, bucket };
      expect(flat({ name: 'h', type: 'HISTOGRAM', metric: [{ histogram }] })).to.deep.equal([
        { name: 'h_bucket', labels: { le: '1e-05' }, value: 1 },
        { name: 'h_bucket', labels: { le: '1.0' }, value: 2 },
        { name: 'h_bucket', labels: { le: '1e+06' }, value: 3 },
        { name: 'h_bucket', labels: { le: '+Inf' }, value: 5 },
        { name: 'h_count', labels: {}, value: 5 },
        { name: 'h_sum', labels: {}, value: 1.5 },
      ]);
    });

    it('histogram: an explicit +Inf bucket is not doubled, later buckets are ignored, *_float overrides', () => {
      const histogram = {
        sample_count: 9,
        sample_count_float: 2.5,
        bucket: [
          { upper_bound: 0.5, cumulative_count: 7, cumulative_count_float: 1.5 },
          { upper_bound: Infinity, cumulative_count: 9, cumulative_count_float: 2.5 },
          { upper_bound: 10, cumulative_count: 9 },
        ],
      };
      expect(flat({ name: 'h', type: 'GAUGE_HISTOGRAM', metric: [{ histogram }] })).to.deep.equal([
        { name: 'h_bucket', labels: { le: '0.5' }, value: 1.5 },
        { name: 'h_bucket', labels: { le: '+Inf' }, value: 2.5 },
        { name: 'h_count', labels: {}, value: 2.5 },
        { name: 'h_sum', labels: {}, value: 0 },
      ]);
    });

    it('a family without a type is a counter, as proto2 reads an absent enum', () => {
      expect(flat({ name: 'c', metric: [{ counter: { value: 1 } }] })).to.deep.equal([
        { name: 'c_total', labels: {}, value: 1 },
      ]);
    });

    it('is strict about what would be an encoder bug', () => {
      const gauge = (metric: object) => ({ name: 'g', type: 'GAUGE', metric: [metric] });
      const cases: Array<[object, RegExp]> = [
        [{ metric: [] }, /without a name/],
        [gauge({ counter: { value: 1 } }), /type GAUGE but no gauge field/],
        [gauge({ gauge: {}, untyped: {} }), /type GAUGE but a untyped field/],
        [gauge({ label: [{ value: 'v' }], gauge: {} }), /g metric #0: a label without a name/],
        [gauge({ label: [{ name: 'a' }, { name: 'a' }], gauge: {} }), /label "a" twice/],
        [{ name: 'h', type: 'HISTOGRAM', metric: [{ label: [{ name: 'le' }], histogram: {} }] }, /"le" label/],
        [{ name: 's', type: 'SUMMARY', metric: [{ label: [{ name: 'quantile' }], summary: {} }] }, /"quantile" label/],
      ];
      for (const [family, error] of cases) expect(() => flat(family), String(error)).to.throw(error);
    });
  });

  describe('nativeBuckets', () => {
    const histogram = (h: Partial<DecodedHistogram>): DecodedHistogram => ({
      bucket: [],
      negative_span: [],
      negative_delta: [],
      negative_count: [],
      positive_span: [],
      positive_delta: [],
      positive_count: [],
      exemplars: [],
      ...h,
    });

    it('spans and deltas give absolute counts by index (a gap between spans, a negative start)', () => {
      const h = histogram({
        positive_span: [
          { offset: -2, length: 2 },
          { offset: 3, length: 1 },
        ],
        positive_delta: [4, -1, 2],
      });
      expect(nativeBuckets(h, 'positive')).to.deep.equal([
        { index: -2, count: 4 },
        { index: -1, count: 3 },
        { index: 3, count: 5 },
      ]);
      expect(nativeBuckets(h, 'negative')).to.deep.equal([]);
    });

    it('float histograms: counts as given', () => {
      const h = histogram({ negative_span: [{ offset: 1, length: 2 }], negative_count: [0.5, 2] });
      expect(nativeBuckets(h, 'negative')).to.deep.equal([
        { index: 1, count: 0.5 },
        { index: 2, count: 2 },
      ]);
    });

    it('a no-op span (offset 0, length 0) is no bucket', () => {
      expect(nativeBuckets(histogram({ positive_span: [{}] }), 'positive')).to.deep.equal([]);
    });

    it('spans and values must agree', () => {
      const positive = (h: Partial<DecodedHistogram>) => () => nativeBuckets(histogram(h), 'positive');
      expect(positive({ positive_span: [{ length: 2 }], positive_delta: [1] })).to.throw(/cover more/);
      const tooMany = positive({ positive_span: [{ length: 1 }], positive_delta: [1, 1] });
      expect(tooMany).to.throw(/2 given, the spans cover 1/);
      expect(positive({ positive_delta: [1], positive_count: [1] })).to.throw(/both/);
    });
  });
});
