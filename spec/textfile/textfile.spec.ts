/**
 * writeToTextfile (issue 15): the file node_exporter's textfile collector reads. Its contents are
 * the registry's text 0.0.4 body and promtool accepts them; a failed write rejects naming the path,
 * leaves the previous file as it was and no temporary file behind; bad arguments are refused.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { promises as fsPromises } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sinon from 'sinon';
import { Counter, Gauge, Histogram, Registry, defaultRegistry, writeToTextfile } from '../../lib/index.js';
import { hasPromtool, rejection, requireTool } from '../support/tools.js';

/** A batch job's metrics, as Python's documentation has them, plus a histogram and awkward label values. */
function batchJobRegistry(): Registry {
  const registry = new Registry();
  const lastSuccess = new Gauge({
    name: 'job_last_success_unixtime',
    help: 'Last time the batch job completed successfully',
    registry,
  });
  lastSuccess.set(1_767_225_600);
  const processed = new Counter({
    name: 'job_records_processed',
    help: 'Records the job processed, by source',
    labelNames: ['source'],
    registry,
  });
  processed.labels('db "main"\\eu').inc(1200);
  processed.labels('queue\nb').inc(3);
  const duration = new Histogram({
    name: 'job_step_duration_seconds',
    help: 'Duration of each step of the job',
    labelNames: ['step'],
    buckets: [0.1, 1, 10],
    registry,
  });
  duration.labels('extract').observe(0.4);
  duration.labels('load').observe(12);
  return registry;
}

/** `promtool check metrics < file`, as the brief's reader would run it. */
function promtoolCheckFile(file: string): { ok: boolean; output: string } {
  const input = openSync(file, 'r');
  try {
    const run = spawnSync('promtool', ['check', 'metrics'], { stdio: [input, 'pipe', 'pipe'], encoding: 'utf8' });
    return { ok: run.status === 0, output: `${run.stdout ?? ''}${run.stderr ?? ''}${run.error ?? ''}` };
  } finally {
    closeSync(input);
  }
}

