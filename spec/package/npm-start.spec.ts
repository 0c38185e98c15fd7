/**
 * `npm start` runs the sample so that stopping npm stops the sample (issue 11, part 6): npm forwards
 * SIGINT and SIGTERM to its own child only, so the sample must be that child, with no shell between
 * them (a shell that stays dies of the signal and leaves the sample serving, orphaned).
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { expect } from 'chai';
import {
  childrenOf,
  descendantsOf,
  freshCheckout,
  isRunning,
  type ProcessInfo,
  processInfo,
  removeDir,
  waitFor,
} from './support.js';

const SAMPLE_SCRIPT = 'build-samples/python-example-1.js';

/** Resolves true when 127.0.0.1:port accepts a connection, false when it refuses one. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Resolves true if `promise` settles within `ms`, false otherwise. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

interface Started {
  readonly npm: ChildProcessWithoutNullStreams;
  readonly port: number;
  /** Every process below npm while the sample served. */
  readonly tree: readonly ProcessInfo[];
  readonly exited: Promise<void>;
  output(): string;
}

/** Runs `npm start` in `dir` on a free port and resolves once the sample answers at /metrics. */
async function npmStart(dir: string): Promise<Started> {
  const npm = spawn('npm', ['start'], {
    cwd: dir,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1' },
    stdio: 'pipe',
  });
  npm.stdin.end();
  let output = '';
  npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  // npm start builds the package and the samples first (prestart): allow for a slow, shared machine.
  const serving = /Serving metrics at http:\/\/[^/]+:(\d+)\/metrics/;
  const ready = await waitFor(() => hasExited || serving.test(output), 90_000);
  const port = Number(serving.exec(output)?.[1]);
  if (!ready || hasExited || !Number.isInteger(port)) {
    if (!hasExited) npm.kill('SIGKILL');
    throw new Error(`npm start did not report serving (exited: ${hasExited}):\n${output}`);
  }
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(response.status).to.equal(200);
  expect(await response.text()).to.include('my_counter_total');
  return { npm, port, tree: descendantsOf(npm.pid ?? 0), exited, output: () => output };
}

/** Kills, by PID, whatever the spec started that is still running (a failed assertion leaves them). */
function killLeftovers(started: Started | undefined): void {
  if (started === undefined) return;
  for (const proc of [...started.tree].reverse()) {
    // Only a process that still runs the same command: its PID may have been given to another since.
    if (isRunning(proc.pid) && processInfo(proc.pid)?.argv.join(' ') === proc.argv.join(' ')) {
      process.kill(proc.pid, 'SIGKILL');
    }
  }
  if (started.npm.exitCode === null && started.npm.signalCode === null) started.npm.kill('SIGKILL');
}

describe('npm start (the sample service)', function () {
  this.timeout(180_000);
  let checkout: string | undefined;

  before(() => {
    checkout = freshCheckout('start');
  });
  after(() => removeDir(checkout));

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    describe(`${signal} sent to the npm process`, () => {
      let started: Started | undefined;

      before(async () => {
        started = await npmStart(checkout as string);
      });
      after(() => killLeftovers(started));

      it('finds the sample as npm’s own child, with no shell between them', () => {
        const { npm, output } = started as Started;
        const children = childrenOf(npm.pid as number);
        expect(
          children.map((child) => child.argv),
          output(),
        ).to.deep.equal([['node', SAMPLE_SCRIPT]]);
      });

      it(`stops the sample: the port closes and no process started by npm start is left`, async () => {
        const { npm, port, tree, exited } = started as Started;
        expect(tree.length, 'processes below npm').to.be.greaterThan(0);
        process.kill(npm.pid as number, signal);

        expect(await settlesWithin(exited, 10_000), 'npm exited').to.equal(true);
        expect(await waitFor(async () => !(await accepts(port)), 5_000), `127.0.0.1:${port} closed`).to.equal(true);
        const left = tree.filter((proc) => isRunning(proc.pid));
        expect(
          left.map((proc) => `${proc.pid} ${proc.argv.join(' ')}`),
          'processes still running',
        ).to.deep.equal([]);
      });
    });
  }
});
