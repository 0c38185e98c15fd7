/**
 * A cluster worker of the cluster cases, forked by primary.js:
 * `--lib LIB --worker K --series N`. Declares its series, says `ready`, and on request times its
 * bound child's inc() the way the single-process cases do (measure.js). It talks to the harness
 * with `{ bench: ... }` messages on the cluster IPC channel, beside the library's own messages.
 */
import { measureOps } from '../measure.js';
import { workerSide } from './adapters.js';
import { incPerRun, incsInOneRun } from './loops.js';

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
};
const lib = option('--lib');
const worker = Number(option('--worker'));
const series = Number(option('--series'));

// Never outlive the primary: Node's cluster already exits a worker whose channel closes; this is the
// backstop for a primary killed before it could kill us.
process.on('disconnect', () => process.exit(0));
setTimeout(() => process.exit(3), 300_000).unref();

function fail(error) {
  process.send?.({ bench: 'error', worker, message: error?.stack ?? String(error) });
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 50);
}
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

const { child } = await workerSide(lib, { worker, series });

process.on('message', async (message) => {
  if (message?.bench !== 'measure-inc') return;
  try {
    const loop = (message.perRun ? incPerRun : incsInOneRun)(child);
    let incs = 0;
    // Counts every inc, so that the primary can be checked to have aggregated them all.
    const run = (n) => {
      incs += n;
      return loop(n);
    };
    const result = await measureOps(run, message.ops);
    process.send({ bench: 'inc-result', worker, result, incs });
  } catch (error) {
    fail(error);
  }
});

process.send({ bench: 'ready', worker, series });
