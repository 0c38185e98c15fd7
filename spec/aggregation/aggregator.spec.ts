/**
 * How the aggregating side combines workers' reports, in one process: each "worker" is a
 * Registry of its own whose Reporter hands its reports (through the same JSON wire encoding the
 * cluster IPC channel uses) to an Aggregator installed on the "primary" registry. The real
 * cluster and worker_threads transports are exercised end to end in cluster.spec and threads.spec.
 */
import { expect } from 'chai';
import {
  Counter,
  Enum,
  Gauge,
  Histogram,
  Info,
  PrometricWarning,
  Registry,
  Summary,
  Timed,
  aggregateClusterMetrics,
  aggregateThreadMetrics,
  type MetricFamily,
} from '../../lib/index.js';
import { FAMILY_SOURCE } from '../../lib/registry.js';
import { Aggregator } from '../../lib/aggregation/aggregator.js';
import { Reporter } from '../../lib/aggregation/reporter.js';
import type { Report } from '../../lib/aggregation/report.js';
import { decodeReport, encodeReport } from '../../lib/aggregation/wire.js';
import { decodeDelimited } from '../support/protobuf-decoder.js';

const FOLD_MS = 30;

interface FakeWorker {
  readonly registry: Registry;
  readonly reporter: Reporter;
  readonly reports: Report[];
  /** Sends what changed, as the periodic report does. */
  report(): void;
}

function setUp(): { primary: Registry; aggregator: Aggregator; worker(id: string): FakeWorker } {
  const primary = new Registry();
  const aggregator = new Aggregator('primary', FOLD_MS);
  primary[FAMILY_SOURCE](aggregator);
  return {
    primary,
    aggregator,
    worker(id) {
      const registry = new Registry();
      const reports: Report[] = [];
      const reporter = new Reporter(
        registry,
        (report) => {
          reports.push(report);
          aggregator.accept(id, decodeReport(encodeReport(report)));
        },
        1000,
        true,
      );
      return { registry, reporter, reports, report: () => reporter.reportMetrics() };
    },
  };
}

