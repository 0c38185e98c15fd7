/**
 * The byte writer every format writes through: the body as a run of fixed-size Buffer chunks,
 * written in place (no string per line, no growing and copying of one body-sized buffer). A chunk
 * is handed on as soon as it is full, so a streamed scrape holds a few chunks at a time, not the
 * body, and `registry.metrics()` joins the same chunks.
 *
 * A write never spans two chunks: each reserves its room first, so every chunk is whole UTF-8 and
 * a line's parts can be copied within the chunk (histogram buckets repeat their series' head).
 */

import { formatValue } from './numbers.js';

/** Bytes of a chunk: a few socket writes' worth; what a slow client makes the server hold per scrape. */
export const CHUNK_BYTES = 64 * 1024;

// Up to this many characters a string is copied by a JS loop: Buffer's writes cost a fixed call
// into C++ that short strings (names, `} `, most label texts of one label) do not repay.
const SHORT_STRING = 16;
// Bytes are copied by a loop up to this many, by TypedArray#set beyond.
const SHORT_BYTES = 8;
/**
 * Buffer's own per-encoding writes, which `buf.write(text, offset, encoding)` reaches after
 * parsing its arguments: long-standing methods of every Node Buffer, though not documented, so
 * they are looked up once and replaced by `write` where missing.
 */
interface EncodingWrites {
  latin1Write(text: string, offset: number, length: number): number;
  utf8Write(text: string, offset: number): number;
}
const ENCODING_WRITES = typeof (Buffer.prototype as unknown as Partial<EncodingWrites>).latin1Write === 'function';

/** Writes ASCII text at `offset`; returns the bytes written. */
function latin1Write(buf: Buffer, text: string, offset: number, length: number): number {
  return ENCODING_WRITES
    ? (buf as unknown as EncodingWrites).latin1Write(text, offset, length)
    : buf.write(text, offset, length, 'latin1');
}

/** Writes text as UTF-8 at `offset`; returns the bytes written. */
function utf8Write(buf: Buffer, text: string, offset: number): number {
  return ENCODING_WRITES ? (buf as unknown as EncodingWrites).utf8Write(text, offset) : buf.write(text, offset, 'utf8');
}

const MINUS = 0x2d;
const EMPTY = Buffer.alloc(0);
const ZERO = 0x30;

/** Writes bytes into fixed-size chunks; {@link take} hands over those that are full. */
export class ChunkWriter {
  /** The chunk being written. */
  buf: Buffer;
  /** The next byte to write in {@link buf}. */
  pos = 0;
  /** Whether a byte above 0x7f was written: the body is then UTF-8, not ASCII. */
  nonAscii = false;
  private readonly full: Buffer[] = [];
  private fullBytes = 0;

  /** The size of the next chunk: `chunkBytes` for the first, at most {@link CHUNK_BYTES} after it. */
  private nextChunkBytes: number;

  /**
   * @param chunkBytes the size of a chunk (a write larger than that gets a chunk of its own size);
   *   a caller that joins the body can give about its size, and later chunks are ordinary ones.
   */
  constructor(readonly chunkBytes = CHUNK_BYTES) {
    this.nextChunkBytes = chunkBytes;
    // The first chunk is allocated by the first write: a render that only adopts needs none.
    this.buf = EMPTY;
  }

  /** Bytes of the chunks that are full and not taken yet. */
  get pendingBytes(): number {
    return this.fullBytes;
  }

  /**
   * Makes room for `bytes` more in the current chunk: when they do not fit, the chunk is closed
   * and a new one started (as large as needed for a write larger than a chunk).
   */
  room(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    if (this.pos > 0) this.close();
    this.pos = 0;
    this.buf = Buffer.allocUnsafeSlow(Math.max(this.nextChunkBytes, bytes));
    // A first chunk sized for a whole body that turns out larger is followed by ordinary ones.
    this.nextChunkBytes = Math.min(this.chunkBytes, CHUNK_BYTES);
  }

  /** One byte (an ASCII character code). */
  byte(code: number): void {
    if (this.pos >= this.buf.length) this.room(1);
    this.buf[this.pos++] = code;
  }

  /** Two bytes, e.g. `} `. */
  byte2(a: number, b: number): void {
    if (this.pos + 2 > this.buf.length) this.room(2);
    const buf = this.buf;
    buf[this.pos] = a;
    buf[this.pos + 1] = b;
    this.pos += 2;
  }

  /** A string known to be ASCII (prepared label text, a number's text). */
  ascii(text: string): void {
    const n = text.length;
    if (this.pos + n > this.buf.length) this.room(n);
    if (n <= SHORT_STRING) {
      const buf = this.buf;
      const p = this.pos;
      for (let i = 0; i < n; i++) buf[p + i] = text.charCodeAt(i);
      this.pos = p + n;
    } else {
      this.pos += latin1Write(this.buf, text, this.pos, n);
    }
  }

