/**
 * The protobuf wire writer (lib/exposition/protobuf-wire.ts), checked against protobufjs, which
 * is independent of it: scalars must come out byte for byte as protobufjs' own Writer makes them
 * (so varints and lengths are minimal), and random messages of metrics.proto written field by
 * field must decode, through the vendored upstream schema, to exactly the values written.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { ProtobufWriter, WireType } from '../../lib/exposition/protobuf-wire.js';
import {
  decodeDelimited,
  decodeMessage,
  type DecodedBucket,
  type DecodedBucketSpan,
  type DecodedCounter,
  type DecodedExemplar,
  type DecodedGauge,
  type DecodedHistogram,
  type DecodedLabelPair,
  type DecodedMetric,
  type DecodedMetricFamily,
  type DecodedMetricType,
  type DecodedQuantile,
  type DecodedSummary,
  type DecodedTimestamp,
} from '../support/protobuf-decoder.js';

const TWO_53 = 2 ** 53;
const TWO_63 = 2 ** 63;
const TWO_64 = 2 ** 64;

// -----------------------------------------------------------------------------------------------
// Arbitraries

/** Doubles, with the ones a careless writer gets wrong made frequent. */
const double = fc.oneof(
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, 5e-324, -5e-324, Number.MAX_VALUE, TWO_53, 0.1, 1),
  fc.double(),
);
/** uint64 as a JS number: up to 2^53, every boundary of the varint's length included. */
const uint64 = fc.oneof(
  fc.constantFrom(0, 1, 127, 128, 16383, 16384, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 35, TWO_53 - 1, TWO_53),
  fc.maxSafeNat(),
  fc.nat(),
);
/** int64/sint64 within the safe integers, both signs. */
const int64 = fc.oneof(
  fc.constantFrom(0, -1, 1, -64, 64, -65, -(2 ** 31), 2 ** 31 - 1, -(2 ** 31) - 1, 2 ** 31, -TWO_53, TWO_53),
  fc.maxSafeInteger(),
  fc.integer(),
);
const int32 = fc.oneof(fc.constantFrom(0, -1, -(2 ** 31), 2 ** 31 - 1, 63, -64), fc.integer());
const uint32 = fc.oneof(fc.constantFrom(0, 127, 128, 2 ** 32 - 1), fc.integer({ min: 0, max: 2 ** 32 - 1 }));
/** A character of 3 UTF-8 bytes (the BMP above U+0800, surrogates excluded). */
const char3 = fc
  .integer({ min: 0x800, max: 0xffff })
  .filter((c) => c < 0xd800 || c > 0xdfff)
  .map((c) => String.fromCharCode(c));
/** One character of each UTF-8 length: 1 (ASCII), 2 (Latin-1 and up), 3 (rest of the BMP), 4 (astral). */
const char = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0x7ff }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: char3 },
  { weight: 1, arbitrary: fc.integer({ min: 0x10000, max: 0x10ffff }).map((c) => String.fromCodePoint(c)) },
);
/** Strings across the writer's paths: up to 32 units, 33 to 42, 43 and more; ASCII or not. */
const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 32 }) },
  { weight: 3, arbitrary: fc.string({ unit: char, maxLength: 45 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 33, maxLength: 200 }) },
  { weight: 1, arbitrary: fc.string({ unit: char, minLength: 40, maxLength: 400 }) },
  // 38 to 64 units of 3 bytes each: around the 127-byte limit of a one-byte length.
  { weight: 1, arbitrary: fc.string({ unit: char3, minLength: 38, maxLength: 64 }) },
);
const opt = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined, freq: 3 });

/** Drops the keys whose value is undefined: the decoder leaves absent fields out. */
function present<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

// google.protobuf.Timestamp is proto3: a zero field is not written, and reads back absent.
const nonZero = (v: number | undefined): number | undefined => (v === 0 ? undefined : v);
const timestamp: fc.Arbitrary<DecodedTimestamp> = fc
  .record({ seconds: opt(int64).map(nonZero), nanos: opt(int32).map(nonZero) })
  .map(present);
