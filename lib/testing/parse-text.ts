/**
 * A reader of the sample lines of the text format 0.0.4, for the expected text that
 * `expectMetrics` is given: `name{label="value",...} value [timestamp]`. Comment lines (`# HELP`,
 * `# TYPE` and others) and blank lines are skipped: only samples are compared.
 */
import { parseBound } from '../bounds.js';

/** One sample of the expected text, and the line it was read from (for messages). */
export interface ExpectedSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** Milliseconds since the epoch, when the line gives one. */
  readonly timestamp?: number;
  /** The 1-based line number in the expected text. */
  readonly line: number;
}

const METRIC_NAME = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const LABEL_NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;
const BLANK = /[ \t]*/y;
const TIMESTAMP = /^[+-]?\d+$/;

/** Thrown for a line that is not a text 0.0.4 sample; names the line and what was wrong. */
function syntaxError(caller: string, line: number, text: string, why: string): TypeError {
  return new TypeError(`${caller}: expectedText line ${line} is not a text 0.0.4 sample (${why}): ${text}`);
}

/**
 * A sample value as the text format spells it: a decimal or exponent number, `NaN`, `+Inf`,
 * `-Inf` (Go's ParseFloat spellings of the special values, case-insensitive, are read too).
 */
function parseValue(text: string): number | undefined {
  if (/^nan$/i.test(text)) return NaN;
  const value = parseBound(text);
  return value !== value ? undefined : value;
}

/** Reads every sample line of `text`; throws a TypeError naming `caller` and the line on the first bad one. */
export function parseExpectedText(caller: string, text: string): ExpectedSample[] {
  const samples: ExpectedSample[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    samples.push(parseSampleLine(caller, trimmed, i + 1));
  }
  return samples;
}

function parseSampleLine(caller: string, text: string, line: number): ExpectedSample {
  const fail = (why: string): TypeError => syntaxError(caller, line, text, why);
  METRIC_NAME.lastIndex = 0;
  const name = METRIC_NAME.exec(text)?.[0];
  if (name === undefined) throw fail('no metric name at its start');
  let at = name.length;
  const labels: Record<string, string> = {};
  // Blanks may stand between the name and its labels, as Prometheus' own text parser reads them.
  const labelsAt = skipBlanks(text, at);
  if (text[labelsAt] === '{') at = parseLabels(text, labelsAt + 1, labels, fail);
  const rest = text.slice(at);
  if (!/^[ \t]/.test(rest)) throw fail(rest === '' ? 'no value' : `unexpected ${JSON.stringify(rest[0])}`);
  const fields = rest.trim().split(/[ \t]+/);
  if (fields.length > 2) throw fail(`unexpected ${JSON.stringify(fields[2])} after the timestamp`);
  const value = parseValue(fields[0]!);
  if (value === undefined) throw fail(`value ${JSON.stringify(fields[0])} is not a number`);
  if (fields.length === 1) return { name, labels, value, line };
  if (!TIMESTAMP.test(fields[1]!)) throw fail(`timestamp ${JSON.stringify(fields[1])} is not an integer`);
  return { name, labels, value, timestamp: Number(fields[1]), line };
}

/** Reads `name="value"` pairs from just after `{` to past `}`; returns the index after `}`. */
function parseLabels(
  text: string,
  start: number,
  labels: Record<string, string>,
  fail: (why: string) => TypeError,
): number {
  let at = skipBlanks(text, start);
  while (text[at] !== '}') {
    LABEL_NAME.lastIndex = at;
    const labelName = LABEL_NAME.exec(text)?.[0];
    if (labelName === undefined) throw fail(`a label name expected at column ${at + 1}`);
    if (Object.hasOwn(labels, labelName)) throw fail(`label ${labelName} given twice`);
    at = skipBlanks(text, at + labelName.length);
    if (text[at] !== '=') throw fail(`"=" expected after label ${labelName}`);
    at = skipBlanks(text, at + 1);
    if (text[at] !== '"') throw fail(`a quoted value expected for label ${labelName}`);
    let value = '';
    for (at++; ; at++) {
      const c = text[at];
      if (c === undefined) throw fail(`the value of label ${labelName} is not closed`);
      if (c === '"') break;
      if (c !== '\\') {
        value += c;
        continue;
      }
      const escaped = text[++at];
      if (escaped === 'n') value += '\n';
      else if (escaped === '\\' || escaped === '"') value += escaped;
      else throw fail(`invalid escape \\${escaped ?? ''} in the value of label ${labelName}`);
    }
    labels[labelName] = value;
    at = skipBlanks(text, at + 1);
    if (text[at] === ',') at = skipBlanks(text, at + 1);
    else if (text[at] !== '}') throw fail(`"," or "}" expected after label ${labelName}`);
  }
  return at + 1;
}

function skipBlanks(text: string, at: number): number {
  BLANK.lastIndex = at;
  BLANK.exec(text);
  return BLANK.lastIndex;
}
