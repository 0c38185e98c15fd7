/**
 * `npm run build:test && node bench/protobuf-wire.js`: the cost of the protobuf wire writer
 * (lib/exposition/protobuf-wire.ts) per operation, and of a whole MetricFamily (1,000 histogram
 * series, 3 labels, 12 buckets, created timestamp) beside protobufjs 8 writing the same bytes,
 * by its Writer (fork/ldelim) and by reflection from plain objects. Figures only, no targets.
 * `--quick` takes shorter samples.
 */
import protobuf from 'protobufjs';
import { fileURLToPath } from 'node:url';
import { ProtobufWriter } from '../build/lib/exposition/protobuf-wire.js';
import { measureOps } from './measure.js';

const quick = process.argv.includes('--quick');
const timing = quick ? { warmupMs: 50, sampleMs: 20, samples: 5 } : { warmupMs: 300, sampleMs: 100, samples: 15 };

// A writer that is reset often enough to stay in cache-sized buffers for the per-op figures.
const w = new ProtobufWriter(1 << 16);
const keep = () => {
  if (w.length > 60000) w.finish();
};

const shortAscii = Array.from({ length: 64 }, (_, i) => `GET${i % 10}`);
const nameAscii = Array.from({ length: 64 }, (_, i) => `http_request_duration_${i % 10}_seconds`);
const helpAscii = Array.from({ length: 64 }, (_, i) => `Duration of the HTTP requests served by handler number ${i}.`);
const nonAscii = Array.from({ length: 64 }, (_, i) => `/café/über/${i}`);
const doubles = Float64Array.from({ length: 64 }, (_, i) => i * 1.37e-3 + 0.5);
const labelPairBytes = (() => {
  const lw = new ProtobufWriter();
  const m = lw.beginMessage(1);
  lw.stringField(1, 'path');
  lw.stringField(2, '/api/v1/resource/');
  lw.endMessage(m);
  return Uint8Array.from(lw.finish());
})();

/** An operation run n times, with the writer kept small. */
const times = (op) => (n) => {
  for (let i = 0; i < n; i++) {
    op(i);
    keep();
  }
};

const ops = {
  'writeVarint < 128': times((i) => w.writeVarint(i & 127)),
  'writeVarint ~2^20': times((i) => w.writeVarint(1048576 + (i & 1023))),
  'writeVarint 2^40 (uint64 path)': times((i) => w.writeVarint(1099511627776 + i)),
  'writeVarint -5 (int64, 10 bytes)': times((i) => w.writeVarint(-5 - (i & 7))),
  'writeSint small ±': times((i) => w.writeSint((i & 63) - 32)),
  writeDouble: times((i) => w.writeDouble(doubles[i & 63])),
  'writeString 4 ASCII': times((i) => w.writeString(shortAscii[i & 63])),
  'writeString 32 ASCII': times((i) => w.writeString(nameAscii[i & 63])),
  'writeString 60 ASCII': times((i) => w.writeString(helpAscii[i & 63])),
  'writeString 15 non-ASCII': times((i) => w.writeString(nonAscii[i & 63])),
  'writeBytes 22 (a cached label pair)': times(() => w.writeBytes(labelPairBytes)),
  'LabelPair message (begin/end)': times((i) => {
    const m = w.beginMessage(1);
    w.stringField(1, 'method');
    w.stringField(2, shortAscii[i & 63]);
    w.endMessage(m);
  }),
};

// -------------------------------------------------------------------------------------------------
// A whole family

const SERIES = 1000;
const BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, Infinity];
const NAME = 'http_request_duration_seconds';
const HELP = 'Duration of HTTP requests in seconds.';
const series = Array.from({ length: SERIES }, (_, i) => ({
  labels: [
    ['method', ['GET', 'POST', 'PUT'][i % 3]],
    ['path', `/api/v1/resource/${i}`],
    ['status', String(200 + (i % 5))],
  ],
  cumulative: BOUNDS.map((_, b) => (b + 1) * 10 + i),
  sum: i * 1.25,
  created: 1700000000 + i,
}));