const labelPair: fc.Arbitrary<DecodedLabelPair> = fc.record({ name: opt(text), value: opt(text) }).map(present);
const exemplar: fc.Arbitrary<DecodedExemplar> = fc
  .record({ label: fc.array(labelPair, { maxLength: 3 }), value: opt(double), timestamp: opt(timestamp) })
  .map(present);
const gauge: fc.Arbitrary<DecodedGauge> = fc.record({ value: opt(double) }).map(present);
const counter: fc.Arbitrary<DecodedCounter> = fc
  .record({ value: opt(double), exemplar: opt(exemplar), created_timestamp: opt(timestamp) })
  .map(present);
const quantile: fc.Arbitrary<DecodedQuantile> = fc.record({ quantile: opt(double), value: opt(double) }).map(present);
const summary: fc.Arbitrary<DecodedSummary> = fc
  .record({
    sample_count: opt(uint64),
    sample_sum: opt(double),
    quantile: fc.array(quantile, { maxLength: 4 }),
    created_timestamp: opt(timestamp),
  })
  .map(present);
const bucket: fc.Arbitrary<DecodedBucket> = fc
  .record({
    cumulative_count: opt(uint64),
    cumulative_count_float: opt(double),
    upper_bound: opt(double),
    exemplar: opt(exemplar),
  })
  .map(present);
const span: fc.Arbitrary<DecodedBucketSpan> = fc.record({ offset: opt(int32), length: opt(uint32) }).map(present);
const histogram: fc.Arbitrary<DecodedHistogram> = fc
  .record({
    sample_count: opt(uint64),
    sample_count_float: opt(double),
    sample_sum: opt(double),
    bucket: fc.array(bucket, { maxLength: 14 }),
    created_timestamp: opt(timestamp),
    schema: opt(fc.oneof(fc.integer({ min: -4, max: 8 }), int32)),
    zero_threshold: opt(double),
    zero_count: opt(uint64),
    zero_count_float: opt(double),
    negative_span: fc.array(span, { maxLength: 3 }),
    negative_delta: fc.array(int64, { maxLength: 20 }),
    negative_count: fc.array(double, { maxLength: 5 }),
    positive_span: fc.array(span, { maxLength: 3 }),
    positive_delta: fc.array(int64, { maxLength: 20 }),
    positive_count: fc.array(double, { maxLength: 5 }),
    exemplars: fc.array(exemplar, { maxLength: 2 }),
  })
  .map(present);

/** MetricType in the order of its numbers. */
const METRIC_TYPES: readonly DecodedMetricType[] = [
  'COUNTER',
  'GAUGE',
  'SUMMARY',
  'UNTYPED',
  'HISTOGRAM',
  'GAUGE_HISTOGRAM',
];
const metric: fc.Arbitrary<DecodedMetric> = fc
  .record({
    label: fc.array(labelPair, { maxLength: 4 }),
    value: fc.oneof(
      counter.map((counter) => ({ counter })),
      gauge.map((gauge) => ({ gauge })),
      summary.map((summary) => ({ summary })),
      gauge.map((untyped) => ({ untyped })),
      histogram.map((histogram) => ({ histogram })),
    ),
    timestamp_ms: opt(int64),
  })
  .map(({ label, value, timestamp_ms }) => present({ label, ...value, timestamp_ms }));
const family: fc.Arbitrary<DecodedMetricFamily> = fc
  .record({
    name: opt(text),
    help: opt(text),
    type: opt(fc.constantFrom(...METRIC_TYPES)),
    metric: fc.array(metric, { maxLength: 4 }),
    unit: opt(text),
  })
  .map(present);

// -----------------------------------------------------------------------------------------------
// The test's encoder: metrics.proto, field by field, on ProtobufWriter

/** How repeated scalars go on the wire: proto2's default is one tag per value; packed must decode the same. */
interface Style {
  readonly packed: boolean;
}

type Writer = ProtobufWriter;

function repeatedSint(w: Writer, field: number, values: readonly number[], style: Style): void {
  if (style.packed) w.packedSintField(field, values);
  else for (const v of values) w.sintField(field, v);
}

