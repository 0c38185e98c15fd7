/**
 * Where a formatter writes: the body in UTF-8 chunks of about 64 KiB. Each chunk is appended to
 * with `+=` (cheap) and encoded while it is young, so a large scrape never holds a tree of
 * millions of strings until the end. That tree was most of a big scrape's cost: the garbage
 * collector copied it out of the young generation piece by piece, then the whole of it was
 * flattened and encoded again for the response.
 */
const CHUNK_CHARS = 1 << 16;

export class BodyWriter {
  private chunk = '';
  private readonly chunks: Buffer[] = [];
  private size = 0;

  write(text: string): void {
    this.chunk += text;
    if (this.chunk.length >= CHUNK_CHARS) this.flush();
  }

  /** The body as bytes, ready to send. */
  bytes(): Buffer {
    this.flush();
    return this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
  }

  /** The body as a string. */
  text(): string {
    return this.bytes().toString('utf8');
  }

  private flush(): void {
    if (this.chunk === '') return;
    const bytes = Buffer.from(this.chunk, 'utf8');
    this.chunks.push(bytes);
    this.size += bytes.length;
    this.chunk = '';
  }
}