  /** Any string, as UTF-8 (lone surrogates become U+FFFD, as Buffer encodes them). */
  text(text: string): void {
    const n = text.length;
    // A UTF-16 unit takes at most 3 bytes in UTF-8 (a surrogate pair: 4 for 2 units).
    if (this.pos + n * 3 > this.buf.length) this.room(n * 3);
    if (n <= SHORT_STRING) {
      const buf = this.buf;
      const p = this.pos;
      for (let i = 0; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c > 0x7f) {
          this.nonAscii = true;
          this.pos = p + utf8Write(buf, text, p);
          return;
        }
        buf[p + i] = c;
      }
      this.pos = p + n;
      return;
    }
    const written = utf8Write(this.buf, text, this.pos);
    if (written !== n) this.nonAscii = true;
    this.pos += written;
  }

  /** Bytes as they are (pre-encoded parts: a name's head, a bucket's `le`). */
  bytes(bytes: Uint8Array, ascii = true): void {
    const n = bytes.length;
    if (this.pos + n > this.buf.length) this.room(n);
    if (!ascii) this.nonAscii = true;
    const buf = this.buf;
    const p = this.pos;
    if (n <= SHORT_BYTES) {
      for (let i = 0; i < n; i++) buf[p + i] = bytes[i]!;
    } else {
      buf.set(bytes, p);
    }
    this.pos = p + n;
  }

  /**
   * Copies `length` bytes written earlier at `start` of `from` (the chunk that was current then) to
   * the end. The caller reserves room first so that this is normally the current chunk; if a write
   * still started a new one, the bytes are copied across from the old.
   */
  repeat(start: number, length: number, from: Buffer): void {
    if (this.pos + length > this.buf.length) this.room(length);
    const buf = this.buf;
    const p = this.pos;
    if (from !== buf) {
      buf.set(from.subarray(start, start + length), p);
    } else if (length <= SHORT_BYTES) {
      for (let i = 0; i < length; i++) buf[p + i] = buf[start + i]!;
    } else {
      buf.copyWithin(p, start, start + length);
    }
    this.pos = p + length;
  }

  /**
   * A whole number as decimal digits, written by hand (`-` first when negative); the caller
   * passes only safe integers, and not -0 (whose text is `-0`).
   */
  integer(value: number): void {
    if (this.pos + 17 > this.buf.length) this.room(17);
    if (value < 0) {
      this.buf[this.pos++] = MINUS;
      value = -value;
    }
    if (value <= 0xffffffff) {
      this.pos = putUint32(this.buf, this.pos, value);
      return;
    }
    const buf = this.buf;
    let digits = 10;
    for (let rest = Math.floor(value / 1e10); rest > 0; rest = Math.floor(rest / 10)) digits++;
    let p = this.pos + digits;
    this.pos = p;
    while (value > 0) {
      const next = Math.floor(value / 10);
      buf[--p] = ZERO + (value - next * 10);
      value = next;
    }
  }

  /** A sample value: digits by hand for a whole number, else its shortest round-trip text (numbers.ts). */
  value(value: number): void {
    if ((value >>> 0 === value && (value !== 0 || 1 / value > 0)) || (Number.isSafeInteger(value) && value !== 0)) {
      this.integer(value);
    } else {
      this.ascii(formatValue(value));
    }
  }

  /** Hands over the chunks that are full, emptying the list. */
  take(): Buffer[] {
    const taken = this.full.splice(0);
    this.fullBytes = 0;
    return taken;
  }

  /** Closes the current chunk (if it holds anything) and hands over every chunk left. */
  end(): Buffer[] {
    if (this.pos > 0) this.close();
    this.buf = EMPTY;
    this.pos = 0;
    return this.take();
  }

  /**
   * Adds bytes made elsewhere (a protobuf family's message) as chunks of their own, after those
   * written so far, without copying them.
   */
  adopt(bytes: Buffer): void {
    if (this.pos > 0) {
      this.close();
      this.buf = EMPTY;
    }
    for (let start = 0; start < bytes.length; start += this.chunkBytes) {
      const chunk = bytes.subarray(start, Math.min(bytes.length, start + this.chunkBytes));
      this.full.push(chunk);
      this.fullBytes += chunk.length;
    }
  }

  private close(): void {
    let chunk = this.buf.subarray(0, this.pos);
    // A buffer sized for a larger body (the last one's size) is not kept alive by a small body.
    if (this.buf.length > CHUNK_BYTES && this.pos * 2 < this.buf.length) chunk = Buffer.from(chunk);
    this.full.push(chunk);
    this.fullBytes += chunk.length;
    this.pos = 0;
  }
}

/** Writes a uint32 as decimal digits at `p` (room made); returns the position after them. */
function putUint32(buf: Buffer, p: number, value: number): number {
  if (value < 10) {
    buf[p] = ZERO + value;
    return p + 1;
  }
  const digits =
    value < 100
      ? 2
      : value < 1e3
        ? 3
        : value < 1e4
          ? 4
          : value < 1e5
            ? 5
            : value < 1e6
              ? 6
              : value < 1e7
                ? 7
                : value < 1e8
                  ? 8
                  : value < 1e9
                    ? 9
                    : 10;
  let end = p + digits;
  const after = end;
  do {
    const next = (value / 10) >>> 0;
    buf[--end] = ZERO + (value - next * 10);
    value = next;
  } while (value > 0);
  return after;
}

/**
 * The text of chunks a writer wrote: `nonAscii` false when it wrote no byte above 0x7f (then
 * decoded as Latin-1, a copy). Joined first: one decode of the body is several times cheaper than
 * a string per chunk joined.
 */
export function chunksText(chunks: readonly Buffer[], nonAscii: boolean): string {
  const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  return body.toString(nonAscii ? 'utf8' : 'latin1');
}

/**
 * A writer that lives as long as the module, never written to. V8 gives objects their hidden class
 * through transitions that it holds weakly: when every writer of a scrape is gone, a full garbage
 * collection frees their hidden class, deoptimizes the rendering code compiled against it, and the
 * next scrape runs unoptimized until it is compiled again (several times slower right after a GC).
 * One writer kept alive keeps the class, and the compiled code, for every later writer. Exported
 * only so that no compiler drops it as unused; nothing imports it.
 */
export const KEPT_FOR_ITS_SHAPE = new ChunkWriter();