function repeatedDouble(w: Writer, field: number, values: readonly number[], style: Style): void {
  if (style.packed) w.packedDoubleField(field, values);
  else for (const v of values) w.doubleField(field, v);
}

function nested(w: Writer, field: number, body: () => void): void {
  const mark = w.beginMessage(field);
  body();
  w.endMessage(mark);
}

function writeTimestamp(w: Writer, t: DecodedTimestamp): void {
  if (t.seconds !== undefined) w.varintField(1, t.seconds);
  if (t.nanos !== undefined) w.varintField(2, t.nanos);
}

function writeLabelPair(w: Writer, p: DecodedLabelPair): void {
  if (p.name !== undefined) w.stringField(1, p.name);
  if (p.value !== undefined) w.stringField(2, p.value);
}

function writeExemplar(w: Writer, e: DecodedExemplar): void {
  for (const p of e.label) nested(w, 1, () => writeLabelPair(w, p));
  if (e.value !== undefined) w.doubleField(2, e.value);
  if (e.timestamp !== undefined) nested(w, 3, () => writeTimestamp(w, e.timestamp!));
}

function writeGauge(w: Writer, g: DecodedGauge): void {
  if (g.value !== undefined) w.doubleField(1, g.value);
}

function writeCounter(w: Writer, c: DecodedCounter): void {
  if (c.value !== undefined) w.doubleField(1, c.value);
  if (c.exemplar !== undefined) nested(w, 2, () => writeExemplar(w, c.exemplar!));
  if (c.created_timestamp !== undefined) nested(w, 3, () => writeTimestamp(w, c.created_timestamp!));
}

function writeSummary(w: Writer, s: DecodedSummary): void {
  if (s.sample_count !== undefined) w.varintField(1, s.sample_count);
  if (s.sample_sum !== undefined) w.doubleField(2, s.sample_sum);
  for (const q of s.quantile) {
    nested(w, 3, () => {
      if (q.quantile !== undefined) w.doubleField(1, q.quantile);
      if (q.value !== undefined) w.doubleField(2, q.value);
    });
  }
  if (s.created_timestamp !== undefined) nested(w, 4, () => writeTimestamp(w, s.created_timestamp!));
}

function writeBucket(w: Writer, b: DecodedBucket): void {
  if (b.cumulative_count !== undefined) w.varintField(1, b.cumulative_count);
  if (b.upper_bound !== undefined) w.doubleField(2, b.upper_bound);
  if (b.exemplar !== undefined) nested(w, 3, () => writeExemplar(w, b.exemplar!));
  if (b.cumulative_count_float !== undefined) w.doubleField(4, b.cumulative_count_float);
}

function writeSpan(w: Writer, s: DecodedBucketSpan): void {
  if (s.offset !== undefined) w.sintField(1, s.offset);
  if (s.length !== undefined) w.varintField(2, s.length);
}

function writeHistogram(w: Writer, h: DecodedHistogram, style: Style): void {
  if (h.sample_count !== undefined) w.varintField(1, h.sample_count);
  if (h.sample_sum !== undefined) w.doubleField(2, h.sample_sum);
  for (const b of h.bucket) nested(w, 3, () => writeBucket(w, b));
  if (h.sample_count_float !== undefined) w.doubleField(4, h.sample_count_float);
  if (h.schema !== undefined) w.sintField(5, h.schema);
  if (h.zero_threshold !== undefined) w.doubleField(6, h.zero_threshold);
  if (h.zero_count !== undefined) w.varintField(7, h.zero_count);
  if (h.zero_count_float !== undefined) w.doubleField(8, h.zero_count_float);
  for (const s of h.negative_span) nested(w, 9, () => writeSpan(w, s));
  repeatedSint(w, 10, h.negative_delta, style);
  repeatedDouble(w, 11, h.negative_count, style);
  for (const s of h.positive_span) nested(w, 12, () => writeSpan(w, s));
  repeatedSint(w, 13, h.positive_delta, style);
  repeatedDouble(w, 14, h.positive_count, style);
  if (h.created_timestamp !== undefined) nested(w, 15, () => writeTimestamp(w, h.created_timestamp!));
  for (const e of h.exemplars) nested(w, 16, () => writeExemplar(w, e));
}

