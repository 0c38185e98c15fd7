/**
 * Where a formatter writes: the body in chunks of about 256 Ki characters. Each chunk is appended
 * to with `+` (cheap: V8 links the parts as a tree of strings) and copied into one flat string
 * as it fills, so that a large scrape never holds a tree of millions of strings until the end.
 * That tree was most of a big scrape's cost: the garbage collector copied it out of the young
 * generation piece by piece, then the whole of it was flattened again for the response.
 */
// Above V8's largest regular object (128 KiB): a flat chunk is born in large-object space, which
// the scavenger never copies (64 Ki chunks were copied, 4-6 ms per scavenge in a 10k-histogram scrape).
const CHUNK_CHARS = 1 << 18;

export class BodyWriter {
  private chunk = '';
  private readonly chunks: string[] = [];

  write(text: string): void {
    this.chunk += text;
    if (this.chunk.length >= CHUNK_CHARS) this.flush();
  }

  /** Writes the two parts of a line, without making the line a string of its own first. */
  write2(a: string, b: string): void {
    this.chunk = this.chunk + a + b;
    if (this.chunk.length >= CHUNK_CHARS) this.flush();
  }

  /** Writes the three parts of a line, without making the line a string of its own first. */
  write3(a: string, b: string, c: string): void {
    this.chunk = this.chunk + a + b + c;
    if (this.chunk.length >= CHUNK_CHARS) this.flush();
  }

  /** Writes the four parts of a line, without making the line a string of its own first. */
  write4(a: string, b: string, c: string, d: string): void {
    this.chunk = this.chunk + a + b + c + d;
    if (this.chunk.length >= CHUNK_CHARS) this.flush();
  }

  /** Writes the five parts of a line, without making the line a string of its own first. */
  write5(a: string, b: string, c: string, d: string, e: string): void {
    this.chunk = this.chunk + a + b + c + d + e;
    if (this.chunk.length >= CHUNK_CHARS) this.flush();
  }

  /** The body as a string. */
  text(): string {
    this.flush();
    return this.chunks.length === 1 ? this.chunks[0]! : this.chunks.join('');
  }

  /** The body as UTF-8 bytes, ready to send. */
  bytes(): Buffer {
    return Buffer.from(this.text(), 'utf8');
  }

  private flush(): void {
    if (this.chunk === '') return;
    // charCodeAt() makes V8 flatten the tree in place (one copy); the tree's nodes die young.
    this.chunk.charCodeAt(0);
    this.chunks.push(this.chunk);
    this.chunk = '';
  }
}
