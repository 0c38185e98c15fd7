/**
 * The seed sample (samples/python-example-1.ts, built to build/samples by npm test) as the
 * end-to-end specs run it: with PORT=0 it prints the port it got, then how many requests it
 * processed; both lines are read from the output of the process that runs it.
 */
import { fileURLToPath } from 'node:url';
import type { Started } from './prometheus.js';
import { waitFor } from '../server/support.js';

/** build/spec/support/*.js -> build/samples/python-example-1.js. */
export const SEED_SAMPLE = fileURLToPath(new URL('../../samples/python-example-1.js', import.meta.url));

/** Waits for the sample's two lines in `started`'s output: its port, and the requests it processed. */
export async function seedSampleReady(
  started: Started,
  timeoutMs = 15_000,
): Promise<{ port: number; processed: number }> {
  const exited = (): void => {
    if (started.child.exitCode !== null) throw new Error(`the sample exited: ${started.output()}`);
  };
  const port = await waitFor(
    'the sample to print its port',
    () => {
      exited();
      const found = /Serving metrics at http:\/\/localhost:(\d+)\/metrics/.exec(started.output());
      return found ? Number(found[1]) : undefined;
    },
    timeoutMs,
    20,
  );
  const processed = await waitFor(
    'the sample to process its requests',
    () => {
      exited();
      const found = /Processed (\d+) requests/.exec(started.output());
      return found ? Number(found[1]) : undefined;
    },
    timeoutMs,
    20,
  );
  return { port, processed };
}
