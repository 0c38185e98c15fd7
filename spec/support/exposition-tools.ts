/**
 * Real readers of our exposition output: `promtool check metrics` and a long-lived Python
 * process running prometheus_client's text and OpenMetrics parsers (parse_exposition.py), so
 * that many generated bodies cost one process, not one each.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { PYTHON } from './tools.js';

/** build/spec/support/*.js -> spec/support/parse_exposition.py in the source tree. */
const SCRIPT = fileURLToPath(new URL('../../../spec/support/parse_exposition.py', import.meta.url));

export interface ParsedSample {
  readonly name: string;
  readonly labels: Record<string, string>;
  /** The parsed value (repr() of a Python float, turned back into a number). */
  readonly value: number;
  /** The parser returned an int (then -0 has become 0). */
  readonly int: boolean;
  /** The sample's timestamp in seconds, when it has one. */
  readonly timestamp: number | null;
  /** The sample's exemplar (OpenMetrics only), when it has one; absent otherwise. */
  readonly exemplar?: ParsedExemplar;
}

export interface ParsedExemplar {
  readonly labels: Record<string, string>;
  readonly value: number;
  /** Seconds, when the exemplar has a timestamp. */
  readonly timestamp: number | null;
}

/** A parsed value or timestamp as it travels: a Python float's repr(). */
interface RawExemplar {
  labels: Record<string, string>;
  value: string;
  timestamp: string | null;
}

export interface ParsedFamily {
  readonly name: string;
  readonly type: string;
  readonly help: string;
  readonly unit: string;
  readonly samples: readonly ParsedSample[];
}

export type ParseResult =
  | { readonly ok: true; readonly families: ParsedFamily[] }
  | { readonly ok: false; readonly error: string };

function pythonFloat(repr: string): number {
  if (repr === 'nan') return NaN;
  if (repr === 'inf') return Infinity;
  if (repr === '-inf') return -Infinity;
  return Number(repr);
}

function parsedExemplar(raw: RawExemplar): ParsedExemplar {
  return {
    labels: raw.labels,
    value: pythonFloat(raw.value),
    timestamp: raw.timestamp === null ? null : pythonFloat(raw.timestamp),
  };
}

/** One Python process answering parse requests in order. Call close() when done. */
export class PythonParsers {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: Array<{ resolve: (r: ParseResult) => void; reject: (e: Error) => void }> = [];
  private stderr = '';
  private exited: Error | undefined;

  constructor() {
    this.child = spawn(PYTHON, [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const next = this.waiting.shift();
      if (!next) return;
      const raw = JSON.parse(line) as {
        ok: boolean;
        error?: string;
        families?: Array<
          Omit<ParsedFamily, 'samples'> & {
            samples: Array<
              Omit<ParsedSample, 'value' | 'timestamp' | 'exemplar'> & {
                value: string;
                timestamp: string | null;
                exemplar?: RawExemplar;
              }
            >;
          }
        >;
      };
      if (!raw.ok) return next.resolve({ ok: false, error: raw.error! });
      const families = raw.families!.map((f) => ({
        ...f,
        samples: f.samples.map(({ exemplar, ...s }) => ({
          ...s,
          value: pythonFloat(s.value),
          timestamp: s.timestamp === null ? null : pythonFloat(s.timestamp),
          ...(exemplar === undefined ? {} : { exemplar: parsedExemplar(exemplar) }),
        })),
      }));
      next.resolve({ ok: true, families });
    });
    this.child.on('exit', (code) => {
      this.exited = new Error(`parse_exposition.py exited with ${code}: ${this.stderr}`);
      for (const w of this.waiting.splice(0)) w.reject(this.exited);
    });
  }

  parse(format: 'text' | 'openmetrics', body: string): Promise<ParseResult> {
    if (this.exited) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.child.stdin.write(`${JSON.stringify({ format, body })}\n`);
    });
  }

  close(): void {
    this.child.stdin.end();
  }
}

/** Runs `promtool check metrics` (parse and lint) on a text-format body. */
export function promtoolCheck(body: string): { ok: boolean; output: string } {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
  return {
    ok: run.status === 0,
    output: `${run.stdout ?? ''}${run.stderr ?? ''}${run.error ? String(run.error) : ''}`,
  };
}

/** Samples as comparable strings: name, labels sorted by name, value (NaN equal to NaN, -0 kept). */
export function sampleKey(name: string, labels: Readonly<Record<string, string>>, value: number): string {
  const sorted = Object.keys(labels)
    .sort()
    .map((k) => [k, labels[k]]);
  const v = Number.isNaN(value) ? 'NaN' : Object.is(value, -0) ? '-0' : String(value);
  return JSON.stringify([name, sorted, v]);
}
