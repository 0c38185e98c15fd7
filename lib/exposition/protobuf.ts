/**
 * The Prometheus protobuf exposition format: snapshot -> body of `io.prometheus.client.MetricFamily`
 * messages (prometheus/client_model's metrics.proto), each prefixed by its varint length
 * (`encoding=delimited`). The messages have the shapes client_golang gives them, the reference
 * Prometheus reads them against:
 * - a counter family is named with `_total` (Prometheus stores the name as sent) and carries its
 *   `_created` sample as `Counter.created_timestamp`;
 * - info and stateset families are gauges (`name_info` with the facts as labels; `name` with one
 *   metric per state), as in the text format 0.0.4; unknown is UNTYPED;
 * - summaries and histograms carry count, sum, quantiles or buckets and created in one message
 *   per series. A histogram's `+Inf` bucket is not sent: metrics.proto makes it optional, its
 *   count is `sample_count`, and Prometheus adds the `le="+Inf"` series from it (as it does for
 *   client_golang, which never sends one without an exemplar on it).
 * - exemplars go on `Counter.exemplar` and `Bucket.exemplar` (a `+Inf` bucket is sent when it
 *   carries one). A native-only histogram's exemplars go on a `+Inf` bucket (its most recent),
 *   which is where Prometheus 2.x reads a native histogram's exemplar from, as client_golang
 *   sends it, and all of them in `Histogram.exemplars`, where later Prometheus versions read them.
 * Nothing is left out for being negative: a negative sum or quantile, which OpenMetrics forbids
 * (openmetrics.ts leaves them out), is a valid value here, as client_golang sends it and
 * Prometheus stores it (as in the text format 0.0.4).
 *
 * Families without a series are not sent: client_golang never sends one, and Prometheus' parsers
 * have not always coped with one (an empty histogram family indexed past the end in 2.x).
 *
 * Where the format says less than the text formats (only collectors' families can need it): a
 * metric has one `timestamp_ms`, the first of its samples' timestamps (text writes each sample's
 * own); a histogram or summary series without `_sum` has no `sample_sum`, which Prometheus reads
 * as 0; a `_created` that is not finite has no Timestamp to be.
 */
import { parseBound } from '../bounds.js';
import type { BucketSpan, NativeHistogramPoint } from '../native-histogram.js';
import type {
  Exemplar,
  HistogramRow,
  HistogramRows,
  Labels,
  MetricFamily,
  MetricType,
  Sample,
  SeriesColumns,
} from '../snapshot.js';
import { ChunkWriter } from './chunk-writer.js';
import { inBatches } from './lines.js';
import { escapeLabelName, escapeName, isLegacyLabelName, type EscapingScheme } from './names.js';
import { ProtobufWriter } from './protobuf-wire.js';

/** Content-Type of this format, as client_golang and Prometheus write it. */
export const PROTOBUF_CONTENT_TYPE =
  'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited';

// Field numbers of metrics.proto (and of google.protobuf.Timestamp), by message.
const FAMILY = { name: 1, help: 2, type: 3, metric: 4, unit: 5 } as const;
const METRIC = { label: 1, gauge: 2, counter: 3, summary: 4, untyped: 5, timestampMs: 6, histogram: 7 } as const;
const LABEL_PAIR = { name: 1, value: 2 } as const;
const VALUE = 1; // Gauge.value, Counter.value, Untyped.value
const COUNTER_EXEMPLAR = 2;
const COUNTER_CREATED = 3;
const SUMMARY = { count: 1, sum: 2, quantile: 3, created: 4 } as const;
const QUANTILE = { quantile: 1, value: 2 } as const;
const HISTOGRAM = {
  count: 1,
  sum: 2,
  bucket: 3,
  countFloat: 4,
  schema: 5,
  zeroThreshold: 6,
  zeroCount: 7,
  negativeSpan: 9,
  negativeDelta: 10,
  positiveSpan: 12,
  positiveDelta: 13,
  created: 15,
  exemplars: 16,
} as const;
const BUCKET_SPAN = { offset: 1, length: 2 } as const;
const BUCKET = { count: 1, upperBound: 2, exemplar: 3, countFloat: 4 } as const;
// Exemplar.label is field 1, as Metric.label is: writeLabels() writes both.
const EXEMPLAR = { value: 2, timestamp: 3 } as const;
const TIMESTAMP = { seconds: 1, nanos: 2 } as const;

