/**
 * The protobuf wire format, written by hand: the protobuf exposition is on the scrape path, and a
 * schema-driven library would build an object per message first. This is only the byte layer
 * (varints, zigzag, doubles, strings, nested lengths); which fields a MetricFamily has is the
 * encoder's business.
 *
 * Wire format reference: https://protobuf.dev/programming-guides/encoding/
 */

/** The wire types a tag can carry (its low three bits). Groups (3, 4) are deprecated and not written. */
export const WireType = {
  /** int32, int64, uint32, uint64, sint32, sint64, bool, enum. */
  VARINT: 0,
  /** fixed64, sfixed64, double. */
  I64: 1,
  /** string, bytes, embedded messages, packed repeated fields. */
  LEN: 2,
  /** fixed32, sfixed32, float. */
  I32: 5,
} as const;

/** One of the {@link WireType} values. */
export type WireType = (typeof WireType)[keyof typeof WireType];

const TWO_32 = 4294967296;
const TWO_63 = 2 ** 63;
const TWO_64 = 2 ** 64;

// What a finished writer holds until its next write: any write then grows it to a real buffer.
const EMPTY = Buffer.alloc(0);
const EMPTY_VIEW = new DataView(EMPTY.buffer, EMPTY.byteOffset, 0);

// Up to this many UTF-16 units, a string is copied by a JS loop while it is ASCII: Buffer#write
// costs a fixed call into C++ that a short string does not repay (measured: the two cost about the
// same at 32 units; the loop is several times faster at a few units).
const ASCII_LOOP_MAX = 32;

/** Bytes a varint takes for a uint32 (0 <= value < 2^32). */
export function varintSize32(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
}

// The checks run only off the fast paths (a value outside uint32, or outside int32 for zigzag).

function checkVarint64(value: number): void {
  if (!Number.isInteger(value) || value < -TWO_63 || value >= TWO_64) {
    throw new RangeError(`ProtobufWriter: a varint must be an integer in [-2^63, 2^64), got ${value}`);
  }
}

function checkSint64(value: number): void {
  if (!Number.isInteger(value) || value < -TWO_63 || value >= TWO_63) {
    throw new RangeError(`ProtobufWriter: a sint64 must be an integer in [-2^63, 2^63), got ${value}`);
  }
}

function checkCount(count: number, values: ArrayLike<number>): void {
  if (!Number.isInteger(count) || count < 0 || count > values.length) {
    throw new RangeError(`ProtobufWriter: count must be an integer in [0, ${values.length}], got ${count}`);
  }
}

