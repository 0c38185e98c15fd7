/** Picks the formatter for a format name. */
import type { MetricFamily } from '../snapshot.js';
import { BodyWriter } from './body.js';
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

/** Renders a snapshot in one format, as bytes ready to send (what the server uses). */
export function renderExpositionBytes(
  families: readonly MetricFamily[],
  format: ExpositionFormat,
  options: RenderOptions = {},
): Buffer {
  const { escaping = 'underscores' } = options;
  if (format === 'protobuf') return writeProtobuf(families, escaping);
  return writeTextFormat(families, format, escaping).bytes();
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
  return writeTextFormat(families, format, options.escaping ?? 'underscores').text();
}

function writeTextFormat(
  families: readonly MetricFamily[],
  format: TextExpositionFormat,
  escaping: EscapingScheme,
): BodyWriter {
  const out = new BodyWriter();
  if (format === 'openmetrics') writeOpenMetrics(families, out, escaping);
  else writeText(families, out, escaping);
  return out;
}
