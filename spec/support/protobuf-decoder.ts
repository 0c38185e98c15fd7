/**
 * The specs' independent reader of the protobuf exposition: protobufjs, driven by the upstream
 * metrics.proto vendored in spec/support/proto (nothing from lib/), so our hand-written encoder is
 * checked against the schema Prometheus itself compiles.
 *
 * Decoding is strict where a lenient decoder would hide an encoder bug: a field number the schema
 * does not have, a field sent with the wrong wire type, an enum value outside MetricType, and a
 * length running past the end (a truncated body) are errors. Fields keep the .proto's snake_case names;
 * an absent optional field is absent from the object (defaults are not filled in); repeated fields
 * are always arrays; 64-bit integers are JS numbers (exact for every integer a JS number holds,
 * which is all our encoder can write); enums are their names.
 *
 * {@link flattenFamilies} turns decoded families into the samples a text parser would report, by
 * Prometheus' rules, so that specs can compare the protobuf body with the text bodies.
 */
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/** build/spec/support/*.js -> spec/support/proto in the source tree. */
const PROTO_FILE = fileURLToPath(
  new URL('../../../spec/support/proto/io/prometheus/client/metrics.proto', import.meta.url),
);
const PACKAGE = 'io.prometheus.client';

/** The messages of metrics.proto, by their unqualified names. */
export type MetricsMessageName =
  | 'MetricFamily'
  | 'Metric'
  | 'LabelPair'
  | 'Gauge'
  | 'Counter'
  | 'Quantile'
  | 'Summary'
  | 'Untyped'
  | 'Histogram'
  | 'Bucket'
  | 'BucketSpan'
  | 'Exemplar';

/**
 * google.protobuf.Timestamp as decoded. It is a proto3 message (unlike metrics.proto): a zero
 * `seconds` or `nanos` is absent, whether or not it was on the wire.
 */
export interface DecodedTimestamp {
  seconds?: number;
  nanos?: number;
}

export interface DecodedLabelPair {
  name?: string;
  value?: string;
}

export interface DecodedExemplar {
  label: DecodedLabelPair[];
  value?: number;
  timestamp?: DecodedTimestamp;
}

export interface DecodedGauge {
  value?: number;
}

export interface DecodedCounter {
  value?: number;
  exemplar?: DecodedExemplar;
  created_timestamp?: DecodedTimestamp;
}

export interface DecodedQuantile {
  quantile?: number;
  value?: number;
}

export interface DecodedSummary {
  sample_count?: number;
  sample_sum?: number;
  quantile: DecodedQuantile[];
  created_timestamp?: DecodedTimestamp;
}

export interface DecodedUntyped {
  value?: number;
}

export interface DecodedBucket {
  cumulative_count?: number;
  cumulative_count_float?: number;
  upper_bound?: number;
  exemplar?: DecodedExemplar;
}

export interface DecodedBucketSpan {
  offset?: number;
  length?: number;
}

export interface DecodedHistogram {
  sample_count?: number;
  sample_count_float?: number;
  sample_sum?: number;
  bucket: DecodedBucket[];
  created_timestamp?: DecodedTimestamp;
  schema?: number;
  zero_threshold?: number;
  zero_count?: number;
  zero_count_float?: number;
  negative_span: DecodedBucketSpan[];
  negative_delta: number[];
  negative_count: number[];
  positive_span: DecodedBucketSpan[];
  positive_delta: number[];
  positive_count: number[];
  exemplars: DecodedExemplar[];
}

export interface DecodedMetric {
  label: DecodedLabelPair[];
  gauge?: DecodedGauge;
  counter?: DecodedCounter;
  summary?: DecodedSummary;
  untyped?: DecodedUntyped;
  histogram?: DecodedHistogram;
  timestamp_ms?: number;
}

/** MetricType by name. */
export type DecodedMetricType = 'COUNTER' | 'GAUGE' | 'SUMMARY' | 'UNTYPED' | 'HISTOGRAM' | 'GAUGE_HISTOGRAM';

export interface DecodedMetricFamily {
  name?: string;
  help?: string;
  type?: DecodedMetricType;
  metric: DecodedMetric[];
  unit?: string;
}

/** What each message name decodes to. */
export interface DecodedMessages {
  MetricFamily: DecodedMetricFamily;
  Metric: DecodedMetric;
  LabelPair: DecodedLabelPair;
  Gauge: DecodedGauge;
  Counter: DecodedCounter;
  Quantile: DecodedQuantile;
  Summary: DecodedSummary;
  Untyped: DecodedUntyped;
  Histogram: DecodedHistogram;
  Bucket: DecodedBucket;
  BucketSpan: DecodedBucketSpan;
  Exemplar: DecodedExemplar;
}

