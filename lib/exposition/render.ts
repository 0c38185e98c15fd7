/** Picks the formatter for a format name. */
import type { MetricFamily } from '../snapshot.js';
import { BodyWriter } from './body.js';
import { OPENMETRICS_CONTENT_TYPE, writeOpenMetrics } from './openmetrics.js';
import { TEXT_CONTENT_TYPE, writeText } from './text.js';

/** The exposition formats: Prometheus text 0.0.4 and OpenMetrics 1.0.0. */
export type ExpositionFormat = 'text' | 'openmetrics';

/** Content-Type of each format. */
export const CONTENT_TYPES: Readonly<Record<ExpositionFormat, string>> = Object.freeze({
  text: TEXT_CONTENT_TYPE,
  openmetrics: OPENMETRICS_CONTENT_TYPE,
});

/** Renders a snapshot in one format, as bytes ready to send (what the server uses). */
export function renderExpositionBytes(families: readonly MetricFamily[], format: ExpositionFormat): Buffer {
  return write(families, format).bytes();
}

/** Renders a snapshot in one format. */
export function renderExposition(families: readonly MetricFamily[], format: ExpositionFormat): string {
  return write(families, format).text();
}

function write(families: readonly MetricFamily[], format: ExpositionFormat): BodyWriter {
  const out = new BodyWriter();
  if (format === 'openmetrics') writeOpenMetrics(families, out);
  else writeText(families, out);
  return out;
}
