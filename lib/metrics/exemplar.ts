/**
 * Exemplars: labels (a trace id, say) attached to one observation or increment, kept with its
 * value and the wall-clock time, so that a bucket or a counter links to the request behind it.
 * Only the OpenMetrics and protobuf formats show them.
 */
import { wallSeconds } from '../instrument/clock.js';
import type { Exemplar, Labels } from '../snapshot.js';
import { isWellFormed, show } from '../validation.js';

/** Exemplar labels of their own: the label names and values together, in UTF-8 code points (OpenMetrics). */
export const EXEMPLAR_MAX_CODE_POINTS = 128;

/** How many exemplars a native-only histogram series keeps, the most recent, one per native bucket. */
export const NATIVE_EXEMPLAR_LIMIT = 8;

/** OpenMetrics 1.0 exemplar label names are the legacy ones, which every reader accepts. */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const SURROGATE = /[\uD800-\uDFFF]/;

/** Code points, not UTF-16 units: an emoji counts once, as the OpenMetrics limit counts it. */
function codePoints(text: string): number {
  // Most values (trace ids) are ASCII: one unit per code point, no need to walk them.
  if (!SURROGATE.test(text)) return text.length;
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/**
 * Validates exemplar labels given to `inc()` or `observe()` and returns the exemplar, its labels
 * copied and frozen. `subject` names the metric in errors (`Counter requests`).
 */
export function makeExemplar(subject: string, labels: unknown, value: number): Exemplar {
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) {
    throw new TypeError(`${subject}: exemplar labels must be an object of label values by name, got ${show(labels)}`);
  }
  const copy: Record<string, string> = {};
  let length = 0;
  for (const name in labels) {
    if (!Object.hasOwn(labels, name)) continue;
    const labelValue: unknown = (labels as Record<string, unknown>)[name];
    if (!LABEL_NAME.test(name)) {
      throw new TypeError(`${subject}: invalid exemplar label name ${show(name)}: must match [a-zA-Z_][a-zA-Z0-9_]*`);
    }
    if (typeof labelValue !== 'string' || !isWellFormed(labelValue)) {
      throw new TypeError(`${subject}: exemplar label ${name} must be a well-formed string, got ${show(labelValue)}`);
    }
    length += name.length + codePoints(labelValue);
    copy[name] = labelValue;
  }
  if (length > EXEMPLAR_MAX_CODE_POINTS) {
    throw new RangeError(
      `${subject}: exemplar labels ${show(labels)} are ${length} code points long (names and values together); ` +
        `the limit is ${EXEMPLAR_MAX_CODE_POINTS}`,
    );
  }
  return Object.freeze({ labels: Object.freeze(copy) as Labels, value, timestamp: wallSeconds() });
}
