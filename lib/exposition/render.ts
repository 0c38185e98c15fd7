/** Picks the formatter for a format name. */
import type { MetricFamily } from '../snapshot.js';
import { OPENMETRICS_CONTENT_TYPE, renderOpenMetrics } from './openmetrics.js';
import { TEXT_CONTENT_TYPE, renderText } from './text.js';

/** The exposition formats: Prometheus text 0.0.4 and OpenMetrics 1.0.0. */
export type ExpositionFormat = 'text' | 'openmetrics';

/** Content-Type of each format. */
export const CONTENT_TYPES: Readonly<Record<ExpositionFormat, string>> = Object.freeze({
  text: TEXT_CONTENT_TYPE,
  openmetrics: OPENMETRICS_CONTENT_TYPE,
});

/** Renders a snapshot in one format. */
export function renderExposition(families: readonly MetricFamily[], format: ExpositionFormat): string {
  return format === 'openmetrics' ? renderOpenMetrics(families) : renderText(families);
}