function writeMetric(w: Writer, m: DecodedMetric, style: Style): void {
  for (const p of m.label) nested(w, 1, () => writeLabelPair(w, p));
  if (m.gauge !== undefined) nested(w, 2, () => writeGauge(w, m.gauge!));
  if (m.counter !== undefined) nested(w, 3, () => writeCounter(w, m.counter!));
  if (m.summary !== undefined) nested(w, 4, () => writeSummary(w, m.summary!));
  if (m.untyped !== undefined) nested(w, 5, () => writeGauge(w, m.untyped!));
  if (m.timestamp_ms !== undefined) w.varintField(6, m.timestamp_ms);
  if (m.histogram !== undefined) nested(w, 7, () => writeHistogram(w, m.histogram!, style));
}

function writeFamily(w: Writer, f: DecodedMetricFamily, style: Style): void {
  if (f.name !== undefined) w.stringField(1, f.name);
  if (f.help !== undefined) w.stringField(2, f.help);
  if (f.type !== undefined) w.varintField(3, METRIC_TYPES.indexOf(f.type));
  for (const m of f.metric) nested(w, 4, () => writeMetric(w, m, style));
  if (f.unit !== undefined) w.stringField(5, f.unit);
}

/** Writes with a writer that starts tiny, so that growing is exercised too. */
function written(write: (w: Writer) => void): Buffer {
  const w = new ProtobufWriter(16);
  write(w);
  return w.finish();
}

const UNPACKED: Style = { packed: false };
const PACKED: Style = { packed: true };

// protobufjs' reflection encoder, for byte-for-byte comparisons of whole messages.
const PROTO = new URL('../../../spec/support/proto/io/prometheus/client/metrics.proto', import.meta.url);
let schemaRoot: protobuf.Root | undefined;
function protobufjsType(name: string): protobuf.Type {
  schemaRoot ??= new protobuf.Root().loadSync(PROTO.pathname, { keepCase: true });
  return schemaRoot.lookupType(`io.prometheus.client.${name}`);
}

// -----------------------------------------------------------------------------------------------