const familyWriter = new ProtobufWriter();
function ours() {
  const fw = familyWriter;
  const family = fw.beginDelimited();
  fw.stringField(1, NAME);
  fw.stringField(2, HELP);
  fw.varintField(3, 4); // HISTOGRAM
  for (const s of series) {
    const metric = fw.beginMessage(4);
    for (const [name, value] of s.labels) {
      const pair = fw.beginMessage(1);
      fw.stringField(1, name);
      fw.stringField(2, value);
      fw.endMessage(pair);
    }
    const histogram = fw.beginMessage(7);
    fw.varintField(1, s.cumulative[s.cumulative.length - 1]);
    fw.doubleField(2, s.sum);
    for (let b = 0; b < BOUNDS.length; b++) {
      const bucket = fw.beginMessage(3);
      fw.varintField(1, s.cumulative[b]);
      fw.doubleField(2, BOUNDS[b]);
      fw.endMessage(bucket);
    }
    const created = fw.beginMessage(15);
    fw.varintField(1, s.created);
    fw.endMessage(created);
    fw.endMessage(histogram);
    fw.endMessage(metric);
  }
  fw.endMessage(family);
  return fw.finish();
}

function protobufjsWriter() {
  const pw = protobuf.Writer.create();
  pw.fork();
  pw.uint32(10).string(NAME).uint32(18).string(HELP).uint32(24).int32(4);
  for (const s of series) {
    pw.uint32(34).fork();
    for (const [name, value] of s.labels) {
      pw.uint32(10).fork().uint32(10).string(name).uint32(18).string(value).ldelim();
    }
    pw.uint32(58).fork();
    pw.uint32(8)
      .uint64(s.cumulative[s.cumulative.length - 1])
      .uint32(17)
      .double(s.sum);
    for (let b = 0; b < BOUNDS.length; b++) {
      pw.uint32(26).fork().uint32(8).uint64(s.cumulative[b]).uint32(17).double(BOUNDS[b]).ldelim();
    }
    pw.uint32(122).fork().uint32(8).int64(s.created).ldelim();
    pw.ldelim().ldelim();
  }
  return pw.ldelim().finish();
}

const PROTO = fileURLToPath(new URL('../spec/support/proto/io/prometheus/client/metrics.proto', import.meta.url));
const MetricFamily = new protobuf.Root()
  .loadSync(PROTO, { keepCase: true })
  .lookupType('io.prometheus.client.MetricFamily');
const familyObject = {
  name: NAME,
  help: HELP,
  type: 4,
  metric: series.map((s) => ({
    label: s.labels.map(([name, value]) => ({ name, value })),
    histogram: {
      sample_count: s.cumulative[s.cumulative.length - 1],
      sample_sum: s.sum,
      bucket: BOUNDS.map((upper_bound, b) => ({ cumulative_count: s.cumulative[b], upper_bound })),
      created_timestamp: { seconds: s.created },
    },
  })),
};
const protobufjsReflection = () => MetricFamily.encodeDelimited(familyObject).finish();

const body = ours();
const others = [
  ['protobufjs Writer', protobufjsWriter],
  ['protobufjs reflection', protobufjsReflection],
];
for (const [name, encode] of others) {
  if (!Buffer.from(encode()).equals(body)) throw new Error(`${name} wrote other bytes than ours: an unfair comparison`);
}

const families = {
  'ours (ProtobufWriter)': ours,
  'protobufjs Writer (fork/ldelim)': protobufjsWriter,
  'protobufjs reflection (encodeDelimited)': protobufjsReflection,
};

console.log(`node ${process.version}; ns per operation (median of ${timing.samples} samples)`);
for (const [name, run] of Object.entries(ops)) {
  const r = await measureOps(run, timing);
  console.log(`  ${name.padEnd(34)} ${r.value.toFixed(1).padStart(7)} ns`);
}
console.log(`one MetricFamily: ${SERIES} histogram series x ${BOUNDS.length} buckets, ${body.length} bytes, alike`);
for (const [name, run] of Object.entries(families)) {
  const r = await measureOps((n) => {
    for (let i = 0; i < n; i++) run();
  }, timing);
  console.log(`  ${name.padEnd(40)} ${(r.value / 1000).toFixed(0).padStart(6)} us`);
}
