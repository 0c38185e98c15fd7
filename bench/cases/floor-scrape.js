/**
 * The serialization floor: the same bodies the scrape cases ask of the libraries (same series, same
 * values, same bytes), written by a hand-written loop with no library: label text and name prefixes
 * encoded to bytes once, digits written by hand, everything straight into one byte buffer that is
 * reused from scrape to scrape. No metric library can do less work for the same body, so it is what
 * our scrapes are compared with ("≤ 2× the floor").
 *
 * What it does per line: copy the family's name bytes, copy the series' label bytes, write the
 * value's digits, a newline. Integers get hand-written digits; any other double goes through
 * `String(v)` (the engine's shortest round-trip), which is what a correct writer has to match.
 */
import { BUCKETS, METHODS, VALUES, routeOf } from './shared.js';

const encoder = new TextEncoder();
const bytes = (text) => encoder.encode(text);

/** Prometheus' rendering of a bucket bound: an integral bound keeps a `.0` (`le="1.0"`). */
const boundText = (b) => (Number.isInteger(b) ? `${b}.0` : String(b));

/** Copies pre-encoded bytes (`set()` measured ~1.8x faster here than a byte loop, at 20-70 bytes). */
function copy(out, pos, src) {
  out.set(src, pos);
  return pos + src.length;
}

/** Writes a non-negative safe integer's decimal digits; returns the position after them. */
function writeUint(out, pos, v) {
  let digits = 1;
  for (let t = v; t >= 10; t = Math.floor(t / 10)) digits++;
  const end = pos + digits;
  let p = end;
  while (v >= 10) {
    const q = Math.floor(v / 10);
    out[--p] = 48 + (v - q * 10);
    v = q;
  }
  out[--p] = 48 + v;
  return end;
}

/** Writes a sample value as the exposition formats do: integers by hand, other doubles shortest round-trip. */
function writeValue(out, pos, v) {
  if (v >= 0 && v <= Number.MAX_SAFE_INTEGER && Number.isInteger(v)) return writeUint(out, pos, v);
  const text = String(v);
  for (let k = 0; k < text.length; k++) out[pos + k] = text.charCodeAt(k);
  return pos + text.length;
}

/** A byte buffer that is reused across scrapes and grows (rarely: it is sized by the first scrape). */
function reusableBuffer() {
  let out = Buffer.allocUnsafe(1 << 20);
  return {
    get out() {
      return out;
    },
    /** Makes room for `n` more bytes at `pos`. */
    ensure(pos, n) {
      if (pos + n <= out.length) return;
      const grown = Buffer.allocUnsafe(Math.max(out.length * 2, pos + n));
      out.copy(grown, 0, 0, pos);
      out = grown;
    },
  };
}

/** `# HELP` and `# TYPE` of a family, as the text format (name with `_total`) or OpenMetrics (without) writes them. */
function header(format, name, type, help) {
  const family = format === 'openmetrics' && type === 'counter' ? name.replace(/_total$/, '') : name;
  return bytes(`# HELP ${family} ${help}\n# TYPE ${family} ${type}\n`);
}

const EOF = bytes('# EOF\n');
/** The most bytes one value's digits may take (a double's shortest form is at most 24 characters). */
const VALUE_ROOM = 32;

/** 100 counter families x 1000 series: the body of the `scrape.counters.*` cases. */
function counterFloor(format, sizes) {
  const families = [];
  for (let m = 0; m < sizes.counterMetrics; m++) {
    const name = `app_requests_${m}_total`;
    const labels = [];
    const values = new Float64Array(sizes.counterSeries);
    for (let j = 0; j < sizes.counterSeries; j++) {
      labels.push(bytes(`{method="${METHODS[j & 3]}",route="${routeOf(j)}"} `));
      values[j] = (j % 97) + 1;
    }
    families.push({
      header: header(format, name, 'counter', `Requests of kind ${m}.`),
      name: bytes(name),
      labels,
      values,
    });
  }
  const buffer = reusableBuffer();
  return {
    scrape() {
      let pos = 0;
      for (const family of families) {
        const { name, labels, values } = family;
        buffer.ensure(pos, family.header.length);
        pos = copy(buffer.out, pos, family.header);
        for (let j = 0; j < labels.length; j++) {
          buffer.ensure(pos, name.length + labels[j].length + VALUE_ROOM);
          const out = buffer.out;
          pos = copy(out, pos, name);
          pos = copy(out, pos, labels[j]);
          pos = writeValue(out, pos, values[j]);
          out[pos++] = 10;
        }
      }
      if (format === 'openmetrics') {
        buffer.ensure(pos, EOF.length);
        pos = copy(buffer.out, pos, EOF);
      }
      return buffer.out.subarray(0, pos);
    },
  };
}

