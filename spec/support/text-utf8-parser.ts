/**
 * A small, strict reader of the Prometheus text format 1.0.0 with UTF-8 names (prometheus/docs,
 * "Text-based format", UTF-8 names): a name outside the legacy set is quoted, a metric name then
 * stands inside the braces as their first item (`{"my.metric",a="1"} 2`), a label name is quoted
 * before its `=`. Written for the specs, because Debian's prometheus_client and promtool (2.42)
 * predate quoted names.
 *
 * Strict where a lenient reader would hide a writer bug: anything but HELP/TYPE comments, sample
 * lines and a final newline is an error, as are unknown escapes, a name given twice in a sample,
 * a label given twice, a value or timestamp that is not a number, and a sample outside the family
 * its TYPE line opened.
 */

/** A family as its HELP and TYPE lines declare it, with the samples that follow them. */
export interface TextFamily {
  readonly name: string;
  readonly type: string;
  readonly help: string;
  readonly samples: TextSample[];
}

export interface TextSample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
  /** The timestamp in milliseconds, when the line has one. */
  readonly timestampMs?: number;
}

const LEGACY_METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LEGACY_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
/** Go's ParseFloat forms a writer may use. */
const FLOAT = /^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?Inf|NaN)$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
/** The sample names a family of each type may have, by suffix. */
const SUFFIXES: Readonly<Record<string, readonly string[]>> = {
  counter: [''],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_count', '_sum'],
  summary: ['', '_count', '_sum'],
};

class Cursor {
  at = 0;
  constructor(
    readonly line: string,
    readonly lineNumber: number,
  ) {}

  fail(what: string): never {
    throw new Error(`line ${this.lineNumber}: ${what} at column ${this.at + 1}: ${JSON.stringify(this.line)}`);
  }

  peek(): string | undefined {
    return this.line[this.at];
  }

  expect(char: string): void {
    if (this.line[this.at] !== char) this.fail(`expected ${JSON.stringify(char)}`);
    this.at++;
  }

  /** A double-quoted string; `escapes` maps the character after a backslash to what it stands for. */
  quoted(escapes: Readonly<Record<string, string>>): string {
    this.expect('"');
    let out = '';
    for (;;) {
      const c = this.line[this.at++];
      if (c === undefined) this.fail('unterminated string');
      if (c === '"') return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const next = this.line[this.at++];
      if (next === undefined || !Object.hasOwn(escapes, next)) this.fail(`unknown escape \\${next ?? ''}`);
      out += escapes[next];
    }
  }

  /** A name: legacy (matched by `legacy`) or quoted. */
  name(legacy: RegExp): string {
    if (this.peek() === '"') return this.quoted(NAME_ESCAPES);
    const found = legacy.exec(this.line.slice(this.at));
    if (found === null) this.fail('expected a name');
    this.at += found[0].length;
    return found[0];
  }

  /** The rest of the line up to the next space (or its end). */
  word(): string {
    const end = this.line.indexOf(' ', this.at);
    const word = this.line.slice(this.at, end < 0 ? undefined : end);
    this.at = end < 0 ? this.line.length : end;
    return word;
  }
}

const NAME_ESCAPES = { '\\': '\\', '"': '"', n: '\n' } as const;
const HELP_ESCAPES = { '\\': '\\', n: '\n' } as const;

function unescapeHelp(text: string, cursor: Cursor): string {
  return text.replace(/\\(.?)/g, (_, c: string) => {
    if (!Object.hasOwn(HELP_ESCAPES, c)) cursor.fail(`unknown escape in help \\${c}`);
    return HELP_ESCAPES[c as keyof typeof HELP_ESCAPES];
  });
}