describe('ProtobufWriter (protobuf wire format)', () => {
  describe('scalars, byte for byte as protobufjs writes them', () => {
    const ours = (write: (w: Writer) => void): string => written(write).toString('hex');
    const theirs = (write: (w: protobuf.Writer) => void): string => {
      const pw = protobuf.Writer.create();
      write(pw);
      return Buffer.from(pw.finish()).toString('hex');
    };

    it('uint64 varints up to 2^53, and integer doubles up to 2^64 exactly', () => {
      const beyond = fc.constantFrom(TWO_53 + 2, 2 ** 60, TWO_63, TWO_64 - 2048);
      fc.assert(
        fc.property(fc.oneof(uint64, beyond), (v) => {
          expect(ours((w) => w.writeVarint(v))).to.equal(theirs((pw) => pw.uint64(v)));
        }),
        { numRuns: 500 },
      );
    });

    it("negative int64 and int32 varints as 10-byte two's complement", () => {
      const negative = fc.oneof(int64, int32, fc.constantFrom(-TWO_63, -(2 ** 60))).filter((v) => v < 0);
      fc.assert(
        fc.property(negative, (v) => {
          const hex = ours((w) => w.writeVarint(v));
          expect(hex).to.equal(theirs((pw) => pw.int64(v)));
          expect(hex.length / 2).to.equal(10);
        }),
        { numRuns: 500 },
      );
    });

    it('zigzag sint32/sint64, including beyond int32 and down to -2^63', () => {
      const beyond = fc.constantFrom(-TWO_63, TWO_63 - 1024, -(2 ** 60), 2 ** 60, -TWO_53 - 2);
      fc.assert(
        fc.property(fc.oneof(int64, int32, beyond), (v) => {
          expect(ours((w) => w.writeSint(v))).to.equal(theirs((pw) => pw.sint64(v)));
        }),
        { numRuns: 500 },
      );
    });

    it('doubles, little-endian, keeping NaN, ±Infinity, -0 and subnormals', () => {
      fc.assert(
        fc.property(double, (v) => {
          expect(ours((w) => w.writeDouble(v))).to.equal(theirs((pw) => pw.double(v)));
        }),
        { numRuns: 500 },
      );
    });

    it('strings as UTF-8 with a minimal length prefix, short or long, ASCII or not', () => {
      const long = fc.oneof(
        fc.string({ unit: 'grapheme-ascii', minLength: 120, maxLength: 140 }),
        fc.string({ unit: char, minLength: 5000, maxLength: 6000 }),
      );
      fc.assert(
        fc.property(fc.oneof(text, long), (s) => {
          expect(ours((w) => w.writeString(s))).to.equal(theirs((pw) => pw.string(s)));
        }),
        { numRuns: 300 },
      );
    });

    it('tags and fields', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 536870911 }), uint64, double, text, (field, n, d, s) => {
          const hex = ours((w) => {
            w.varintField(field, n);
            w.sintField(field, -n);
            w.doubleField(field, d);
            w.stringField(field, s);
          });
          const expected = theirs((pw) => {
            pw.uint32((field << 3) >>> 0).uint64(n);
            pw.uint32(((field << 3) | 0) >>> 0).sint64(-n);
            pw.uint32(((field << 3) | 1) >>> 0).double(d);
            pw.uint32(((field << 3) | 2) >>> 0).string(s);
          });
          expect(hex).to.equal(expected);
        }),
        { numRuns: 300 },
      );
    });

    it('matches the encodings the protobuf documentation gives', () => {
      expect(ours((w) => w.varintField(1, 150))).to.equal('089601');
      expect(ours((w) => w.stringField(2, 'testing'))).to.equal('120774657374696e67');
      expect(ours((w) => w.writeVarint(-2))).to.equal('feffffffffffffffff01');
      expect(ours((w) => [0, -1, 1, -2, 0x7fffffff, -0x80000000].forEach((v) => w.writeSint(v)))).to.equal(
        '00' + '01' + '02' + '03' + 'feffffff0f' + 'ffffffff0f',
      );
      expect(ours((w) => w.writeTag(3, WireType.LEN))).to.equal('1a');
      expect(ours((w) => w.writeDouble(1))).to.equal('000000000000f03f');
    });

    it('a lone surrogate is written as U+FFFD (what Buffer does), not as invalid UTF-8', () => {
      const cases: Array<[string, string]> = [
        ['\ud800', '\ufffd'],
        ['a\udc00b', 'a\ufffdb'],
        [`${'x'.repeat(50)}\ud83d`, `${'x'.repeat(50)}\ufffd`],
        ['\ud83d\ude00', '\ud83d\ude00'],
      ];
      for (const [s, expected] of cases) {
        const decoded = decodeMessage(
          'LabelPair',
          written((w) => w.stringField(1, s)),
        );
        expect(decoded.name).to.equal(expected);
      }
    });
  });

  describe('messages of metrics.proto decode, through the upstream schema, to what was written', () => {
    const cases: Array<[string, fc.Arbitrary<unknown>, (w: Writer, v: never) => void]> = [
      ['LabelPair', labelPair, writeLabelPair],
      ['Gauge', gauge, writeGauge],
      ['Counter', counter, writeCounter],
      ['Summary', summary, writeSummary],
      ['Bucket', bucket, writeBucket],
      ['BucketSpan', span, writeSpan],
      ['Exemplar', exemplar, writeExemplar],
    ];
    for (const [name, arbitrary, write] of cases) {
      it(name, () => {
        fc.assert(
          fc.property(arbitrary, (value) => {
            const bytes = written((w) => write(w, value as never));
            expect(decodeMessage(name as 'Gauge', bytes)).to.deep.equal(value);
          }),
          { numRuns: 200 },
        );
      });
    }

    it('Histogram: spans, sint64 deltas (packed and not), float counts, buckets, negative schema', () => {
      fc.assert(
        fc.property(histogram, fc.boolean(), (h, packed) => {
          const bytes = written((w) => writeHistogram(w, h, packed ? PACKED : UNPACKED));
          expect(decodeMessage('Histogram', bytes)).to.deep.equal(h);
        }),
        { numRuns: 300 },
      );
    });

    it('Histogram: uint64 counts beyond 2^53 that are integer doubles stay exact', () => {
      for (const count of [TWO_53, TWO_53 + 2, 2 ** 60, TWO_64 - 2048]) {
        const deltas = [-TWO_63, TWO_63 - 1024];
        const h = { ...emptyHistogram(), sample_count: count, zero_count: count, positive_delta: deltas };
        expect(
          decodeMessage(
            'Histogram',
            written((w) => writeHistogram(w, h, UNPACKED)),
          ),
        ).to.deep.equal(h);
      }
    });

    it('Metric with a timestamp, any of the value types', () => {
      fc.assert(
        fc.property(metric, (m) => {
          expect(
            decodeMessage(
              'Metric',
              written((w) => writeMetric(w, m, UNPACKED)),
            ),
          ).to.deep.equal(m);
        }),
        { numRuns: 200 },
      );
    });

    it('Metric whose label pairs were encoded once and are copied in with writeBytes', () => {
      fc.assert(
        fc.property(fc.array(labelPair, { maxLength: 6 }), double, (label, value) => {
          const labelBytes = written((w) => label.forEach((p) => nested(w, 1, () => writeLabelPair(w, p))));
          const bytes = written((w) => {
            w.writeBytes(labelBytes);
            nested(w, 2, () => w.doubleField(1, value));
          });
          expect(decodeMessage('Metric', bytes)).to.deep.equal({ label, gauge: { value } });
        }),
        { numRuns: 300 },
      );
    });

    it('MetricFamily, byte for byte as protobufjs encodes it (so every nested length is minimal)', () => {
      const type = protobufjsType('MetricFamily');
      fc.assert(
        fc.property(family, (f) => {
          const ours = written((w) => writeFamily(w, f, UNPACKED));
          const theirs = Buffer.from(type.encode(type.fromObject(f)).finish());
          expect(ours.toString('hex')).to.equal(theirs.toString('hex'));
          expect(decodeMessage('MetricFamily', ours)).to.deep.equal(f);
        }),
        { numRuns: 200 },
      );
    });
  });

  describe('delimited MetricFamily bodies', () => {
    it('several families, each prefixed by its length, decode in order', () => {
      fc.assert(
        fc.property(fc.array(family, { maxLength: 5 }), fc.boolean(), (families, packed) => {
          const body = written((w) => {
            for (const f of families) w.delimited(() => writeFamily(w, f, packed ? PACKED : UNPACKED));
          });
          expect(decodeDelimited(body)).to.deep.equal(families);
        }),
        { numRuns: 200 },
      );
    });

    it('length prefixes of 1, 2 and 3 bytes, nested three deep, are minimal', () => {
      // A family holding one metric holding one label whose value sets the sizes around the
      // boundaries of a varint's length (127/128, 16383/16384 bytes).
      for (const valueBytes of [0, 100, 121, 122, 123, 124, 125, 126, 127, 128, 16370, 16375, 16380, 16384, 20000]) {
        const f: DecodedMetricFamily = {
          name: 'x',
          metric: [{ label: [{ name: 'l', value: 'v'.repeat(valueBytes) }], gauge: { value: 1 } }],
        };
        const ours = written((w) => w.delimited(() => writeFamily(w, f, UNPACKED)));
        const type = protobufjsType('MetricFamily');
        const theirs = Buffer.from(type.encodeDelimited(type.fromObject(f)).finish());
        expect(ours.toString('hex'), `value of ${valueBytes} bytes`).to.equal(theirs.toString('hex'));
        expect(decodeDelimited(ours)).to.deep.equal([f]);
      }
    });

    it('beginDelimited/endMessage frame a message as delimited() does', () => {
      const f: DecodedMetricFamily = { name: 'up', type: 'GAUGE', metric: [{ label: [], gauge: { value: 1 } }] };
      const a = written((w) => w.delimited(() => writeFamily(w, f, UNPACKED)));
      const b = written((w) => {
        const mark = w.beginDelimited();
        writeFamily(w, f, UNPACKED);
        w.endMessage(mark);
      });
      expect(a.toString('hex')).to.equal(b.toString('hex'));
      expect(decodeDelimited(a)).to.deep.equal([f]);
    });

    it('an empty body is no families', () => {
      expect(decodeDelimited(written(() => {}))).to.deep.equal([]);
    });
  });

  describe('the writer itself', () => {
    it('rejects a varint that is not an integer in [-2^63, 2^64), writing nothing', () => {
      const w = new ProtobufWriter();
      w.writeVarint(1);
      for (const bad of [0.5, -1.5, NaN, Infinity, -Infinity, TWO_64, -TWO_63 * 2, 1e300]) {
        expect(() => w.writeVarint(bad), String(bad)).to.throw(RangeError, /varint must be an integer .* got /);
        expect(() => w.varintField(1, bad), String(bad)).to.throw(RangeError);
        expect(w.length).to.equal(1);
      }
    });

    it('rejects a sint that is not an integer in [-2^63, 2^63), writing nothing', () => {
      const w = new ProtobufWriter();
      for (const bad of [0.5, NaN, Infinity, TWO_63, -TWO_63 * 2]) {
        expect(() => w.writeSint(bad), String(bad)).to.throw(RangeError, /sint64 must be an integer .* got /);
        expect(() => w.sintField(1, bad), String(bad)).to.throw(RangeError);
        expect(() => w.packedSintField(1, [1, 2, bad]), String(bad)).to.throw(RangeError);
        expect(w.length).to.equal(0);
      }
    });

    it('rejects a count beyond the values given, writing nothing', () => {
      const w = new ProtobufWriter();
      for (const bad of [3, -1, 1.5, NaN]) {
        const message = /count must be an integer in \[0, 2\], got/;
        expect(() => w.packedDoubleField(1, [1, 2], bad), String(bad)).to.throw(RangeError, message);
        expect(() => w.packedSintField(1, [1, 2], bad), String(bad)).to.throw(RangeError, /count must be/);
      }
      expect(w.length).to.equal(0);
      w.packedDoubleField(1, [1, 2, 3], 2);
      w.packedSintField(2, [-1, 1, 7], 2);
      w.packedDoubleField(3, []);
      expect(w.finish().toString('hex')).to.equal('0a10' + '000000000000f03f' + '0000000000000040' + '12020102');
    });

    it('rejects a bad initial capacity', () => {
      for (const bad of [0, 15, 1.5, NaN, -1]) {
        const message = /initialCapacity must be an integer >= 16, got/;
        expect(() => new ProtobufWriter(bad), String(bad)).to.throw(RangeError, message);
      }
    });

    it('finish() hands over the bytes; later writes never touch them', () => {
      const w = new ProtobufWriter(16);
      w.stringField(1, 'first');
      const first = w.finish();
      const copy = Buffer.from(first);
      expect(w.length).to.equal(0);
      for (let i = 0; i < 100; i++) w.stringField(1, `second ${i}`);
      const second = w.finish();
      expect(first.equals(copy)).to.equal(true);
      expect(decodeMessage('LabelPair', first)).to.deep.equal({ name: 'first' });
      expect(decodeMessage('LabelPair', second)).to.deep.equal({ name: 'second 99' });
      expect(w.finish().length).to.equal(0);
    });

    it('grows from the smallest buffer to a large message', () => {
      const values = Array.from({ length: 5000 }, (_, i) => i * 1.5);
      const h = { ...emptyHistogram(), positive_count: values, positive_delta: [] as number[] };
      const w = new ProtobufWriter(16);
      w.delimited(() => {
        w.stringField(1, 'big');
        nested(w, 4, () => nested(w, 7, () => writeHistogram(w, h, PACKED)));
      });
      const [decoded] = decodeDelimited(w.finish());
      expect(decoded!.metric[0]!.histogram!.positive_count).to.deep.equal(values);
    });
  });
});

function emptyHistogram(): DecodedHistogram {
  return {
    bucket: [],
    negative_span: [],
    negative_delta: [],
    negative_count: [],
    positive_span: [],
    positive_delta: [],
    positive_count: [],
    exemplars: [],
  };
}