const CONVERSION: protobuf.IConversionOptions = { longs: Number, enums: String, defaults: false, arrays: true };

let root: protobuf.Root | undefined;

/** The parsed schema, loaded on first use (google/protobuf/timestamp.proto comes bundled with protobufjs). */
function schema(): protobuf.Root {
  // keepCase: field names as the .proto spells them, so specs read like the schema.
  root ??= new protobuf.Root().loadSync(PROTO_FILE, { keepCase: true });
  return root;
}

function messageType(name: MetricsMessageName): protobuf.Type {
  return schema().lookupType(`${PACKAGE}.${name}`);
}

function strictReader(bytes: Uint8Array): protobuf.Reader {
  const reader = protobuf.Reader.create(bytes);
  // Keep what the schema does not know (unknown field numbers, wrong wire types, unknown enum
  // values) so that rejectUnknown() can report it, rather than dropping it silently.
  reader.discardUnknown = false;
  return reader;
}

/** Throws if the decoded message, or any message inside it, kept bytes the schema could not place. */
function rejectUnknown(message: protobuf.Message, type: protobuf.Type, path: string): void {
  const unknowns = (message as { $unknowns?: Uint8Array[] }).$unknowns;
  if (unknowns !== undefined && unknowns.length > 0) {
    const hex = unknowns.map((u) => Buffer.from(u).toString('hex')).join(' ');
    const where = path === type.name ? path : `${path} (${type.name})`;
    throw new Error(`${where}: field(s) the schema does not know, or with a wrong wire type: ${hex}`);
  }
  for (const field of type.fieldsArray) {
    const fieldType = field.resolve().resolvedType;
    if (!(fieldType instanceof protobuf.Type)) continue;
    const value = (message as unknown as Record<string, unknown>)[field.name];
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      value.forEach((m, i) => rejectUnknown(m as protobuf.Message, fieldType, `${path}.${field.name}[${i}]`));
    } else {
      rejectUnknown(value as protobuf.Message, fieldType, `${path}.${field.name}`);
    }
  }
}

/**
 * Decodes `bytes` as one message of the named type, without a length prefix (a message is not
 * self-delimiting: every byte is read as one of its fields).
 */
export function decodeMessage<N extends MetricsMessageName>(name: N, bytes: Uint8Array): DecodedMessages[N] {
  const type = messageType(name);
  const reader = strictReader(bytes);
  const message = type.decode(reader);
  rejectUnknown(message, type, name);
  return type.toObject(message, CONVERSION) as DecodedMessages[N];
}

/**
 * Decodes a body of the `encoding=delimited` exposition: MetricFamily messages, each prefixed by
 * its varint length, up to the last byte. An empty body is an empty list.
 */
export function decodeDelimited(body: Uint8Array): DecodedMetricFamily[] {
  const type = messageType('MetricFamily');
  const reader = strictReader(body);
  const families: DecodedMetricFamily[] = [];
  while (reader.pos < reader.len) {
    const at = reader.pos;
    let message: protobuf.Message;
    try {
      message = type.decodeDelimited(reader);
    } catch (err) {
      throw new Error(`MetricFamily #${families.length} at byte ${at}: ${(err as Error).message}`);
    }
    rejectUnknown(message, type, `MetricFamily #${families.length}`);
    families.push(type.toObject(message, CONVERSION) as DecodedMetricFamily);
  }
  return families;
}

// -----------------------------------------------------------------------------------------------
// Flat samples

/** One sample as a text parser reports it. */
export interface FlatSample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
  /** Metric.timestamp_ms, when the metric carries one. */
  readonly timestampMs?: number;
}

/**
 * A number as a label value (`le`, `quantile`) in the canonical form Prometheus and OpenMetrics
 * use (Prometheus' formatOpenMetricsFloat): Go's `strconv.FormatFloat(f, 'g', -1, 64)`, plus `.0`
 * when that has neither `.` nor `e`. So 1e-05, 0.0001, 1.0, 100000.0, 1e+06, 1.5e+06, +Inf, NaN;
 * zero of either sign is 0.0, as Prometheus special-cases it.
 */
export function canonicalFloat(value: number): string {
  if (value !== value) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (value === 0) return '0.0';
  const text = goFormatShortestG(value);
  return text.includes('.') || text.includes('e') ? text : `${text}.0`;
}