describe('writeToTextfile', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'prometric-textfile-'));
    file = join(dir, 'batch_job.prom');
  });
  afterEach(() => {
    sinon.restore();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('the file', () => {
    it('holds the registry’s text 0.0.4 body, and nothing else is left in the directory', async () => {
      const registry = batchJobRegistry();
      await writeToTextfile(file, registry);
      expect(readFileSync(file, 'utf8')).to.equal(await registry.metrics('text'));
      expect(readdirSync(dir)).to.deep.equal(['batch_job.prom']);
    });

    it('is accepted by promtool check metrics', async function () {
      requireTool(this, 'promtool', hasPromtool());
      await writeToTextfile(file, batchJobRegistry());
      const result = promtoolCheckFile(file);
      expect(result.ok, result.output).to.equal(true);
    });

    it('writes the default registry when none is given', async () => {
      const counter = new Counter({ name: 'textfile_spec_default_runs', help: 'Runs of the spec' });
      try {
        counter.inc(7);
        await writeToTextfile(file);
        const text = readFileSync(file, 'utf8');
        expect(text).to.match(/^textfile_spec_default_runs_total 7$/m);
        expect(text).to.match(/^process_cpu_seconds_total /m);
      } finally {
        defaultRegistry.unregister(counter);
      }
    });

    it('replaces the previous file, and is created with the mode of a normal file', async () => {
      writeFileSync(file, 'old contents\n');
      const registry = batchJobRegistry();
      await writeToTextfile(file, registry);
      expect(readFileSync(file, 'utf8')).to.equal(await registry.metrics('text'));
      const mode = (await fsPromises.stat(file)).mode & 0o777;
      expect(mode).to.equal(0o666 & ~process.umask());
    });

    it('takes a relative path, from the working directory', async () => {
      const cwd = process.cwd();
      process.chdir(dir);
      try {
        await writeToTextfile('relative.prom', batchJobRegistry());
      } finally {
        process.chdir(cwd);
      }
      expect(readFileSync(join(dir, 'relative.prom'), 'utf8')).to.match(/^job_last_success_unixtime 1767225600$/m);
    });

    it('keeps concurrent writes to one path apart: the file is one of the bodies, whole', async () => {
      const registries = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => {
        const registry = new Registry();
        new Gauge({ name: 'textfile_spec_writer', help: 'Which writer', registry }).set(n);
        return registry;
      });
      await Promise.all(registries.map((registry) => writeToTextfile(file, registry)));
      const bodies = await Promise.all(registries.map((registry) => registry.metrics('text')));
      expect(bodies).to.include(readFileSync(file, 'utf8'));
      expect(readdirSync(dir)).to.deep.equal(['batch_job.prom']);
    });
  });

  describe('a failed write', () => {
    it('rejects naming the path when its directory does not exist, and creates nothing', async () => {
      const missing = join(dir, 'no-such-dir', 'job.prom');
      const error = await rejection(writeToTextfile(missing, batchJobRegistry()));
      expect(error).to.be.instanceOf(Error);
      expect(error.message).to.include('writeToTextfile').and.include(JSON.stringify(missing));
      expect(error.message).to.include('does not exist');
      expect((error as NodeJS.ErrnoException).code).to.equal('ENOENT');
      expect(readdirSync(dir)).to.deep.equal([]);
    });

    it('rejects naming the path when the directory is removed, leaving nothing behind', async () => {
      const sub = join(dir, 'sub');
      mkdirSync(sub);
      const target = join(sub, 'job.prom');
      await writeToTextfile(target, batchJobRegistry());
      rmSync(sub, { recursive: true });
      const error = await rejection(writeToTextfile(target, batchJobRegistry()));
      expect(error.message).to.include(JSON.stringify(target));
      expect(readdirSync(dir)).to.deep.equal([]);
    });

    it('rejects when the rename fails, removes the temporary file and leaves the old file intact', async () => {
      writeFileSync(file, 'previous_value 1\n');
      const failure = Object.assign(new Error('EXDEV: cross-device link not permitted'), { code: 'EXDEV' });
      const rename = sinon.stub(fsPromises, 'rename').rejects(failure);
      const error = await rejection(writeToTextfile(file, batchJobRegistry()));
      expect(rename.calledOnce).to.equal(true);
      // The rename was asked to move a temporary file of the same directory, not named *.prom.
      const [from, to] = rename.firstCall.args as [string, string];
      expect(to).to.equal(file);
      expect(from.startsWith(`${file}.${process.pid}.`)).to.equal(true);
      expect(from).to.match(/\.tmp$/);
      expect(error.message).to.include('writeToTextfile').and.include(JSON.stringify(file)).and.include('EXDEV');
      expect((error as NodeJS.ErrnoException).code).to.equal('EXDEV');
      expect(error.cause).to.equal(failure);
      expect(readFileSync(file, 'utf8')).to.equal('previous_value 1\n');
      expect(readdirSync(dir)).to.deep.equal(['batch_job.prom']);
    });

    it('rejects when flushing the file fails, removes the temporary file and leaves the old file intact', async () => {
      writeFileSync(file, 'previous_value 1\n');
      const handle = await fsPromises.open(join(dir, 'probe'), 'w');
      const fileHandle = Object.getPrototypeOf(handle) as { sync(): Promise<void> };
      await handle.close();
      rmSync(join(dir, 'probe'));
      sinon.stub(fileHandle, 'sync').rejects(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
      const error = await rejection(writeToTextfile(file, batchJobRegistry()));
      expect(error.message).to.include(JSON.stringify(file)).and.include('EIO');
      expect(readFileSync(file, 'utf8')).to.equal('previous_value 1\n');
      expect(readdirSync(dir)).to.deep.equal(['batch_job.prom']);
    });

    it('rejects when the registry fails to collect, writing nothing', async () => {
      writeFileSync(file, 'previous_value 1\n');
      const registry = new Registry();
      registry.registerCollector(function brokenCollector() {
        throw new Error('the database is down');
      });
      const error = await rejection(writeToTextfile(file, registry));
      expect(error.name).to.equal('CollectionError');
      expect(readFileSync(file, 'utf8')).to.equal('previous_value 1\n');
      expect(readdirSync(dir)).to.deep.equal(['batch_job.prom']);
    });
  });

  describe('bad arguments', () => {
    const badPaths: Array<[string, unknown, RegExp]> = [
      ['undefined', undefined, /path must be a non-empty string, got undefined/],
      ['an empty string', '', /path must be a non-empty string, got ""/],
      ['a number', 42, /path must be a non-empty string, got 42/],
      ['a URL object', new URL('file:///tmp/x.prom'), /path must be a non-empty string/],
      ['a NUL character', 'a\0b.prom', /path must not contain a NUL character, got "a\\u0000b.prom"/],
      ['a trailing slash', '/tmp/', /path must name a file, not a directory, got "\/tmp\/"/],
    ];
    for (const [what, path, message] of badPaths) {
      it(`refuses a path that is ${what} with a TypeError naming it`, async () => {
        const error = await rejection(writeToTextfile(path as string, new Registry()));
        expect(error).to.be.instanceOf(TypeError);
        expect(error.message)
          .to.match(/^writeToTextfile: /)
          .and.match(message);
      });
    }

    it('refuses a path that is an existing directory, naming it, and leaves it alone', async () => {
      const error = await rejection(writeToTextfile(dir, new Registry()));
      expect(error.message).to.equal(`writeToTextfile: path ${JSON.stringify(dir)} is a directory; name a file in it`);
      expect(readdirSync(dir)).to.deep.equal([]);
    });

    it('refuses a path whose parent is a file', async () => {
      writeFileSync(file, 'x\n');
      const error = await rejection(writeToTextfile(join(file, 'inner.prom'), new Registry()));
      expect(error.message)
        .to.include('writeToTextfile')
        .and.include(JSON.stringify(join(file, 'inner.prom')));
      expect(readFileSync(file, 'utf8')).to.equal('x\n');
    });

    for (const [what, registry] of [
      ['null', null],
      ['a plain object', { metrics: async () => '' }],
      ['a string', 'default'],
    ] as const) {
      it(`refuses a registry that is ${what} with a TypeError naming it`, async () => {
        const error = await rejection(writeToTextfile(file, registry as unknown as Registry));
        expect(error).to.be.instanceOf(TypeError);
        expect(error.message).to.match(/^writeToTextfile: registry must be a Registry, got /);
        expect(readdirSync(dir)).to.deep.equal([]);
      });
    }
  });
});
