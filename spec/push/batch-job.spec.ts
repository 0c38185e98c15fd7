/**
 * The batch-job sample (samples/batch-job.ts, built to build/samples by npm test) against a real
 * Pushgateway, and a real Prometheus 2.42 scraping that gateway with `honor_labels: true`, which
 * must answer the batch job's metrics with the job and grouping labels they were pushed with
 * (issue 15).
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Gauge, Registry, pushToGateway } from '../../lib/index.js';
import { PrometheusProcess } from '../support/prometheus.js';
import { hasPrometheus, requireTool } from '../support/tools.js';
import { LOOPBACK, freePort, waitFor } from '../server/support.js';
import { Pushgateway, hasPushgateway } from './support.js';

/** build/spec/push/*.js -> build/samples/batch-job.js. */
const SAMPLE = fileURLToPath(new URL('../../samples/batch-job.js', import.meta.url));

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built sample with these extra environment variables; killed if it runs past 30 s. */
function runSample(env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SAMPLE], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('batch-job sample: pushes to a real Pushgateway, which a real Prometheus scrapes', function () {
  this.timeout(60_000);
  let gateway: Pushgateway;
  let prometheus: PrometheusProcess;
  let lastSuccess: string;

  before(async function () {
    requireTool(this, 'prometheus-pushgateway', hasPushgateway());
    requireTool(this, 'prometheus', hasPrometheus());
    expect(existsSync(SAMPLE), `${SAMPLE} is built by npm test`).to.equal(true);
    gateway = await Pushgateway.start();
    prometheus = await PrometheusProcess.start({
      jobs: [{ name: 'pushgateway', port: gateway.port, honorLabels: true }],
    });
  });

  after(async () => {
    await prometheus?.stop();
    await gateway?.stop();
  });

  it('a successful run pushes job_last_success_unixtime and each step duration, then exits 0', async () => {
    const before = Date.now() / 1000;
    const run = await runSample({ PUSHGATEWAY_URL: gateway.url });
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.include(`Pushed the metrics of job batch_job to ${gateway.url}`);

    const group = await gateway.group({ job: 'batch_job' });
    expect(group, 'the group job="batch_job"').not.to.equal(undefined);
    expect(Object.keys(group!.families).sort()).to.deep.equal([
      'job_last_success_unixtime',
      'job_step_duration_seconds',
    ]);
    lastSuccess = group!.families.job_last_success_unixtime!.metrics[0]!.value!;
    expect(Number(lastSuccess)).to.be.within(before - 1, Date.now() / 1000 + 1);
    const steps = group!.families.job_step_duration_seconds!.metrics;
    expect(steps.map((metric) => metric.labels.step).sort()).to.deep.equal(['extract', 'load', 'transform']);
    for (const step of steps) {
      expect(step.count).to.equal('1');
      expect(Number(step.sum), `${step.labels.step} slept at least 10 ms`).to.be.within(0.009, 10);
    }
  });

  it('a failed run pushes its durations, keeps the last success time and exits 1', async () => {
    const run = await runSample({ PUSHGATEWAY_URL: gateway.url, FAIL_STEP: 'load' });
    expect(run.code).to.equal(1);
    expect(run.stderr).to.include('The run failed: step load failed (FAIL_STEP=load)');
    const group = await gateway.group({ job: 'batch_job' });
    expect(group!.families.job_last_success_unixtime!.metrics[0]!.value).to.equal(lastSuccess);
    const load = group!.families.job_step_duration_seconds!.metrics.find((metric) => metric.labels.step === 'load');
    expect(load!.count, 'the failed step was timed too').to.equal('1');
  });

  it('exits 1 with a clear message when the push fails', async () => {
    const port = await freePort(); // nobody listens there
    const run = await runSample({ PUSHGATEWAY_URL: `http://${LOOPBACK}:${port}` });
    expect(run.code).to.equal(1);
    expect(run.stdout).to.include('Exported 1000 rows');
    expect(run.stderr).to.include(
      `Could not push the metrics: pushToGateway: PUT http://${LOOPBACK}:${port}/metrics/job/batch_job failed: ` +
        `connect ECONNREFUSED ${LOOPBACK}:${port}`,
    );
  });

  it('Prometheus (honor_labels: true) answers the pushed metrics with their job and grouping labels', async () => {
    // A second group of the same job, with a grouping key the path cannot carry as it is.
    const registry = new Registry();
    new Gauge({
      name: 'job_last_success_unixtime',
      help: 'Last time the batch job successfully finished',
      registry,
    }).set(1_700_000_000);
    const groupingKey = { shard: 'eu/west', run: 'nightly 東京' };
    await pushToGateway(gateway.url, { job: 'batch_job', groupingKey, registry });

    await prometheus.waitUntilUp(['pushgateway'], 40_000);
    const expr = 'job_last_success_unixtime';
    const series = await waitFor(
      'Prometheus to return both groups',
      async () => {
        const found = await prometheus.query(expr);
        return found.length === 2 ? found : undefined;
      },
      20_000,
      250,
    );
    const byShard = Object.fromEntries(series.map((sample) => [sample.metric.shard ?? '', sample]));
    // The pushed job, not the scrape job's "pushgateway"; the gateway's empty instance is no label.
    expect(byShard['']!.metric, "the sample's group").to.deep.equal({
      __name__: 'job_last_success_unixtime',
      job: 'batch_job',
    });
    expect(Number(byShard['']!.value![1])).to.equal(Number(lastSuccess));
    expect(byShard['eu/west']!.metric).to.deep.equal({
      __name__: 'job_last_success_unixtime',
      job: 'batch_job',
      shard: 'eu/west',
      run: 'nightly 東京',
    });
    expect(byShard['eu/west']!.value![1]).to.equal('1700000000');

    const steps = await prometheus.query('job_step_duration_seconds_count{job="batch_job"}');
    expect(steps.map((sample) => sample.metric.step).sort()).to.deep.equal(['extract', 'load', 'transform']);
  });
});
