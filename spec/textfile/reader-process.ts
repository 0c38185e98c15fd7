/**
 * A reader for spec/textfile/atomic-rewrites.spec.ts, run as its own process so that it reads
 * truly at the same time as the writer: it reads the file in a tight loop, as node_exporter's
 * textfile collector would, and checks every read is one whole version of the body.
 *
 * `node reader-process.js <file> <samples>`: every version of the body has `<samples>` sample
 * lines, all carrying the same value (the version's sequence number), and ends with a newline.
 * A cut file lacks lines or ends mid-line; a file mixing two versions has two values. It also
 * lists the directory, to see which temporary names appear beside the file.
 *
 * IPC: sends `{ ready }` after its first whole read, `{ bad }` at its first bad read, and its
 * report when the parent sends `'stop'` (or after MAX_RUN_MS, whichever comes first); then exits.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';

/** Bounds the loop should the parent never say stop. */
const MAX_RUN_MS = 90_000;

export interface ReaderReport {
  readonly reads: number;
  /** Distinct versions (sequence numbers) among the whole reads. */
  readonly versions: number;
  readonly firstVersion: number;
  readonly lastVersion: number;
  /** Reads that were not one whole version, and the first of them, described. */
  readonly bad: number;
  readonly firstBad: string | null;
  /** Reads that found no file at all. */
  readonly missing: number;
  /** Names seen in the directory besides the file itself. */
  readonly otherNames: string[];
  readonly timedOut: boolean;
}

const [file, samplesArg] = process.argv.slice(2) as [string, string];
const expectedSamples = Number(samplesArg);
const directory = dirname(file);
const name = basename(file);

/** The version a body is, or a description of what is wrong with it. */
function check(body: string): number | string {
  if (body.length === 0) return 'an empty file';
  if (!body.endsWith('\n')) return `a file of ${body.length} characters ending mid-line`;
  let version: string | undefined;
  let samples = 0;
  let start = 0;
  while (start < body.length) {
    const end = body.indexOf('\n', start);
    if (body.charCodeAt(start) !== 35 /* # */) {
      const value = body.slice(body.lastIndexOf(' ', end) + 1, end);
      version ??= value;
      if (value !== version) return `a mixed file: values ${version} and ${value} (line ${samples + 1})`;
      samples++;
    }
    start = end + 1;
  }
  if (samples !== expectedSamples) return `a cut file: ${samples} of ${expectedSamples} samples`;
  return Number(version);
}

let stop = false;
process.on('message', (message) => {
  if (message === 'stop') stop = true;
});

const versions = new Set<number>();
const otherNames = new Set<string>();
let reads = 0;
let bad = 0;
let missing = 0;
let firstBad: string | null = null;
let ready = false;
const started = performance.now();
let timedOut = false;

/** One read of the file, counted and checked. */
function readOnce(): void {
  let body: string;
  try {
    body = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    missing++;
    return;
  }
  reads++;
  const result = check(body);
  if (typeof result === 'number') {
    versions.add(result);
    if (!ready) {
      ready = true;
      process.send!({ ready: true });
    }
  } else if (bad++ === 0) {
    firstBad = result;
    process.send!({ bad: result });
  }
}

while (!stop) {
  if (performance.now() - started > MAX_RUN_MS) {
    timedOut = true;
    break;
  }
  for (let i = 0; i < 8; i++) {
    for (const entry of readdirSync(directory)) if (entry !== name) otherNames.add(entry);
    readOnce();
  }
  await turn(); // lets the parent's 'stop' in
}
// The parent says stop after its last write: this read sees the last version.
readOnce();

const sorted = [...versions].sort((a, b) => a - b);
const report: ReaderReport = {
  reads,
  versions: versions.size,
  firstVersion: sorted[0] ?? -1,
  lastVersion: sorted.at(-1) ?? -1,
  bad,
  firstBad,
  missing,
  otherNames: [...otherNames].slice(0, 5000),
  timedOut,
};
process.send!({ report }, () => process.exit(0));