/** metrics.proto's MetricType for each of our types. */
const TYPE_CODES: Readonly<Record<MetricType, number>> = {
  counter: 0, // COUNTER
  gauge: 1, // GAUGE
  summary: 2, // SUMMARY
  unknown: 3, // UNTYPED
  histogram: 4, // HISTOGRAM
  info: 1, // GAUGE
  stateset: 1, // GAUGE
};

/** The largest double below 2^64: where a uint64 field ends. */
const MAX_UINT64 = 2 ** 64 - 2 ** 11;

/** A writer no render is using, kept for the next: it starts about as large as the last family it wrote. */
let idle: ProtobufWriter | undefined;

/**
 * Writes families as a protobuf exposition body into `out`, names escaped per `escaping` (legacy
 * names are written as they are under every scheme; `allow-utf-8` writes every name as it is). A
 * generator: it yields every few hundred series, so that a renderer can stop to give the event loop
 * a turn. A family's message is prefixed by its length, so each is written whole into a writer of
 * its own and handed to `out` when it ends.
 */
export function* writeProtobuf(
  families: readonly MetricFamily[],
  out: ChunkWriter,
  escaping: EscapingScheme = 'underscores',
): Generator<void, void, void> {
  // Renders can interleave (two streamed scrapes): each takes a writer of its own.
  const w = idle ?? new ProtobufWriter();
  idle = undefined;
  try {
    for (const family of families) {
      yield* writeFamily(w, family, escaping);
      // Handed on once a chunk's worth is written (for a whole body, once it is done).
      if (w.length >= out.chunkBytes) out.adopt(w.finish());
    }
    if (w.length > 0) out.adopt(w.finish());
  } finally {
    // On a throw or a stop too: the writer must not start the next family with this one's bytes.
    if (w.length > 0) w.finish();
    idle = w;
  }
}

