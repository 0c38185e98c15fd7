/**
 * The worker side of "each request counted by a decorated method": a count made by hand inside a
 * decorated method (`requests.inc()` in a @Timed method) leaves with that call's report, so a
 * worker killed right after answering has reported it, as it has the @Timed observation. The
 * end-to-end version, with a SIGKILL under load, is in cluster.spec.
 */
import { expect } from 'chai';
import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  CountExceptions,
  Counter,
  GaugeInProgress,
  Gauge,
  Histogram,
  Registry,
  Summary,
  Timed,
} from '../../lib/index.js';
import { CounterChild } from '../../lib/metrics/counter.js';
import { HistogramChild } from '../../lib/metrics/histogram.js';
import { SummaryChild } from '../../lib/metrics/summary.js';
import type { CounterState, HistogramState, Report, SummaryState } from '../../lib/aggregation/report.js';
import { Reporter } from '../../lib/aggregation/reporter.js';

/** Longer than any test: the periodic report never runs by itself here. */
const NEVER_MS = 3_600_000;

/** The last state of a family's single series among the reports. */
function lastState<T>(reports: readonly Report[], name: string): T | undefined {
  let state: T | undefined;
  for (const report of reports) {
    for (const family of report.families) if (family.name === name && family.series[0]) state = family.series[0] as T;
  }
  return state;
}

describe('a reporting worker: counts made by hand inside a decorated method', () => {
  let registry: Registry;
  let reports: Report[];
  let reporter: Reporter;
  let requests: Counter;
  let bytes: Histogram;
  let sizes: Summary;
  let service: { handle(): Promise<void> };

  beforeEach(() => {
    registry = new Registry();
    reports = [];
    reporter = new Reporter(registry, (report) => reports.push(report), NEVER_MS, true);
    requests = new Counter({ name: 'requests', help: 'Requests', registry });
    const seconds = new Histogram({ name: 'request_seconds', help: 'Time per request', registry });
    bytes = new Histogram({ name: 'request_bytes', help: 'Bytes per request', buckets: [10, 100], registry });
    sizes = new Summary({ name: 'request_size', help: 'Size per request', registry });
    class Service {
      @Timed(seconds)
      async handle(): Promise<void> {
        requests.inc();
        bytes.observe(42);
        sizes.observe(7);
        await nextTurn(); // the handler's I/O: the call settles in a later turn
      }
    }
    service = new Service();
    reporter.start(); // its first report, of every family, goes out now
    reports.length = 0;
  });

  afterEach(() => reporter.stop());

  it("leave with the call's report, before the awaiting caller resumes", async () => {
    await service.handle();
    // Nothing else has run since the call settled: what is reported now is what a SIGKILL would leave.
    expect(lastState<HistogramState>(reports, 'request_seconds')?.cumulative.at(-1), '@Timed count').to.equal(1);
    expect(lastState<CounterState>(reports, 'requests')?.value, 'the counter').to.equal(1);
    expect(lastState<HistogramState>(reports, 'request_bytes')?.cumulative, 'the histogram').to.deep.equal([0, 1, 1]);
    expect(lastState<SummaryState>(reports, 'request_size')?.count, 'the summary count').to.equal(1);
  });

  it("and every stacked decorator's records leave in one report, once all of them have recorded", async () => {
    const failures = new Counter({ name: 'failures', help: 'Failed requests', registry });
    const inFlight = new Gauge({ name: 'in_flight', help: 'Requests in flight', registry });
    const seconds = registry.getMetric('request_seconds') as Histogram;
    class Stacked {
      @Timed(seconds)
      @CountExceptions(failures)
      @GaugeInProgress(inFlight)
      async handle(): Promise<void> {
        await nextTurn();
        requests.inc();
      }
    }
    const stacked = new Stacked();
    await nextTurn();
    reports.length = 0;
    await stacked.handle();
    // Every decorator records before the outermost reports: one report has the call's observation,
    // the in-flight gauge's decrement and the error counter; the hand count went with its own run.
    const settledReports = reports.filter((r) => r.families.some((f) => f.name === 'request_seconds'));
    expect(settledReports, 'reports with the observation').to.have.length(1);
    expect(settledReports[0]!.families.map((f) => f.name)).to.include.members(['request_seconds', 'in_flight']);
    const reported = new Set(reports.flatMap((r) => r.families.map((f) => f.name)));
    expect([...reported], 'all before the caller resumed').to.include.members([
      'requests',
      'request_seconds',
      'in_flight',
    ]);
  });

  it('made outside any decorated call, leave when their synchronous run ends, in one report', async () => {
    requests.inc();
    requests.inc();
    bytes.observe(3);
    expect(reports, 'nothing during the run').to.deep.equal([]);
    await Promise.resolve();
    expect(reports).to.have.length(1);
    expect(lastState<CounterState>(reports, 'requests')?.value).to.equal(2);
    expect(lastState<HistogramState>(reports, 'request_bytes')?.cumulative).to.deep.equal([1, 1, 1]);
  });

  it('of a registry the reporter does not report are left out', async () => {
    const other = new Counter({ name: 'requests', help: 'Requests', registry: new Registry() });
    other.inc(5);
    await service.handle();
    expect(lastState<CounterState>(reports, 'requests')?.value).to.equal(1);
  });

  it('stop() leaves the series types as they were', () => {
    const methods = () => [
      CounterChild.prototype.inc,
      HistogramChild.prototype.observe,
      SummaryChild.prototype.observe,
    ];
    reporter.stop();
    const stopped = methods();
    const again = new Reporter(registry, () => {}, NEVER_MS, true);
    again.start();
    again.stop();
    expect(methods()).to.deep.equal(stopped);
  });
});