/**
 * Go's `strconv.FormatFloat(value, 'g', -1, 64)` for a finite non-zero value: the shortest digits
 * that read back as the same double (JS and Go both pick the closest such digits), in exponent form
 * when the decimal exponent is below -4 or at least 6 (Go fixes 6 for the shortest precision),
 * with at least two exponent digits; otherwise in plain form.
 */
function goFormatShortestG(value: number): string {
  const sign = value < 0 ? '-' : '';
  const [mantissa, exponentText] = Math.abs(value).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
    const magnitude = Math.abs(exponent);
    return `${sign}${digits[0]}${fraction}e${exponent < 0 ? '-' : '+'}${magnitude < 10 ? '0' : ''}${magnitude}`;
  }
  const pointAt = exponent + 1; // digits before the decimal point
  if (pointAt <= 0) return `${sign}0.${'0'.repeat(-pointAt)}${digits}`;
  if (digits.length <= pointAt) return `${sign}${digits}${'0'.repeat(pointAt - digits.length)}`;
  return `${sign}${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
}

/** The Metric field each MetricType must use (metrics.proto's comments on MetricType). */
const VALUE_FIELD = {
  COUNTER: 'counter',
  GAUGE: 'gauge',
  SUMMARY: 'summary',
  UNTYPED: 'untyped',
  HISTOGRAM: 'histogram',
  GAUGE_HISTOGRAM: 'histogram',
} as const satisfies Record<DecodedMetricType, keyof DecodedMetric>;

const VALUE_FIELDS = ['counter', 'gauge', 'summary', 'untyped', 'histogram'] as const;

/** A google.protobuf.Timestamp as seconds since the epoch (the value of a `_created` sample). */
export function timestampSeconds(timestamp: DecodedTimestamp): number {
  return (timestamp.seconds ?? 0) + (timestamp.nanos ?? 0) / 1e9;
}

/**
 * The samples a text parser would report for these families, by the rules Prometheus applies to
 * the protobuf format, in order:
 * - counter: `name_total` (the family name as is when it already ends in `_total`, as client_golang
 *   names counters and as Prometheus stores them), and `name_created` (without `_total`) in seconds
 *   when `created_timestamp` is set;
 * - gauge, untyped: `name`;
 * - summary: `name{quantile="…"}` per quantile, `name_count`, `name_sum`, `name_created`;
 * - histogram and gauge histogram: `name_bucket{le="…"}` per bucket up to `+Inf` (cumulative as on
 *   the wire; a `+Inf` bucket with the sample count is added when the list does not end in one, and
 *   buckets after `+Inf` are ignored, as Prometheus does), `name_count`, `name_sum`, `name_created`.
 *   The `*_float` fields override the integer counts when above zero. A native histogram's spans
 *   are not samples (see {@link nativeBuckets}); it flattens like a classic one with its own buckets.
 * `le` and `quantile` are {@link canonicalFloat}. An absent value is 0, as proto2 reads it. Every
 * sample of a metric carries its `timestamp_ms` as `timestampMs`.
 *
 * Strict about what would be an encoder bug: a family without a name, a metric without the field
 * its type requires or with another type's field, a label without a name, a label name twice, a
 * `le`/`quantile` label where that name is reserved.
 */
export function flattenFamilies(families: readonly DecodedMetricFamily[]): FlatSample[] {
  const out: FlatSample[] = [];
  for (const family of families) flattenFamily(family, out);
  return out;
}

function flattenFamily(family: DecodedMetricFamily, out: FlatSample[]): void {
  const name = family.name;
  if (name === undefined || name === '') throw new Error('a MetricFamily without a name');
  const type = family.type ?? 'COUNTER'; // proto2: an absent enum reads as its first value
  const field = VALUE_FIELD[type];
  family.metric.forEach((metric, index) => {
    const where = `${name} metric #${index}`;
    if (metric[field] === undefined) throw new Error(`${where}: type ${type} but no ${field} field`);
    for (const other of VALUE_FIELDS) {
      if (other !== field && metric[other] !== undefined) {
        throw new Error(`${where}: type ${type} but a ${other} field`);
      }
    }
    const labels = labelRecord(metric.label, where);
    const ts = metric.timestamp_ms;
    const push = (sampleName: string, sampleLabels: Record<string, string>, value: number | undefined): void => {
      const sample: { name: string; labels: Record<string, string>; value: number; timestampMs?: number } = {
        name: sampleName,
        labels: sampleLabels,
        value: value ?? 0,
      };
      if (ts !== undefined) sample.timestampMs = ts;
      out.push(sample);
    };
    switch (type) {
      case 'COUNTER': {
        const counter = metric.counter!;
        const base = name.endsWith('_total') ? name.slice(0, -'_total'.length) : name;
        push(`${base}_total`, labels, counter.value);
        if (counter.created_timestamp) push(`${base}_created`, labels, timestampSeconds(counter.created_timestamp));
        break;
      }
      case 'GAUGE':
        push(name, labels, metric.gauge!.value);
        break;
      case 'UNTYPED':
        push(name, labels, metric.untyped!.value);
        break;
      case 'SUMMARY': {
        const summary = metric.summary!;
        if ('quantile' in labels) throw new Error(`${where}: a summary with a "quantile" label`);
        for (const q of summary.quantile) {
          push(name, { ...labels, quantile: canonicalFloat(q.quantile ?? 0) }, q.value);
        }
        push(`${name}_count`, labels, summary.sample_count);
        push(`${name}_sum`, labels, summary.sample_sum);
        if (summary.created_timestamp) push(`${name}_created`, labels, timestampSeconds(summary.created_timestamp));
        break;
      }
      case 'HISTOGRAM':
      case 'GAUGE_HISTOGRAM': {
        const histogram = metric.histogram!;
        if ('le' in labels) throw new Error(`${where}: a histogram with an "le" label`);
        const count = floatOverride(histogram.sample_count_float, histogram.sample_count);
        let sawInf = false;
        for (const bucket of histogram.bucket) {
          const bound = bucket.upper_bound ?? 0;
          const cumulative = floatOverride(bucket.cumulative_count_float, bucket.cumulative_count);
          push(`${name}_bucket`, { ...labels, le: canonicalFloat(bound) }, cumulative);
          if (bound === Infinity) {
            sawInf = true;
            break;
          }
        }
        if (!sawInf) push(`${name}_bucket`, { ...labels, le: '+Inf' }, count);
        push(`${name}_count`, labels, count);
        push(`${name}_sum`, labels, histogram.sample_sum);
        if (histogram.created_timestamp) push(`${name}_created`, labels, timestampSeconds(histogram.created_timestamp));
        break;
      }
    }
  });
}