/** The labels inside braces (the cursor after `{`); a quoted first item is the metric name. */
function readBraces(cursor: Cursor, nameBefore: string | undefined): { name: string; labels: Record<string, string> } {
  let name = nameBefore;
  const labels: Record<string, string> = {};
  let first = true;
  while (cursor.peek() !== '}') {
    if (!first) {
      cursor.expect(',');
      if (cursor.peek() === '}') break; // a trailing comma
    }
    const quoted = cursor.peek() === '"';
    const item = cursor.name(LEGACY_LABEL_NAME);
    if (first && name === undefined && quoted && cursor.peek() !== '=') {
      name = item;
    } else {
      cursor.expect('=');
      if (Object.hasOwn(labels, item)) cursor.fail(`label ${JSON.stringify(item)} twice`);
      labels[item] = cursor.quoted(NAME_ESCAPES);
    }
    first = false;
  }
  cursor.expect('}');
  if (name === undefined) cursor.fail('a sample without a metric name');
  return { name, labels };
}

function readNumber(text: string, cursor: Cursor, what: string): number {
  if (!FLOAT.test(text)) cursor.fail(`${what} ${JSON.stringify(text)} is not a number`);
  return text.endsWith('Inf') ? (text.startsWith('-') ? -Infinity : Infinity) : Number(text);
}

function readSample(cursor: Cursor): TextSample {
  let name: string | undefined;
  let labels: Record<string, string> = {};
  if (cursor.peek() === '{') {
    cursor.at++;
    ({ name, labels } = readBraces(cursor, undefined));
  } else {
    name = cursor.name(LEGACY_METRIC_NAME);
    if (cursor.peek() === '{') {
      cursor.at++;
      ({ labels } = readBraces(cursor, name));
    }
  }
  cursor.expect(' ');
  const value = readNumber(cursor.word(), cursor, 'value');
  if (cursor.peek() === undefined) return { name, labels, value };
  cursor.expect(' ');
  const timestamp = cursor.word();
  if (!/^-?\d+$/.test(timestamp)) cursor.fail(`timestamp ${JSON.stringify(timestamp)} is not an integer`);
  if (cursor.peek() !== undefined) cursor.fail('trailing text');
  return { name, labels, value, timestampMs: Number(timestamp) };
}

/** Reads a whole body; throws on anything it does not expect. */
export function parseTextUtf8(body: string): TextFamily[] {
  if (body !== '' && !body.endsWith('\n')) throw new Error('the body does not end with a newline');
  const lines = body === '' ? [] : body.slice(0, -1).split('\n');
  const families: TextFamily[] = [];
  let help: { name: string; help: string } | undefined;
  let family: TextFamily | undefined;
  for (const [i, line] of lines.entries()) {
    const cursor: Cursor = new Cursor(line, i + 1);
    if (line.startsWith('# HELP ')) {
      cursor.at = '# HELP '.length;
      const name = cursor.name(LEGACY_METRIC_NAME);
      cursor.expect(' ');
      help = { name, help: unescapeHelp(line.slice(cursor.at), cursor) };
      continue;
    }
    if (line.startsWith('# TYPE ')) {
      cursor.at = '# TYPE '.length;
      const name = cursor.name(LEGACY_METRIC_NAME);
      cursor.expect(' ');
      const type = cursor.word();
      if (!TYPES.has(type) || cursor.peek() !== undefined) cursor.fail(`unknown type ${JSON.stringify(type)}`);
      if (help?.name !== name) cursor.fail(`TYPE for ${JSON.stringify(name)} without its HELP just before`);
      family = { name, type, help: help.help, samples: [] };
      families.push(family);
      help = undefined;
      continue;
    }
    if (line.startsWith('#') || line === '') cursor.fail('unexpected line');
    const sample = readSample(cursor);
    const suffix = family && sample.name.startsWith(family.name) ? sample.name.slice(family.name.length) : undefined;
    if (family === undefined || suffix === undefined || !SUFFIXES[family.type]!.includes(suffix)) {
      cursor.fail(`sample ${JSON.stringify(sample.name)} outside its family (${JSON.stringify(family?.name)})`);
    }
    family.samples.push(sample);
  }
  if (help !== undefined) throw new Error(`HELP for ${JSON.stringify(help.name)} without a TYPE`);
  return families;
}
