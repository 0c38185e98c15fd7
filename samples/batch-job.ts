/**
 * A batch job that pushes its metrics to a Pushgateway when it ends, as in the Python client's
 * documentation ("Exporting to a Pushgateway"): a registry of its own (the job's metrics only, not
 * the process's), a Gauge `job_last_success_unixtime` set to now when a run succeeds, and the
 * duration of each decorated step observed into a Histogram.
 *
 * As in Python's example the metrics are pushed whether the run succeeded or not (the durations of
 * a failed run are worth seeing too), and only a successful run sets `job_last_success_unixtime`,
 * so an alert on `time() - job_last_success_unixtime > 3600` fires when runs keep failing. Unlike
 * Python's example, a failed run pushes with push-add and without that gauge: a push (PUT) would
 * replace the whole group and so drop the last success time of an earlier run. A push that fails
 * makes the process exit with status 1 and says why.
 *
 * Run: npm run sample:batch-job   (PUSHGATEWAY_URL overrides http://localhost:9091; FAIL_STEP=load
 * makes that step throw, to see a failed run)
 */
import { Gauge, Histogram, Registry, Timed, pushAddToGateway, pushToGateway } from 'prometric';

const GATEWAY = process.env.PUSHGATEWAY_URL ?? 'http://localhost:9091';
const JOB = 'batch_job';

const registry = new Registry();
const lastSuccess = new Gauge({
  name: 'job_last_success_unixtime',
  help: 'Last time the batch job successfully finished',
  registry,
});
const stepDuration = new Histogram({
  name: 'job_step_duration_seconds',
  help: 'Duration of each step of the batch job',
  labelNames: ['step'],
  buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30],
  registry,
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Fails the step named in FAIL_STEP, to show a failed run. */
function maybeFail(step: string): void {
  if (process.env.FAIL_STEP === step) throw new Error(`step ${step} failed (FAIL_STEP=${step})`);
}

class NightlyExport {
  /** Reads the rows to export. */
  @Timed(stepDuration, { labels: { step: 'extract' } })
  async extract(): Promise<number[]> {
    await sleep(20);
    maybeFail('extract');
    return Array.from({ length: 1000 }, (_, i) => i);
  }

  /** Turns them into lines. */
  @Timed(stepDuration, { labels: { step: 'transform' } })
  async transform(rows: number[]): Promise<string[]> {
    await sleep(10);
    maybeFail('transform');
    return rows.map((row) => `row ${row}`);
  }

  /** Writes them out. */
  @Timed(stepDuration, { labels: { step: 'load' } })
  async load(lines: string[]): Promise<number> {
    await sleep(30);
    maybeFail('load');
    return lines.length;
  }

  async run(): Promise<number> {
    return this.load(await this.transform(await this.extract()));
  }
}

let runError: unknown;
try {
  const written = await new NightlyExport().run();
  // This only runs if there was no exception.
  lastSuccess.setToCurrentTime();
  console.log(`Exported ${written} rows`);
} catch (error) {
  runError = error;
  console.error(`The run failed: ${error instanceof Error ? error.message : String(error)}`);
}

try {
  if (runError === undefined) {
    await pushToGateway(GATEWAY, { job: JOB, registry });
  } else {
    // Keep the group's job_last_success_unixtime from the last good run: push the durations only.
    registry.unregister(lastSuccess);
    await pushAddToGateway(GATEWAY, { job: JOB, registry });
  }
  console.log(`Pushed the metrics of job ${JOB} to ${GATEWAY}`);
} catch (error) {
  console.error(`Could not push the metrics: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
if (runError !== undefined) process.exitCode = 1;