/** Renders families as a protobuf exposition body, in one buffer (see {@link writeProtobuf}). */
export function renderProtobuf(families: readonly MetricFamily[], escaping: EscapingScheme = 'underscores'): Buffer {
  const out = new ChunkWriter();
  for (const _ of writeProtobuf(families, out, escaping));
  const chunks = out.end();
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

function* writeFamily(w: ProtobufWriter, family: MetricFamily, escaping: EscapingScheme): Generator<void, void, void> {
  const { type, histogram, columns } = family;
  const size = histogram?.rows.length ?? columns?.labels.length ?? family.samples.length;
  if (size === 0) return;
  const mark = w.beginDelimited();
  const suffix = type === 'counter' ? '_total' : type === 'info' ? '_info' : '';
  w.stringField(FAMILY.name, escapeName(family.name, escaping) + suffix);
  w.stringField(FAMILY.help, family.help);
  w.varintField(FAMILY.type, TYPE_CODES[type]);
  if (histogram !== undefined) yield* writeHistogramRows(w, histogram, escaping);
  else if (columns !== undefined) yield* writeColumns(w, type === 'counter', columns, escaping);
  else if (type === 'counter') writeCounters(w, family, escaping);
  else if (type === 'summary') writeSummaries(w, family, escaping);
  else if (type === 'histogram') writeHistogramSamples(w, family, escaping);
  else writeSingleValues(w, family.samples, type === 'unknown' ? METRIC.untyped : METRIC.gauge, escaping);
  if (family.unit !== '') w.stringField(FAMILY.unit, family.unit);
  w.endMessage(mark);
}

/** A counter's or gauge's columns: a metric per series, a counter's with its exemplar and created. */
function* writeColumns(
  w: ProtobufWriter,
  counter: boolean,
  columns: SeriesColumns,
  escaping: EscapingScheme,
): Generator<void, void, void> {
  const { labels, values, created, exemplars } = columns;
  const valueField = counter ? METRIC.counter : METRIC.gauge;
  yield* inBatches(labels.length, (start, end) => {
    for (let i = start; i < end; i++) {
      const metric = w.beginMessage(FAMILY.metric);
      writeLabels(w, labels[i]!, escaping);
      const value = w.beginMessage(valueField);
      w.doubleField(VALUE, values[i]!);
      const exemplar = exemplars?.[i];
      if (exemplar !== undefined) writeExemplar(w, COUNTER_EXEMPLAR, exemplar);
      if (created !== undefined) writeSecondsTimestamp(w, COUNTER_CREATED, created[i]!);
      w.endMessage(value);
      w.endMessage(metric);
    }
  });
}

// -----------------------------------------------------------------------------------------------
// Labels, timestamps, counts

/**
 * The `LabelPair.name` field (tag, length, bytes) of each legacy label name seen, the same under
 * every scheme: a series' labels are then a lookup and a short copy per name, not a pattern test
 * and an encoding. Bounded: label names are few, but a collector could make new ones every scrape.
 *
 * A series' whole label pairs are encoded at every scrape, not kept as text keeps its label text
 * (tokens.ts). Measured on 100,000 counter series: a WeakMap of encoded pairs doubled the scrape
 * (its lookups, and the garbage collector's work on 100,000 weak entries); a slot on the label
 * set beside the text's halved it as bytes (but held ~250 B more per series) and took a quarter
 * off as a latin1 string (~66 B more per series, and 8 B on every label set for the slot).
 */
const nameFields = new Map<string, Uint8Array>();
const NAME_FIELDS_MAX = 4096;

/** The encoded `LabelPair.name` field of a legacy label name; undefined for another name. */
function legacyNameField(name: string): Uint8Array | undefined {
  let field = nameFields.get(name);
  if (field === undefined && isLegacyLabelName(name)) {
    const scratch = new ProtobufWriter(16);
    scratch.stringField(LABEL_PAIR.name, name);
    field = Uint8Array.from(scratch.finish());
    if (nameFields.size >= NAME_FIELDS_MAX) nameFields.clear();
    nameFields.set(name, field);
  }
  return field;
}

/** Writes `Metric.label` for each label but `except` (a bucket's `le`, a quantile sample's `quantile`). */
function writeLabels(w: ProtobufWriter, labels: Labels, escaping: EscapingScheme, except?: string): void {
  for (const name in labels) {
    if (name === except) continue;
    const pair = w.beginMessage(METRIC.label);
    const field = legacyNameField(name);
    // A name outside the legacy set is escaped per the scheme (as tokens.ts does for text).
    if (field !== undefined) w.writeBytes(field);
    else w.stringField(LABEL_PAIR.name, escapeLabelName(name, escaping));
    w.stringField(LABEL_PAIR.value, labels[name]!);
    w.endMessage(pair);
  }
}

/** Steps a Timestamp's nanoseconds are rounded to, coarsest first: milliseconds, microseconds, nanoseconds. */
const NANOS_STEPS = [1e6, 1e3, 1];

/**
 * Writes a google.protobuf.Timestamp field for a time in seconds since the epoch (a `_created`
 * value): whole seconds and nanoseconds in [0, 1e9), zero fields left out as proto3 does. A
 * time that is not finite (a collector's `_created` may be anything) has no Timestamp and is left out.
 */
function writeSecondsTimestamp(w: ProtobufWriter, field: number, time: number): void {
  if (!Number.isFinite(time)) return;
  let seconds = Math.floor(time);
  const fraction = (time - seconds) * 1e9;
  // The coarsest nanoseconds that still read back as `time` (seconds + nanos / 1e9): a time taken
  // in milliseconds (Date.now() / 1000) is sent as whole milliseconds, where rounding to the
  // nanosecond would send 392999887 for .393, and Prometheus, which truncates to milliseconds,
  // would store .392.
  let nanos = 0;
  for (const step of NANOS_STEPS) {
    nanos = Math.round(fraction / step) * step;
    if (seconds + nanos / 1e9 === time) break;
  }
  if (nanos >= 1e9) {
    seconds += 1;
    nanos = 0;
  }
  const mark = w.beginMessage(field);
  if (seconds !== 0) w.varintField(TIMESTAMP.seconds, seconds);
  if (nanos !== 0) w.varintField(TIMESTAMP.nanos, nanos);
  w.endMessage(mark);
}

/** `Metric.timestamp_ms`, when the point has a timestamp (collectors' samples may). */
function writeTimestampMs(w: ProtobufWriter, timestamp: number | undefined): void {
  if (timestamp !== undefined) w.varintField(METRIC.timestampMs, timestamp);
}

/** Whether a count fits a uint64 field: an integer in [0, 2^64). */
function isUint64(count: number): boolean {
  return count >>> 0 === count || (Number.isInteger(count) && count >= 0 && count <= MAX_UINT64);
}

/**
 * A histogram's count: the uint64 field, or the double field that overrides it (`*_float`, "if >
 * 0") for a count no uint64 holds, which only a collector can give (a huge or fractional one).
 */
function writeHistogramCount(w: ProtobufWriter, field: number, floatField: number, count: number): void {
  if (isUint64(count)) w.varintField(field, count);
  else w.doubleField(floatField, count);
}

// -----------------------------------------------------------------------------------------------
// Families

/** Gauge, untyped, info and stateset: a metric per sample, its value in `valueField`'s message. */
function writeSingleValues(
  w: ProtobufWriter,
  samples: readonly Sample[],
  valueField: number,
  escaping: EscapingScheme,
): void {
  for (const sample of samples) {
    const metric = w.beginMessage(FAMILY.metric);
    writeLabels(w, sample.labels, escaping);
    const value = w.beginMessage(valueField);
    w.doubleField(VALUE, sample.value);
    w.endMessage(value);
    writeTimestampMs(w, sample.timestamp);
    w.endMessage(metric);
  }
}

/**
 * Counters: a metric per `_total` sample, with the `_created` sample after it (metrics and
 * collected families give a series' samples together, `_total` first: collected-family.ts).
 */
function writeCounters(w: ProtobufWriter, family: MetricFamily, escaping: EscapingScheme): void {
  const totalName = `${family.name}_total`;
  const createdName = `${family.name}_created`;
  const samples = family.samples;
  for (let i = 0; i < samples.length; i++) {
    const total = samples[i]!;
    if (total.name !== totalName) continue; // a _created without its _total: no counter to put it in
    const next = samples[i + 1];
    const withCreated =
      next !== undefined && next.name === createdName && sameLabels(next.labels, total.labels, undefined);
    const created = withCreated ? next : undefined;
    if (withCreated) i++;
    const metric = w.beginMessage(FAMILY.metric);
    writeLabels(w, total.labels, escaping);
    const counter = w.beginMessage(METRIC.counter);
    w.doubleField(VALUE, total.value);
    if (total.exemplar !== undefined) writeExemplar(w, COUNTER_EXEMPLAR, total.exemplar);
    if (created !== undefined) writeSecondsTimestamp(w, COUNTER_CREATED, created.value);
    w.endMessage(counter);
    writeTimestampMs(w, total.timestamp ?? created?.timestamp);
    w.endMessage(metric);
  }
}

/**
 * Summaries: a metric per series, from its samples (quantiles ascending, `_count`, `_sum`,
 * `_created`), which come together; the quantile is read back from its label.
 */
function writeSummaries(w: ProtobufWriter, family: MetricFamily, escaping: EscapingScheme): void {
  const { name } = family;
  const { countName, sumName, createdName } = suffixed(name);
  writePointMetrics(w, family.samples, name, 'quantile', escaping, (samples, start, end) => {
    const summary = w.beginMessage(METRIC.summary);
    let created: number | undefined;
    for (let i = start; i < end; i++) {
      const sample = samples[i]!;
      // A count is an integer >= 0 (collected-points.ts); one past uint64 has nowhere else to go.
      if (sample.name === countName) w.varintField(SUMMARY.count, Math.min(sample.value, MAX_UINT64));
      else if (sample.name === sumName) w.doubleField(SUMMARY.sum, sample.value);
      else if (sample.name === createdName) created = sample.value;
    }
    for (let i = start; i < end; i++) {
      const sample = samples[i]!;
      if (sample.name !== name) continue;
      const quantile = w.beginMessage(SUMMARY.quantile);
      w.doubleField(QUANTILE.quantile, parseBound(sample.labels.quantile ?? ''));
      w.doubleField(QUANTILE.value, sample.value);
      w.endMessage(quantile);
    }
    if (created !== undefined) writeSecondsTimestamp(w, SUMMARY.created, created);
    w.endMessage(summary);
  });
}

/** A family's sample names. */
function suffixed(name: string): { bucketName: string; countName: string; sumName: string; createdName: string } {
  return {
    bucketName: `${name}_bucket`,
    countName: `${name}_count`,
    sumName: `${name}_sum`,
    createdName: `${name}_created`,
  };
}

/**
 * One Metric message per point of samples (a series' samples, told apart by `special`): its labels
 * (those of its `labelsFrom` samples, less `special`), what `body` writes, and its timestamp.
 */
function writePointMetrics(
  w: ProtobufWriter,
  samples: readonly Sample[],
  labelsFrom: string,
  special: string,
  escaping: EscapingScheme,
  body: (samples: readonly Sample[], start: number, end: number) => void,
): void {
  forEachPoint(samples, special, (points, start, end) => {
    const metric = w.beginMessage(FAMILY.metric);
    const base = pointLabels(points, start, end, labelsFrom, special);
    writeLabels(w, base.labels, escaping, base.except);
    body(points, start, end);
    writeTimestampMs(w, pointTimestamp(points, start, end));
    w.endMessage(metric);
  });
}

/**
 * Histograms given as rows (our Histogram metric): a metric per row, with its classic buckets
 * unless the family is native-only, and its native histogram when it has one.
 */
function* writeHistogramRows(
  w: ProtobufWriter,
  histogramRows: HistogramRows,
  escaping: EscapingScheme,
): Generator<void, void, void> {
  const { bounds, rows } = histogramRows;
  // Every bound but the last (+Inf), unless the family is native-only.
  const finite = histogramRows.classic === false ? 0 : bounds.length - 1;
  yield* inBatches(
    rows.length,
    (start, end) => {
      for (let r = start; r < end; r++) writeHistogramRow(w, rows[r]!, bounds, finite, escaping);
    },
    finite + 3,
  );
}

/** One histogram series as a Metric message. */
function writeHistogramRow(
  w: ProtobufWriter,
  row: HistogramRow,
  bounds: readonly number[],
  finite: number,
  escaping: EscapingScheme,
): void {
  const last = bounds.length - 1; // the last bound is +Inf
  const metric = w.beginMessage(FAMILY.metric);
  writeLabels(w, row.labels, escaping);
  const histogram = w.beginMessage(METRIC.histogram);
  const cumulative = row.cumulative;
  writeHistogramCount(w, HISTOGRAM.count, HISTOGRAM.countFloat, cumulative[last]!);
  w.doubleField(HISTOGRAM.sum, row.sum);
  const exemplars = row.exemplars;
  if (exemplars === undefined) {
    for (let i = 0; i < finite; i++) writeBucket(w, cumulative[i]!, bounds[i]!);
  } else {
    for (let i = 0; i < finite; i++) writeBucket(w, cumulative[i]!, bounds[i]!, exemplars[i]);
    const infinite = exemplars[last];
    if (infinite !== undefined) writeBucket(w, cumulative[last]!, Infinity, infinite);
  }
  if (row.native !== undefined) writeNative(w, row.native);
  if (row.nativeExemplars !== undefined) {
    for (const exemplar of row.nativeExemplars) writeExemplar(w, HISTOGRAM.exemplars, exemplar);
  }
  if (row.created !== undefined) writeSecondsTimestamp(w, HISTOGRAM.created, row.created);
  w.endMessage(histogram);
  w.endMessage(metric);
}

/**
 * A native histogram's fields. Schema, zero threshold and zero count are always written (the
 * message is proto2, so a zero is a value, as client_golang sends it); the point's positive spans
 * are never empty (an empty histogram has the no-op span), which is how a reader such as
 * Prometheus tells a native histogram from a classic one.
 */
function writeNative(w: ProtobufWriter, native: NativeHistogramPoint): void {
  w.sintField(HISTOGRAM.schema, native.schema);
  w.doubleField(HISTOGRAM.zeroThreshold, native.zeroThreshold);
  w.varintField(HISTOGRAM.zeroCount, native.zeroCount);
  writeSpans(w, HISTOGRAM.negativeSpan, native.negativeSpans);
  w.packedSintField(HISTOGRAM.negativeDelta, native.negativeDeltas);
  writeSpans(w, HISTOGRAM.positiveSpan, native.positiveSpans);
  w.packedSintField(HISTOGRAM.positiveDelta, native.positiveDeltas);
}

function writeSpans(w: ProtobufWriter, field: number, spans: readonly BucketSpan[]): void {
  for (const { offset, length } of spans) {
    const span = w.beginMessage(field);
    w.sintField(BUCKET_SPAN.offset, offset);
    w.varintField(BUCKET_SPAN.length, length);
    w.endMessage(span);
  }
}

function writeBucket(w: ProtobufWriter, count: number, upperBound: number, exemplar?: Exemplar): void {
  const bucket = w.beginMessage(HISTOGRAM.bucket);
  writeHistogramCount(w, BUCKET.count, BUCKET.countFloat, count);
  w.doubleField(BUCKET.upperBound, upperBound);
  if (exemplar !== undefined) writeExemplar(w, BUCKET.exemplar, exemplar);
  w.endMessage(bucket);
}

/** An Exemplar message: its labels (legacy names: metrics/exemplar.ts), value and timestamp. */
function writeExemplar(w: ProtobufWriter, field: number, exemplar: Exemplar): void {
  const message = w.beginMessage(field);
  writeLabels(w, exemplar.labels, 'underscores');
  w.doubleField(EXEMPLAR.value, exemplar.value);
  writeSecondsTimestamp(w, EXEMPLAR.timestamp, exemplar.timestamp);
  w.endMessage(message);
}

/**
 * Histograms given as samples (collectors): a metric per series, from its samples (buckets
 * ascending by `le`, the last `+Inf`; then `_count`, `_sum`, `_created`, which OpenMetrics lets a
 * series leave out). The count is `_count`'s, or the `+Inf` bucket's when there is no `_count`
 * (they are equal when both are given: collected-points.ts).
 */
function writeHistogramSamples(w: ProtobufWriter, family: MetricFamily, escaping: EscapingScheme): void {
  const { bucketName, countName, sumName, createdName } = suffixed(family.name);
  writePointMetrics(w, family.samples, bucketName, 'le', escaping, (samples, start, end) => {
    let count: number | undefined;
    let infinite: number | undefined;
    let sum: number | undefined;
    let created: number | undefined;
    for (let i = start; i < end; i++) {
      const sample = samples[i]!;
      if (sample.name === countName) count = sample.value;
      else if (sample.name === sumName) sum = sample.value;
      else if (sample.name === createdName) created = sample.value;
      else if (sample.name === bucketName && parseBound(sample.labels.le ?? '') === Infinity) infinite = sample.value;
    }
    const histogram = w.beginMessage(METRIC.histogram);
    count ??= infinite;
    if (count !== undefined) writeHistogramCount(w, HISTOGRAM.count, HISTOGRAM.countFloat, count);
    if (sum !== undefined) w.doubleField(HISTOGRAM.sum, sum);
    for (let i = start; i < end; i++) {
      const sample = samples[i]!;
      if (sample.name !== bucketName) continue;
      const bound = parseBound(sample.labels.le ?? '');
      if (bound !== Infinity) writeBucket(w, sample.value, bound);
    }
    if (created !== undefined) writeSecondsTimestamp(w, HISTOGRAM.created, created);
    w.endMessage(histogram);
  });
}

// -----------------------------------------------------------------------------------------------
// Points: the samples of one series of a summary or histogram

/**
 * Calls `visit` with each run of samples that make one series: consecutive samples whose labels
 * are the same but for `apart` (`le`, `quantile`), as metrics and collected-family.ts give them.
 */
function forEachPoint(
  samples: readonly Sample[],
  apart: string,
  visit: (samples: readonly Sample[], start: number, end: number) => void,
): void {
  let start = 0;
  while (start < samples.length) {
    const labels = samples[start]!.labels;
    let end = start + 1;
    while (end < samples.length && sameLabels(samples[end]!.labels, labels, apart)) end++;
    visit(samples, start, end);
    start = end;
  }
}

/**
 * A point's own labels: those of its first sample not named `apartName` (not a quantile or a
 * bucket: the series' label set, as the metric keeps it), or else its first sample's without the
 * `apart` label.
 */
function pointLabels(
  samples: readonly Sample[],
  start: number,
  end: number,
  apartName: string,
  apart: string,
): { labels: Labels; except: string | undefined } {
  for (let i = start; i < end; i++) {
    if (samples[i]!.name !== apartName) return { labels: samples[i]!.labels, except: undefined };
  }
  return { labels: samples[start]!.labels, except: apart };
}

/** The point's timestamp: the first one among its samples. */
function pointTimestamp(samples: readonly Sample[], start: number, end: number): number | undefined {
  for (let i = start; i < end; i++) {
    const timestamp = samples[i]!.timestamp;
    if (timestamp !== undefined) return timestamp;
  }
  return undefined;
}

/** Whether two label sets hold the same labels (in any order), `except` one name. */
function sameLabels(a: Labels, b: Labels, except: string | undefined): boolean {
  if (a === b) return true;
  let count = 0;
  for (const name in a) {
    if (name === except) continue;
    if (a[name] !== b[name]) return false;
    count++;
  }
  for (const name in b) if (name !== except) count--;
  return count === 0;
}