/** 10 histogram families x 1000 series, 11 buckets: the body of the `scrape.histograms.*` cases. */
function histogramFloor(format, sizes) {
  const slots = BUCKETS.length + 1; // cumulative counts, +Inf last
  const leParts = [...BUCKETS.map(boundText), '+Inf'].map((le) => bytes(`,le="${le}"} `));
  const closeLabels = bytes('} ');
  const families = [];
  for (let m = 0; m < sizes.histogramMetrics; m++) {
    const name = `app_latency_${m}_seconds`;
    const labels = [];
    const cumulative = new Float64Array(sizes.histogramSeries * slots);
    const sums = new Float64Array(sizes.histogramSeries);
    for (let j = 0; j < sizes.histogramSeries; j++) {
      labels.push(bytes(`{method="${METHODS[j & 3]}",route="${routeOf(j)}"`));
      let sum = 0;
      for (let k = 0; k < 3; k++) {
        const v = VALUES[(j * 3 + k) & 1023];
        sum += v;
        for (let b = 0; b < slots; b++) if (b === BUCKETS.length || v <= BUCKETS[b]) cumulative[j * slots + b]++;
      }
      sums[j] = sum;
    }
    families.push({
      header: header(format, name, 'histogram', `Latency of kind ${m}.`),
      bucket: bytes(`${name}_bucket`),
      count: bytes(`${name}_count`),
      sum: bytes(`${name}_sum`),
      labels,
      cumulative,
      sums,
    });
  }
  const buffer = reusableBuffer();
  return {
    scrape() {
      let pos = 0;
      for (const family of families) {
        const { bucket, count, sum, labels, cumulative, sums } = family;
        buffer.ensure(pos, family.header.length);
        pos = copy(buffer.out, pos, family.header);
        for (let j = 0; j < labels.length; j++) {
          const label = labels[j];
          buffer.ensure(pos, (slots + 2) * (sum.length + 8 + label.length + 16 + VALUE_ROOM));
          const out = buffer.out;
          const base = j * slots;
          for (let b = 0; b < slots; b++) {
            pos = copy(out, pos, bucket);
            pos = copy(out, pos, label);
            pos = copy(out, pos, leParts[b]);
            pos = writeUint(out, pos, cumulative[base + b]);
            out[pos++] = 10;
          }
          pos = copy(out, pos, count);
          pos = copy(out, pos, label);
          pos = copy(out, pos, closeLabels);
          pos = writeUint(out, pos, cumulative[base + slots - 1]);
          out[pos++] = 10;
          pos = copy(out, pos, sum);
          pos = copy(out, pos, label);
          pos = copy(out, pos, closeLabels);
          pos = writeValue(out, pos, sums[j]);
          out[pos++] = 10;
        }
      }
      if (format === 'openmetrics') {
        buffer.ensure(pos, EOF.length);
        pos = copy(buffer.out, pos, EOF);
      }
      return buffer.out.subarray(0, pos);
    },
  };
}

/** The floor's scrape cases, by the id of the library case whose body each writes (with a `floor.` prefix). */
export function floorScrapeCases(sizes) {
  return {
    'floor.scrape.counters.text': () => counterFloor('text', sizes),
    'floor.scrape.counters.openmetrics': () => counterFloor('openmetrics', sizes),
    'floor.scrape.histograms.text': () => histogramFloor('text', sizes),
    'floor.scrape.histograms.openmetrics': () => histogramFloor('openmetrics', sizes),
  };
}