/** proto's "`x_float` overrides `x` if > 0". */
function floatOverride(float: number | undefined, integer: number | undefined): number {
  return float !== undefined && float > 0 ? float : (integer ?? 0);
}

function labelRecord(pairs: readonly DecodedLabelPair[], where: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of pairs) {
    const labelName = pair.name;
    if (labelName === undefined || labelName === '') throw new Error(`${where}: a label without a name`);
    if (Object.hasOwn(labels, labelName)) throw new Error(`${where}: label "${labelName}" twice`);
    labels[labelName] = pair.value ?? '';
  }
  return labels;
}

/** One bucket of a native histogram: its index under the histogram's schema, and its (absolute) count. */
export interface NativeBucket {
  readonly index: number;
  readonly count: number;
}

/**
 * A native histogram's buckets on one side, as absolute counts by bucket index. The spans give the
 * indexes (the first span's offset is its first index, each later one's the number of empty
 * buckets after the previous span); the deltas (integer histograms) or the counts (float
 * histograms) give the counts. Throws if the spans and the deltas/counts disagree in number, or if
 * both deltas and counts are present.
 */
export function nativeBuckets(histogram: DecodedHistogram, side: 'positive' | 'negative'): NativeBucket[] {
  const spans = side === 'positive' ? histogram.positive_span : histogram.negative_span;
  const deltas = side === 'positive' ? histogram.positive_delta : histogram.negative_delta;
  const counts = side === 'positive' ? histogram.positive_count : histogram.negative_count;
  if (deltas.length > 0 && counts.length > 0) throw new Error(`${side} buckets: both deltas and counts`);
  const values = counts.length > 0 ? counts : deltas;
  const buckets: NativeBucket[] = [];
  let index = 0;
  let count = 0;
  let at = 0;
  for (const span of spans) {
    index += span.offset ?? 0; // the first span's offset is its start, later ones the gap after the last
    for (let i = 0; i < (span.length ?? 0); i++, at++, index++) {
      if (at >= values.length) throw new Error(`${side} buckets: the spans cover more than the ${values.length} given`);
      count = counts.length > 0 ? values[at]! : count + values[at]!;
      buckets.push({ index, count });
    }
  }
  if (at !== values.length) throw new Error(`${side} buckets: ${values.length} given, the spans cover ${at}`);
  return buckets;
}
