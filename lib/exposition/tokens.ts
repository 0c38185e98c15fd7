/**
 * The parts of sample lines that the text formats (0.0.4, 1.0.0 and OpenMetrics) share: label text
 * and the head of a line, for the name-escaping scheme the scraper asked for.
 *
 * A series' label text is rendered once and kept, keyed by its label set (the metrics keep their
 * label sets between scrapes), so a scrape mostly concatenates prepared parts. Only label sets
 * whose names are all legacy are kept: their text is the same under every scheme.
 */
import { RENDERED, type RenderableLabels } from '../label-set.js';
import type { ChunkWriter } from './chunk-writer.js';
import {
  escapeLabelName,
  escapeName,
  isLegacyLabelName,
  isLegacyMetricName,
  quoteName,
  type EscapingScheme,
} from './names.js';

const NEEDS_ESCAPE = /[\\"\n]/;

/** A label value inside double quotes: backslash, quote and newline escaped (every text format). */
export function escapeLabelValue(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** A label name as written: escaped per the scheme, or quoted under `allow-utf-8` when not legacy. */
function labelName(name: string, escaping: EscapingScheme): string {
  if (isLegacyLabelName(name)) return name;
  return escaping === 'allow-utf-8' ? quoteName(name) : escapeLabelName(name, escaping);
}

/**
 * A label set's text as a writer takes it: an ASCII string (written byte per character) or, when
 * a value is not ASCII, its UTF-8 bytes. '' for no labels.
 */
export type PreparedLabels = string | Uint8Array;

/**
 * `a="x",b="y"`, the label pairs of a set without braces, prepared for writing. Rendered once per
 * label set and kept in its slot when the library made the set and every name is legacy (the text
 * is then the same under every scheme), so a scrape mostly copies prepared text.
 */
export function preparedLabels(labels: RenderableLabels, escaping: EscapingScheme): PreparedLabels {
  const known = labels[RENDERED];
  if (known !== undefined) return known;
  const parts: string[] = [];
  let legacy = true;
  for (const name in labels) {
    if (!isLegacyLabelName(name)) legacy = false;
    parts.push(`${parts.length === 0 ? '' : ','}${labelName(name, escaping)}="`, escapeLabelValue(labels[name]!), '"');
  }
  // join() makes one flat string; `+=` would leave a tree to walk at every write.
  const text = parts.join('');
  // Every character is one byte exactly when the text is ASCII.
  const prepared: PreparedLabels = Buffer.byteLength(text, 'utf8') === text.length ? text : Buffer.from(text, 'utf8');
  // Kept in the label set's slot when the library made it (a read-only set with the slot).
  if (legacy && Object.hasOwn(labels, RENDERED)) (labels as { [RENDERED]?: PreparedLabels })[RENDERED] = prepared;
  return prepared;
}

/** Writes prepared label text. */
export function writeLabels(out: ChunkWriter, labels: PreparedLabels): void {
  if (typeof labels === 'string') out.ascii(labels);
  else out.bytes(labels, false);
}

/** One more label pair after a label text (a bucket's `le`, a quantile), as `,le="0.5"` or `le="0.5"`. */
export function pairText(name: string, value: string): string {
  return `${name}="${escapeLabelValue(value)}"`;
}

/**
 * How a sample name starts its line. A legacy (or escaped) name stands before the braces:
 * `name{labels} v` or `name v`; under `allow-utf-8` a name outside the legacy set is quoted inside
 * them: `{"name",labels} v` or `{"name"} v`.
 */
export interface LineHead {
  /** The whole head of a line without labels, up to the value: `name ` or `{"name"} `. */
  readonly bare: string;
  /** The head of a line with labels, up to the first label: `name{` or `{"name",`. */
  readonly open: string;
  /** The name as HELP and TYPE lines write it: `name` or `"name"`. */
  readonly metadata: string;
  /** {@link bare} as UTF-8 bytes. */
  readonly bareBytes: Uint8Array;
  /** {@link open} as UTF-8 bytes. */
  readonly openBytes: Uint8Array;
  /** Whether the name is ASCII (a quoted UTF-8 name may not be). */
  readonly ascii: boolean;
}

function headOf(bare: string, open: string, metadata: string): LineHead {
  const bareBytes = Buffer.from(bare, 'utf8');
  return {
    bare,
    open,
    metadata,
    bareBytes,
    openBytes: Buffer.from(open, 'utf8'),
    ascii: bareBytes.length === bare.length,
  };
}

/**
 * The line head of a sample name: `family` escaped as a whole per the scheme (as client_golang
 * escapes a family's name), then `suffix` (`_total`, `_bucket`, ...) appended.
 */
export function lineHead(family: string, suffix: string, escaping: EscapingScheme): LineHead {
  if (escaping === 'allow-utf-8' && !isLegacyMetricName(family)) {
    const quoted = quoteName(family + suffix);
    return headOf(`{${quoted}} `, `{${quoted},`, quoted);
  }
  const name = escapeName(family, escaping) + suffix;
  return headOf(`${name} `, `${name}{`, name);
}

/** The line heads of one family's sample names, made once each per scrape. */
export class FamilyHeads {
  private readonly made = new Map<string, LineHead>();

  constructor(
    private readonly family: string,
    private readonly escaping: EscapingScheme,
  ) {}

  /** The head of a sample name of this family (`family` plus a suffix such as `_total`). */
  of(sampleName: string): LineHead {
    let head = this.made.get(sampleName);
    if (head === undefined) {
      const { family } = this;
      const suffix = sampleName.startsWith(family) ? sampleName.slice(family.length) : undefined;
      head = suffix === undefined ? lineHead(sampleName, '', this.escaping) : lineHead(family, suffix, this.escaping);
      this.made.set(sampleName, head);
    }
    return head;
  }
}

/** Keeps the hidden class of FamilyHeads alive between scrapes (see chunk-writer.ts KEPT_FOR_ITS_SHAPE). */
export const HEADS_KEPT_FOR_THEIR_SHAPE = new FamilyHeads('', 'underscores');
