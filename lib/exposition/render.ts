/** Picks the formatter for a format name, and renders a snapshot whole or in slices. */
import { now } from '../instrument/clock.js';
import type { MetricFamily } from '../snapshot.js';
import { CHUNK_BYTES, ChunkWriter, chunksText } from './chunk-writer.js';
import type { EscapingScheme } from './names.js';
import { OPENMETRICS_CONTENT_TYPE, writeOpenMetrics } from './openmetrics.js';
import { PROTOBUF_CONTENT_TYPE, writeProtobuf } from './protobuf.js';
import { TEXT_CONTENT_TYPE, writeText } from './text.js';

/**
 * The text exposition formats: Prometheus text (0.0.4, or 1.0.0 with UTF-8 names under
 * `allow-utf-8`) and OpenMetrics 1.0.0.
 */
export type TextExpositionFormat = 'text' | 'openmetrics';

/**
 * Every exposition format: the text ones and `protobuf`, delimited `io.prometheus.client.MetricFamily`
 * messages (bytes, not text).
 */
export type ExpositionFormat = TextExpositionFormat | 'protobuf';

/** Options of rendering a snapshot. */
export interface RenderOptions {
  /**
   * How names outside the legacy character set are written (see {@link EscapingScheme}); legacy
   * names are written as they are under every scheme. Default `underscores`.
   */
  readonly escaping?: EscapingScheme;
}

/** Content-Type of each format, names escaped with underscores. */
export const CONTENT_TYPES: Readonly<Record<ExpositionFormat, string>> = Object.freeze({
  text: TEXT_CONTENT_TYPE,
  openmetrics: OPENMETRICS_CONTENT_TYPE,
  protobuf: PROTOBUF_CONTENT_TYPE,
});

/** The generator that writes `families` in `format` into `out` (every format writes through a ChunkWriter). */
function formatWriter(
  families: readonly MetricFamily[],
  format: ExpositionFormat,
  out: ChunkWriter,
  escaping: EscapingScheme,
): Generator<void, void, void> {
  if (format === 'openmetrics') return writeOpenMetrics(families, out, escaping);
  if (format === 'protobuf') return writeProtobuf(families, out, escaping);
  return writeText(families, out, escaping);
}

/** The largest chunk a whole body is rendered into (a larger body takes several). */
const MAX_WHOLE_CHUNK_BYTES = 64 * 1024 * 1024;

/** The size of the last whole body rendered, by format: the size of the next one's buffer. */
const lastBodyBytes = new Map<ExpositionFormat, number>();

/**
 * The chunk size to render a whole body of `format` into: about the size of the last one, so
 * that a body usually takes one allocation and no join.
 */
export function wholeBodyChunkBytes(lastBytes: number): number {
  return Math.min(MAX_WHOLE_CHUNK_BYTES, Math.max(CHUNK_BYTES, Math.ceil(lastBytes * 1.125)));
}

/** Renders a whole snapshot into one buffer (or a few) and returns them with whether any byte is above 0x7f. */
function renderWhole(
  families: readonly MetricFamily[],
  format: ExpositionFormat,
  escaping: EscapingScheme,
): { body: Buffer; nonAscii: boolean } {
  const out = new ChunkWriter(wholeBodyChunkBytes(lastBodyBytes.get(format) ?? 0));
  for (const _ of formatWriter(families, format, out, escaping));
  const chunks = out.end();
  const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  lastBodyBytes.set(format, body.length);
  return { body, nonAscii: out.nonAscii };
}

/** Renders a snapshot in one format, as bytes ready to send. */
export function renderExpositionBytes(
  families: readonly MetricFamily[],
  format: ExpositionFormat,
  options: RenderOptions = {},
): Buffer {
  return renderWhole(families, format, options.escaping ?? 'underscores').body;
}

/**
 * Renders a snapshot in a text format. The protobuf format is bytes: render it with
 * {@link renderExpositionBytes}.
 */
export function renderExposition(
  families: readonly MetricFamily[],
  format: TextExpositionFormat,
  options: RenderOptions = {},
): string {
  if (format === ('protobuf' as string)) {
    throw new TypeError(
      'renderExposition: the protobuf format is bytes, not text: use renderExpositionBytes(families, "protobuf")',
    );
  }
  const { body, nonAscii } = renderWhole(families, format, options.escaping ?? 'underscores');
  return chunksText([body], nonAscii);
}

/** Resolves in a later event-loop turn, after the I/O that is waiting: what a renderer waits for between slices. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Milliseconds of rendering per event-loop turn, past which a slice ends at its next yield. A
 * request that arrives during a slice waits for it, so the budget bounds what a scrape adds to
 * other requests' latency (bench/load/ideal-slicer.js measures that for a given budget); a turn
 * costs the scrape next to nothing.
 */
export const SLICE_BUDGET_MS = 1;

/**
 * A render that goes in slices: each {@link slice} call writes until its time budget is spent
 * (checked every few hundred series) or the body is done, and returns the chunks completed. Between
 * slices the caller gives the event loop its turn; {@link stop} ends a render it no longer wants.
 * The snapshot it renders is data already collected: rendering reads no metric.
 */
export class SlicedRender {
  private readonly out: ChunkWriter;
  private readonly steps: Generator<void, void, void>;
  private readonly budgetMs: number;
  #done = false;

  /**
   * `chunkBytes` is the size of the chunks: {@link CHUNK_BYTES} for a body sent as it comes; a
   * caller that joins the body anyway can ask for about its size, to allocate once.
   */
  constructor(
    families: readonly MetricFamily[],
    format: ExpositionFormat,
    options: RenderOptions = {},
    { budgetMs = SLICE_BUDGET_MS, chunkBytes = CHUNK_BYTES }: { budgetMs?: number; chunkBytes?: number } = {},
  ) {
    this.budgetMs = budgetMs;
    this.out = new ChunkWriter(chunkBytes);
    this.steps = formatWriter(families, format, this.out, options.escaping ?? 'underscores');
  }

  /** Whether a byte above 0x7f was written so far: the text is then UTF-8, not ASCII. */
  get nonAscii(): boolean {
    return this.out.nonAscii;
  }

  /** Whether the body is complete: the last slice returned its last chunk. */
  get done(): boolean {
    return this.#done;
  }

  /**
   * Renders one slice. Returns the chunks it completed (possibly none; all that are left when
   * the body is done). `maxBytes`, when given, also ends the slice once that many bytes are ready;
   * `deadline` (a time of instrument/clock.ts's `now()`) ends it, by default the budget from now.
   */
  slice(maxBytes = Infinity, deadline = now() + this.budgetMs): Buffer[] {
    if (this.#done) return [];
    for (;;) {
      if (this.steps.next().done === true) {
        this.#done = true;
        return this.out.end();
      }
      if (now() >= deadline || this.out.pendingBytes >= maxBytes) return this.out.take();
    }
  }

  /** Ends the render early, letting go of what it holds. */
  stop(): void {
    if (this.#done) return;
    this.#done = true;
    this.steps.return();
    this.out.end();
  }
}