/** The value of one sample line (`name{labels}` exactly as rendered) in a text body, or undefined. */
function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('aggregation across workers (in-process)', () => {
  describe('counters', () => {
    it('sums every worker and the primary, and keeps an exited worker’s counts', async () => {
      const { primary, aggregator, worker } = setUp();
      const own = new Counter({ name: 'jobs', help: 'Jobs', labelNames: ['kind'], registry: primary });
      own.labels('a').inc(1);
      const w1 = worker('1');
      const w2 = worker('2');
      const c1 = new Counter({ name: 'jobs', help: 'Jobs', labelNames: ['kind'], registry: w1.registry });
      const c2 = new Counter({ name: 'jobs', help: 'Jobs', labelNames: ['kind'], registry: w2.registry });
      c1.labels('a').inc(10);
      c1.labels('b').inc(3);
      c2.labels('a').inc(100);
      w1.report();
      w2.report();
      let text = await primary.metrics();
      expect(sample(text, 'jobs_total{kind="a"}')).to.equal(111);
      expect(sample(text, 'jobs_total{kind="b"}')).to.equal(3);

      aggregator.exited('1');
      text = await primary.metrics();
      expect(sample(text, 'jobs_total{kind="a"}'), 'before the fold').to.equal(111);
      await sleep(FOLD_MS * 3);
      text = await primary.metrics();
      expect(sample(text, 'jobs_total{kind="a"}'), 'after the fold').to.equal(111);
      expect(sample(text, 'jobs_total{kind="b"}')).to.equal(3);
      expect(aggregator.workers().map((w) => w.id)).to.deep.equal(['2']);
      // A report from the folded worker arriving late changes nothing.
      c1.labels('a').inc(1000);
      w1.report();
      expect(sample(await primary.metrics(), 'jobs_total{kind="a"}')).to.equal(111);
    });

    it('never goes down when a worker resets, removes or unregisters a series', async () => {
      const { primary, worker } = setUp();
      const w = worker('1');
      const c = new Counter({ name: 'hits', help: 'Hits', labelNames: ['path'], registry: w.registry });
      c.labels('/').inc(5);
      c.labels('/x').inc(2);
      w.report();
      c.reset();
      c.labels('/').inc(1);
      w.report();
      let text = await primary.metrics();
      expect(sample(text, 'hits_total{path="/"}')).to.equal(6);
      c.remove('/x');
      w.report();
      expect(sample(await primary.metrics(), 'hits_total{path="/x"}')).to.equal(2);
      w.registry.unregister(c);
      w.report();
      text = await primary.metrics();
      expect(sample(text, 'hits_total{path="/"}')).to.equal(6);
    });

    it('sends only what changed, and nothing when nothing did', () => {
      const { worker } = setUp();
      const w = worker('1');
      const c = new Counter({ name: 'n', help: 'N', labelNames: ['k'], registry: w.registry });
      for (let i = 0; i < 50; i++) c.labels(String(i)).inc();
      w.report();
      expect(w.reports.at(-1)!.families[0]!.series).to.have.length(50);
      c.labels('7').inc();
      w.report();
      expect(w.reports.at(-1)!.families[0]!.series.map((s) => s.key)).to.deep.equal(['["7"]']);
      const before = w.reports.length;
      w.report();
      expect(w.reports.length).to.equal(before);
    });
  });

  describe('histograms', () => {
    it('adds classic buckets, counts and sums', async () => {
      const { primary, worker } = setUp();
      const workers = ['1', '2', '3'].map(worker);
      const all: number[] = [];
      workers.forEach((w, i) => {
        const h = new Histogram({ name: 'lat', help: 'L', buckets: [0.1, 1, 10], registry: w.registry });
        for (let k = 0; k < 100 * (i + 1); k++) {
          const v = (k % 23) * (i + 1) * 0.07;
          h.observe(v);
          all.push(v);
        }
        w.report();
      });
      const text = await primary.metrics();
      for (const [le, bound] of [
        ['0.1', 0.1],
        ['1.0', 1],
        ['10.0', 10],
        ['+Inf', Infinity],
      ] as const) {
        expect(sample(text, `lat_bucket{le="${le}"}`), le).to.equal(all.filter((v) => v <= bound).length);
      }
      expect(sample(text, 'lat_count')).to.equal(600);
      expect(sample(text, 'lat_sum')).to.be.closeTo(
        all.reduce((a, b) => a + b, 0),
        1e-9,
      );
    });

    it('adds native histograms of different resolutions at the lowest schema, every observation in place', async () => {
      const { primary, worker } = setUp();
      const wide = worker('1');
      const narrow = worker('2');
      const h1 = new Histogram({ name: 'size', help: 'S', native: true, registry: wide.registry });
      const h2 = new Histogram({ name: 'size', help: 'S', native: true, registry: narrow.registry });
      // Worker 1 spreads over many buckets: past maxBuckets (160) it halves its resolution.
      for (let i = 0; i < 2000; i++) h1.observe(1.001 ** (i * 7));
      for (let i = 0; i < 300; i++) h2.observe(1 + i / 1000);
      wide.report();
      narrow.report();
      const body = await primary.metrics('protobuf');
      const [family] = decodeDelimited(body).filter((f) => f.name === 'size');
      const histogram = family!.metric[0]!.histogram!;
      expect(Number(histogram.sample_count)).to.equal(2300);
      const schemas = [h1, h2].map((h) => {
        const row = h.collect({ created: false }).histogram!.rows[0]!;
        return row.native!.schema;
      });
      expect(histogram.schema).to.equal(Math.min(...schemas));
      expect(schemas[0]).to.be.below(schemas[1]!);
      let total = Number(histogram.zero_count ?? 0);
      let count = 0;
      for (const delta of histogram.positive_delta ?? []) total += count += Number(delta);
      expect(total).to.equal(2300);
    });
  });

  describe('exemplars', () => {
    it('keep each bucket’s and each counter’s most recent across workers', async () => {
      const { primary, worker } = setUp();
      const [w1, w2] = [worker('1'), worker('2')];
      const h1 = new Histogram({ name: 'h', help: 'H', buckets: [1], registry: w1.registry });
      const h2 = new Histogram({ name: 'h', help: 'H', buckets: [1], registry: w2.registry });
      const c1 = new Counter({ name: 'c', help: 'C', registry: w1.registry });
      h1.observe(0.5, { trace_id: 'old' });
      c1.inc(2, { trace_id: 'c1' });
      w1.report();
      await sleep(3);
      h2.observe(0.7, { trace_id: 'new' });
      h2.observe(5, { trace_id: 'inf' });
      w2.report();
      const text = await primary.metrics('openmetrics');
      expect(text).to.contain('h_bucket{le="1.0"} 2 # {trace_id="new"} 0.7');
      expect(text).to.contain('h_bucket{le="+Inf"} 3 # {trace_id="inf"} 5');
      expect(text).to.contain('c_total 2 # {trace_id="c1"} 2');
    });
  });

  describe('summaries', () => {
    it('adds counts and sums, and answers quantiles from the merged sketches', async () => {
      const { primary, worker } = setUp();
      const all: number[] = [];
      ['1', '2', '3', '4'].forEach((id, i) => {
        const w = worker(id);
        const s = new Summary({ name: 'rt', help: 'R', percentiles: [0.1, 0.5, 0.9], registry: w.registry });
        for (let k = 0; k < 500; k++) {
          const v = (i + 1) ** 3 * (1 + (k % 50));
          s.observe(v);
          all.push(v);
        }
        w.report();
      });
      const text = await primary.metrics();
      expect(sample(text, 'rt_count')).to.equal(2000);
      all.sort((a, b) => a - b);
      for (const q of [0.1, 0.5, 0.9]) {
        const exact = all[Math.floor(q * (all.length - 1))]!;
        const got = sample(text, `rt{quantile="${q}"}`)!;
        expect(Math.abs(got - exact) / exact, `q=${q}: ${got} vs ${exact}`).to.be.at.most(0.01);
      }
    });
  });

  describe('gauges', () => {
    async function gauges(aggregate: Gauge['aggregate']): Promise<{ before: string; after: string }> {
      const { primary, aggregator, worker } = setUp();
      const values = [5, 2, 9];
      for (const [i, value] of values.entries()) {
        const w = worker(String(i + 1));
        new Gauge({ name: 'g', help: 'G', aggregate, registry: w.registry }).set(value);
        w.report();
        await sleep(3); // distinct stamps, for 'last'
      }
      const before = await primary.metrics();
      aggregator.exited('3');
      await sleep(FOLD_MS * 3);
      return { before, after: await primary.metrics() };
    }

    it('sum, min, max, last keep an exited worker’s value', async () => {
      for (const [mode, expected] of [
        ['sum', 16],
        ['min', 2],
        ['max', 9],
        ['last', 9],
      ] as const) {
        const { before, after } = await gauges(mode);
        expect(sample(before, 'g'), mode).to.equal(expected);
        expect(sample(after, 'g'), `${mode} after exit`).to.equal(expected);
      }
    });

    it('the live variants leave the exited worker out', async () => {
      for (const [mode, expected] of [
        ['livesum', 7],
        ['livemin', 2],
        ['livemax', 5],
        ['livelast', 2],
      ] as const) {
        const { after } = await gauges(mode);
        expect(sample(after, 'g'), mode).to.equal(expected);
      }
    });

    it('all shows one series per worker; liveall drops the exited one', async () => {
      let { after } = await gauges('all');
      expect(sample(after, 'g{worker="1"}')).to.equal(5);
      expect(sample(after, 'g{worker="3"}')).to.equal(9);
      ({ after } = await gauges('liveall'));
      expect(sample(after, 'g{worker="2"}')).to.equal(2);
      expect(sample(after, 'g{worker="3"}')).to.equal(undefined);
    });

    it('refuses an unknown aggregate with an error naming the gauge and the value', () => {
      expect(() => new Gauge({ name: 'q', help: 'Q', aggregate: 'avg' as never, registry: null })).to.throw(
        TypeError,
        /Gauge q: aggregate must be one of sum, .*got "avg"/,
      );
    });
  });

  describe('info and enum', () => {
    it('are taken as they are when workers agree, and shown per worker when they differ', async () => {
      const { primary, worker } = setUp();
      const [w1, w2] = [worker('1'), worker('2')];
      for (const [w, version, state] of [
        [w1, '1.0', 'up'],
        [w2, '1.0', 'down'],
      ] as const) {
        new Info({ name: 'build', help: 'B', registry: w.registry }).info({ version });
        new Enum({ name: 'phase', help: 'P', states: ['up', 'down'], registry: w.registry }).state(state);
        w.report();
      }
      const text = await primary.metrics();
      expect(sample(text, 'build_info{version="1.0"}')).to.equal(1);
      expect(sample(text, 'phase{worker="1",phase="up"}')).to.equal(1);
      expect(sample(text, 'phase{worker="2",phase="down"}')).to.equal(1);
      expect(sample(text, 'phase{worker="2",phase="up"}')).to.equal(0);
    });
  });

  describe('definitions', () => {
    it('a metric declared differently is reported once, naming it and the workers, and left out', async () => {
      const { primary, worker } = setUp();
      const warnings: Error[] = [];
      const onWarning = (w: Error): void => void warnings.push(w);
      process.on('warning', onWarning);
      try {
        const [w1, w2, w3] = [worker('1'), worker('2'), worker('3')];
        new Counter({ name: 'req', help: 'R', labelNames: ['a'], registry: w1.registry }).labels('x').inc(4);
        new Counter({ name: 'req', help: 'R', labelNames: ['a', 'b'], registry: w2.registry }).labels('x', 'y').inc(50);
        new Counter({ name: 'req', help: 'R', labelNames: ['a'], registry: w3.registry }).labels('x').inc(1);
        for (const w of [w1, w2, w3]) w.report();
        (w2.registry.getMetric('req') as Counter<'a' | 'b'>).labels('x', 'y').inc();
        w2.report();
        const text = await primary.metrics();
        expect(sample(text, 'req_total{a="x"}')).to.equal(5);
        expect(text).not.to.contain('b="y"');
        await sleep(5); // process.emitWarning is emitted on the next tick
        const ours = warnings.filter((w) => w instanceof PrometricWarning);
        expect(ours).to.have.length(1);
        expect(ours[0]!.name).to.equal('PrometricWarning');
        expect(ours[0]!.message).to.match(/Metric req .*worker 2.*worker 1.*labels \[a, b\], not \[a\]/);
      } finally {
        process.off('warning', onWarning);
      }
    });
  });

  describe('workers’ collectors', () => {
    it('shows each live worker’s collector families labeled worker, beside the primary’s own', async () => {
      const { primary, aggregator, worker } = setUp();
      primary.registerCollector(() => [{ name: 'rss', help: 'RSS', type: 'gauge', samples: [{ value: 10 }] }]);
      const w = worker('4');
      w.registry.registerCollector(() => [{ name: 'rss', help: 'RSS', type: 'gauge', samples: [{ value: 44 }] }]);
      await w.reporter.reportAll();
      let text = await primary.metrics();
      expect(sample(text, 'rss')).to.equal(10);
      expect(sample(text, 'rss{worker="4"}')).to.equal(44);
      aggregator.exited('4');
      text = await primary.metrics();
      expect(sample(text, 'rss{worker="4"}')).to.equal(undefined);
    });
  });

  describe('decorated calls', () => {
    it('are reported before the awaiting caller resumes', async () => {
      const { primary, worker } = setUp();
      const w = worker('1');
      const latency = new Histogram({ name: 'call_seconds', help: 'C', buckets: [1], registry: w.registry });
      class Service {
        @Timed(latency)
        async work(): Promise<string> {
          await sleep(1);
          return 'done';
        }
      }
      w.reporter.start();
      try {
        const service = new Service();
        for (let i = 1; i <= 3; i++) {
          expect(await service.work()).to.equal('done');
          // No periodic report can have run (interval 1 s): the call's own report did this.
          expect(sample(await primary.metrics(), 'call_seconds_count'), `call ${i}`).to.equal(i);
        }
      } finally {
        w.reporter.stop();
      }
    });
  });

  describe('writes', () => {
    it('are reported when the synchronous run that made them ends, in one message', async () => {
      const { primary, worker } = setUp();
      const w = worker('1');
      const hits = new Counter({ name: 'hits', help: 'H', labelNames: ['path'], registry: w.registry });
      const depth = new Gauge({ name: 'depth', help: 'D', registry: w.registry });
      w.reporter.start();
      try {
        await sleep(1); // the first (periodic) report
        const before = w.reports.length;
        for (let i = 0; i < 1000; i++) hits.labels(String(i % 3)).inc();
        depth.set(7);
        expect(w.reports.length, 'nothing is sent during the run').to.equal(before);
        await Promise.resolve();
        expect(w.reports.length, 'one message for the run').to.equal(before + 1);
        const text = await primary.metrics();
        expect(sample(text, 'hits_total{path="0"}')).to.equal(334);
        expect(sample(text, 'depth')).to.equal(7);
      } finally {
        w.reporter.stop();
      }
    });

    it('wait for the periodic report when eager is off', async () => {
      const primary = new Registry();
      const aggregator = new Aggregator('primary', FOLD_MS);
      primary[FAMILY_SOURCE](aggregator);
      const registry = new Registry();
      const reporter = new Reporter(registry, (report) => aggregator.accept('1', report), 50, false);
      const hits = new Counter({ name: 'hits', help: 'H', registry });
      reporter.start();
      try {
        hits.inc(3);
        await sleep(5);
        expect(sample(await primary.metrics(), 'hits_total'), 'as of the first report').to.equal(0);
        await sleep(150);
        expect(sample(await primary.metrics(), 'hits_total')).to.equal(3);
      } finally {
        reporter.stop();
      }
    });
  });

  describe('the wire', () => {
    it('carries Infinity and NaN through JSON', () => {
      const report: Report = {
        families: [{ name: 'g', series: [{ key: '[]', labels: {}, value: -Infinity, changedAt: 1 }] }],
      };
      const back = decodeReport(encodeReport(report));
      expect((back.families[0]!.series[0] as { value: number }).value).to.equal(-Infinity);
      const nan = decodeReport(
        encodeReport({
          families: [{ name: 'g', series: [{ key: '[]', labels: { v: 'x' }, value: NaN, changedAt: 1 }] }],
        }),
      );
      expect((nan.families[0]!.series[0] as { value: number }).value).to.be.NaN;
    });
  });

  describe('the public calls', () => {
    it('validate their options, naming the call, the option and the value', () => {
      expect(() => aggregateClusterMetrics({ intervalMs: 5 })).to.throw(
        RangeError,
        /aggregateClusterMetrics: options.intervalMs .* got 5/,
      );
      expect(() => aggregateThreadMetrics({ registry: {} as Registry })).to.throw(
        TypeError,
        /options.registry must be a Registry/,
      );
      expect(() => aggregateClusterMetrics({ interval: 5 } as never)).to.throw(TypeError, /interval/);
    });

    it('aggregateThreadMetrics() takes over the registry until stop(), and refuses a second one', async () => {
      const registry = new Registry();
      new Counter({ name: 'own', help: 'O', registry }).inc(2);
      const aggregation = aggregateThreadMetrics({ registry });
      try {
        expect(() => aggregateThreadMetrics({ registry })).to.throw(Error, /already running/);
        expect(sample(await registry.metrics(), 'own_total')).to.equal(2);
        expect(aggregation.workers()).to.deep.equal([]);
      } finally {
        aggregation.stop();
      }
      const families: MetricFamily[] = await registry.collect();
      expect(families.map((f) => f.name)).to.deep.equal(['own']);
    });
  });
});
