/**
 * Label sets as the library makes them: read-only objects of label values by name, with one
 * hidden slot where the exposition keeps the text it rendered of them. A series keeps its label
 * set for its life, so a scrape renders each series' labels once and then reuses the text; the
 * metric that made the set never writes the slot, and nothing outside the library sees it
 * (it is a non-enumerable symbol property: spread, keys, JSON and deep equality skip it).
 */
import type { Labels } from './snapshot.js';

/** The slot of a label set holding its rendered text (see lib/exposition/tokens.ts). */
export const RENDERED = Symbol('prometric.renderedLabels');

/** A label set with its render slot: its text as an ASCII string, or as UTF-8 bytes when not ASCII. */
export type RenderableLabels = Labels & { [RENDERED]?: string | Uint8Array };

/** The render slot as every label set starts with it: hidden, writable, never removed. */
const RENDER_SLOT: PropertyDescriptor = { value: undefined, writable: true, enumerable: false, configurable: false };

/** Makes a read-only label set from names and values in the same order. */
export function labelSet(names: readonly string[], values: readonly string[]): Labels {
  const labels = {};
  // One definition per label (read-only from the start) is cheaper than assigning, then making
  // each read-only; and a label named __proto__ is a label, not the prototype.
  for (let i = 0; i < names.length; i++) {
    Object.defineProperty(labels, names[i]!, { value: values[i]!, enumerable: true });
  }
  Object.defineProperty(labels, RENDERED, RENDER_SLOT);
  return Object.preventExtensions(labels) as Labels;
}

/** Makes a read-only label set from a record (copied; insertion order kept). */
export function labelSetOf(record: Readonly<Record<string, string>>): Labels {
  const names = Object.keys(record);
  return labelSet(
    names,
    names.map((name) => record[name]!),
  );
}
