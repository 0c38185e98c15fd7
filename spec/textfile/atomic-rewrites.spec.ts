/**
 * writeToTextfile is atomic (issue 15): a reader process polling the path, as node_exporter's
 * textfile collector does, during 1,000 rewrites of a body of about 1.1 MB (many write() calls)
 * sees only whole versions, never a cut or mixed file, and never a missing one; and it sees many
 * versions, so it really read while the writer wrote. The temporary files it sees beside the path
 * do not end in `.prom`. As a control, the same reader catches a cut file at once when the body
 * is written in place instead: the check can fail.
 */
import { expect } from 'chai';
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Gauge, Registry, writeToTextfile } from '../../lib/index.js';
import type { ReaderReport } from './reader-process.js';

const READER = fileURLToPath(new URL('./reader-process.js', import.meta.url));
const REWRITES = 1_000;
/** Sample lines per version: about 1.1 MB, so that writing one takes several write() calls. */
const SERIES = 16_000;

/** A registry whose every sample carries one value, the version's sequence number. */
function versionedRegistry(): { registry: Registry; setVersion(version: number): void } {
  const registry = new Registry();
  const gauge = new Gauge({
    name: 'textfile_spec_rewrite_version',
    help: 'The sequence number of the rewrite that wrote this file',
    labelNames: ['series', 'shard'],
    registry,
  });
  const children = Array.from({ length: SERIES }, (_, i) =>
    gauge.labels(`s${String(i).padStart(6, '0')}`, `shard-${i % 16}`),
  );
  return {
    registry,
    setVersion: (version) => {
      for (const child of children) child.set(version);
    },
  };
}

interface Reader {
  readonly child: ChildProcess;
  /** Resolves once the reader has read one whole version. */
  readonly ready: Promise<void>;
  /** The first bad read the reader reported, as soon as it reports it. */
  firstBad: string | null;
  /** Asks the reader to stop and resolves with its report. */
  stop(): Promise<ReaderReport>;
}

function startReader(file: string): Reader {
  const child = fork(READER, [file, String(SERIES)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let report: (r: ReaderReport) => void = () => {};
  let failed: (e: Error) => void = () => {};
  const reported = new Promise<ReaderReport>((resolve, reject) => {
    report = resolve;
    failed = reject;
  });
  let becameReady: () => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    becameReady = resolve;
    child.once('exit', (code) => reject(new Error(`the reader exited (${code}) before its first read`)));
  });
  ready.catch(() => {});
  const reader: Reader = {
    child,
    ready,
    firstBad: null,
    stop: () => {
      child.send('stop');
      return reported;
    },
  };
  child.on('message', (message: { ready?: true; bad?: string; report?: ReaderReport }) => {
    if (message.ready) becameReady();
    if (message.bad !== undefined) reader.firstBad = message.bad;
    if (message.report) report(message.report);
  });
  child.once('exit', (code) => failed(new Error(`the reader exited (${code}) without a report`)));
  return reader;
}

function stopByPid(reader: Reader | undefined): void {
  if (reader?.child.exitCode === null && reader.child.signalCode === null) process.kill(reader.child.pid!, 'SIGKILL');
}

describe('writeToTextfile: a reader polling the path during 1,000 rewrites', () => {
  let dir: string;
  let reader: Reader | undefined;
  const { registry, setVersion } = versionedRegistry();

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'prometric-textfile-atomic-'));
  });
  afterEach(() => {
    stopByPid(reader);
    reader = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('never sees a cut, mixed or missing file, and sees many versions', async function () {
    this.timeout(60_000);
    const file = join(dir, 'batch.prom');
    setVersion(0);
    await writeToTextfile(file, registry);
    const bytes = readFileSync(file).length;
    expect(bytes).to.be.within(1_000_000, 2_000_000);
    reader = startReader(file);
    await reader.ready;

    const started = performance.now();
    for (let version = 1; version <= REWRITES; version++) {
      setVersion(version);
      await writeToTextfile(file, registry);
    }
    const seconds = (performance.now() - started) / 1000;
    const report = await reader.stop();

    const temporary = new RegExp(`^batch\\.prom\\.${process.pid}\\.[a-z0-9]+\\.tmp$`);
    console.log(
      `      ${REWRITES} rewrites of ${(bytes / 1e6).toFixed(2)} MB in ${seconds.toFixed(1)} s ` +
        `(${(REWRITES / seconds).toFixed(0)}/s); the reader made ${report.reads} reads and saw ` +
        `${report.versions} versions, ${report.otherNames.length} temporary names`,
    );
    expect(report.timedOut).to.equal(false);
    expect(report.bad, `first bad read: ${report.firstBad}`).to.equal(0);
    expect(report.missing, 'reads that found no file').to.equal(0);
    expect(report.lastVersion).to.equal(REWRITES);
    expect(report.versions).to.be.at.least(50);
    // The reader saw the temporary files come and go; none of them is a name the collector reads.
    expect(report.otherNames.length).to.be.at.least(1);
    expect(report.otherNames.filter((name) => !temporary.test(name))).to.deep.equal([]);
    expect(readdirSync(dir)).to.deep.equal(['batch.prom']);
  });

  it('(control) the same reader catches a cut file when the body is written in place', async function () {
    this.timeout(60_000);
    const file = join(dir, 'in-place.prom');
    setVersion(0);
    await writeFile(file, await registry.metrics('text'));
    reader = startReader(file);
    await reader.ready;

    let writes = 0;
    const deadline = performance.now() + 30_000;
    while (reader.firstBad === null && writes < REWRITES && performance.now() < deadline) {
      setVersion(++writes);
      await writeFile(file, await registry.metrics('text'));
    }
    const report = await reader.stop();
    console.log(`      written in place, the reader saw ${report.bad} bad reads within ${writes} writes`);
    expect(report.bad).to.be.at.least(1);
    expect(report.firstBad).to.be.a('string');
  });
});