/** Writes a uint32 varint at `p` (room already made); returns the position after it. */
function putVarint32(buf: Buffer, p: number, value: number): number {
  while (value > 0x7f) {
    buf[p++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  buf[p++] = value;
  return p;
}

/**
 * Writes protobuf messages into one growable byte buffer (doubling as it fills). Scalars go
 * straight to the buffer; an embedded message reserves one byte for its length and moves its body
 * only when the body is 128 bytes or more (so most small messages are never moved, and every
 * length comes out minimal, as protobuf's own encoders write it).
 *
 * Numbers are JS numbers: a varint takes any integer in [-2^63, 2^64) (exactly, as integer doubles
 * are exact), so uint64 counts work to 2^53 and beyond; negative int32/int64 values take 10 bytes,
 * as the format requires. A non-integer or out-of-range value is a RangeError, not a silent
 * truncation, and a field call that throws writes nothing. Field numbers (1 to 2^29 - 1) are the
 * encoder's constants and are not checked.
 *
 * @example
 * const w = new ProtobufWriter();
 * w.delimited(() => {                        // a MetricFamily, prefixed by its length
 *   w.stringField(1, 'up');                  // name
 *   w.varintField(3, 1);                     // type = GAUGE
 *   const metric = w.beginMessage(4);        // metric
 *   const gauge = w.beginMessage(2);         // metric.gauge
 *   w.doubleField(1, 1);                     // gauge.value
 *   w.endMessage(gauge);
 *   w.endMessage(metric);
 * });
 * const body = w.finish();
 */
export class ProtobufWriter {
  private buf: Buffer;
  private view: DataView;
  private pos = 0;
  private readonly initialCapacity: number;
  private nextCapacity: number;

  /** @param initialCapacity the first buffer's size in bytes; it doubles as needed. */
  constructor(initialCapacity = 4096) {
    if (!Number.isInteger(initialCapacity) || initialCapacity < 16) {
      throw new RangeError(`ProtobufWriter: initialCapacity must be an integer >= 16, got ${initialCapacity}`);
    }
    this.initialCapacity = initialCapacity;
    this.nextCapacity = initialCapacity;
    this.buf = Buffer.allocUnsafe(initialCapacity);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  /**
   * The bytes written, without a copy. The writer lets go of that buffer (the result stays valid
   * however the writer is used afterwards) and, on its next write, starts one as large as this
   * result (and a little more), so a writer reused scrape after scrape allocates about once a scrape.
   */
  finish(): Buffer {
    const out = this.buf.subarray(0, this.pos);
    this.nextCapacity = Math.max(this.initialCapacity, Math.ceil(this.pos * 1.25));
    this.buf = EMPTY;
    this.view = EMPTY_VIEW;
    this.pos = 0;
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Scalars (no tag)

  /**
   * A varint: uint32, uint64, int32, int64, enum or bool (as 0/1). Any integer in [-2^63, 2^64);
   * a negative one is written as its 64-bit two's complement (10 bytes).
   */
  writeVarint(value: number): void {
    if (value >>> 0 === value) {
      this.writeVarint32(value);
    } else {
      this.writeVarint64(value);
    }
  }

  /**
   * A zigzag varint (sint32, sint64): small magnitudes of either sign stay short. Any integer in
   * [-2^63, 2^63).
   */
  writeSint(value: number): void {
    if ((value | 0) === value) {
      // For an int32 the 64-bit zigzag equals the 32-bit one, so sint32 and sint64 share this path.
      this.writeVarint32(((value << 1) ^ (value >> 31)) >>> 0);
    } else {
      this.writeSint64(value);
    }
  }

  /** A double, 8 bytes little-endian; NaN, ±Infinity and -0 keep their bits. */
  writeDouble(value: number): void {
    if (this.pos + 8 > this.buf.length) this.grow(8);
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  /** A length-prefixed UTF-8 string (lone surrogates become U+FFFD, as Buffer encodes them). */
  writeString(value: string): void {
    const units = value.length;
    if (units * 3 < 0x80) {
      // At most 127 bytes: the length is one byte, written after the text is.
      if (this.pos + 1 + units * 3 > this.buf.length) this.grow(1 + units * 3);
      const start = this.pos + 1;
      const bytes = units <= ASCII_LOOP_MAX ? this.copyShort(value, start) : this.buf.write(value, start);
      this.buf[this.pos] = bytes;
      this.pos = start + bytes;
      return;
    }
    const bytes = Buffer.byteLength(value, 'utf8');
    this.writeVarint32(bytes);
    if (this.pos + bytes > this.buf.length) this.grow(bytes);
    this.pos += this.buf.write(value, this.pos);
  }

  /** Raw bytes, as they are (no length prefix): e.g. a series' label pairs encoded once and kept. */
  writeBytes(bytes: Uint8Array): void {
    const n = bytes.length;
    if (this.pos + n > this.buf.length) this.grow(n);
    if (n <= 16) {
      // Uint8Array#set has a fixed cost that a few bytes do not repay.
      const buf = this.buf;
      const p = this.pos;
      for (let i = 0; i < n; i++) buf[p + i] = bytes[i]!;
    } else {
      this.buf.set(bytes, this.pos);
    }
    this.pos += n;
  }

  /** A tag: field number and wire type. */
  writeTag(field: number, wireType: WireType): void {
    this.writeVarint32(((field << 3) | wireType) >>> 0);
  }

  // ---------------------------------------------------------------------------------------------
  // Fields (tag and value)

  /** A varint field (uint32/uint64/int32/int64/enum/bool); see {@link writeVarint}. */
  varintField(field: number, value: number): void {
    if (value >>> 0 !== value) checkVarint64(value); // before the tag, so that a bad value writes nothing
    this.writeVarint32(((field << 3) | WireType.VARINT) >>> 0);
    this.writeVarint(value);
  }

  /** A zigzag field (sint32/sint64); see {@link writeSint}. */
  sintField(field: number, value: number): void {
    if ((value | 0) !== value) checkSint64(value);
    this.writeVarint32(((field << 3) | WireType.VARINT) >>> 0);
    this.writeSint(value);
  }

  /** A double field. */
  doubleField(field: number, value: number): void {
    this.writeVarint32(((field << 3) | WireType.I64) >>> 0);
    this.writeDouble(value);
  }

  /** A string field. */
  stringField(field: number, value: string): void {
    this.writeVarint32(((field << 3) | WireType.LEN) >>> 0);
    this.writeString(value);
  }

  /**
   * A packed repeated double field: one tag, the byte length, then the first `count` values (all
   * of `values` by default). Writes nothing when there are none, as protobuf encoders do.
   */
  packedDoubleField(field: number, values: ArrayLike<number>, count: number = values.length): void {
    checkCount(count, values);
    if (count === 0) return;
    this.writeVarint32(((field << 3) | WireType.LEN) >>> 0);
    this.writeVarint32(count * 8);
    if (this.pos + count * 8 > this.buf.length) this.grow(count * 8);
    const view = this.view;
    let p = this.pos;
    for (let i = 0; i < count; i++, p += 8) view.setFloat64(p, values[i]!, true);
    this.pos = p;
  }

  /**
   * A packed repeated zigzag field (sint32/sint64): one tag, the byte length, then the first
   * `count` values. Writes nothing when there are none, nor when a value is rejected.
   */
  packedSintField(field: number, values: ArrayLike<number>, count: number = values.length): void {
    checkCount(count, values);
    if (count === 0) return;
    for (let i = 0; i < count; i++) {
      const v = values[i]!;
      if ((v | 0) !== v) checkSint64(v);
    }
    const mark = this.beginMessage(field);
    for (let i = 0; i < count; i++) this.writeSint(values[i]!);
    this.endMessage(mark);
  }

  // ---------------------------------------------------------------------------------------------
  // Nested messages

  /**
   * Starts an embedded message (or any length-delimited field whose length is not known yet):
   * writes the tag and reserves the length. Returns a mark to pass to {@link endMessage}; marks
   * nest like parentheses.
   */
  beginMessage(field: number): number {
    this.writeVarint32(((field << 3) | WireType.LEN) >>> 0);
    return this.beginLength();
  }

  /** Ends the message started at `mark`, writing its length (minimal, moving the body if needed). */
  endMessage(mark: number): void {
    const length = this.pos - mark;
    if (length < 0x80) {
      this.buf[mark - 1] = length;
      return;
    }
    if (length > 0x7fffffff) {
      throw new RangeError(`ProtobufWriter: a message of ${length} bytes exceeds protobuf's 2 GiB`);
    }
    // The length needs more than the one reserved byte: move the body up. Each level of nesting
    // moves its own body at most once, and only bodies of 128 bytes or more.
    const extra = varintSize32(length) - 1;
    if (this.pos + extra > this.buf.length) this.grow(extra);
    this.buf.copyWithin(mark + extra, mark, this.pos);
    putVarint32(this.buf, mark - 1, length);
    this.pos += extra;
  }

  /**
   * Reserves the length prefix of a top-level delimited message (no tag), as the exposition
   * format `encoding=delimited` frames each MetricFamily. End it with {@link endMessage}.
   */
  beginDelimited(): number {
    return this.beginLength();
  }

  /** Writes one message prefixed by its varint length: `write` writes the message's fields. */
  delimited(write: (writer: this) => void): void {
    const mark = this.beginLength();
    write(this);
    this.endMessage(mark);
  }

  // ---------------------------------------------------------------------------------------------
  // Internals

  private beginLength(): number {
    if (this.pos + 1 > this.buf.length) this.grow(1);
    return ++this.pos;
  }

  private writeVarint32(value: number): void {
    if (this.pos + 5 > this.buf.length) this.grow(5);
    this.pos = putVarint32(this.buf, this.pos, value);
  }

  /** The slow path of writeVarint: values outside uint32, checked here where the check is cheap. */
  private writeVarint64(value: number): void {
    checkVarint64(value);
    let lo: number;
    let hi: number;
    if (value >= 0) {
      lo = value % TWO_32;
      hi = (value - lo) / TWO_32;
    } else {
      // Two's complement of |value| over 64 bits, in two 32-bit halves (both exact as doubles).
      const magnitude = -value;
      const mlo = magnitude % TWO_32;
      const mhi = (magnitude - mlo) / TWO_32;
      lo = (~mlo + 1) >>> 0;
      hi = (~mhi + (lo === 0 ? 1 : 0)) >>> 0;
    }
    this.writeVarintHiLo(hi, lo);
  }

  private writeSint64(value: number): void {
    checkSint64(value);
    // zigzag(v) = 2v for v >= 0 and 2|v| - 1 for v < 0, done on 32-bit halves so that no
    // intermediate leaves the doubles' exact range.
    const magnitude = Math.abs(value);
    const mlo = magnitude % TWO_32;
    const mhi = (magnitude - mlo) / TWO_32;
    let lo = (mlo * 2) % TWO_32;
    let hi = ((mhi * 2) % TWO_32) + (mlo >= 0x80000000 ? 1 : 0);
    if (value < 0) {
      if (lo === 0) {
        lo = 0xffffffff;
        hi -= 1;
      } else {
        lo -= 1;
      }
    }
    this.writeVarintHiLo(hi >>> 0, lo);
  }

  private writeVarintHiLo(hi: number, lo: number): void {
    if (this.pos + 10 > this.buf.length) this.grow(10);
    const buf = this.buf;
    let p = this.pos;
    // Seven bits at a time across the two halves, low bits first.
    while (hi > 0 || lo > 0x7f) {
      buf[p++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    buf[p++] = lo;
    this.pos = p;
  }

  /** Copies a short string: a byte per unit while it is ASCII, else by Buffer#write. Returns the bytes written. */
  private copyShort(value: string, start: number): number {
    const buf = this.buf;
    const n = value.length;
    for (let i = 0; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c > 0x7f) return buf.write(value, start);
      buf[start + i] = c;
    }
    return n;
  }

  private grow(needed: number): void {
    let capacity = Math.max(this.buf.length * 2, this.nextCapacity);
    while (capacity < this.pos + needed) capacity *= 2;
    const next = Buffer.allocUnsafe(capacity);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }
}
