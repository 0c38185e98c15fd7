import { expect } from 'chai';
import { createServer } from 'node:net';
import { type Histogram, Registry, collectDefaultMetrics, disableDefaultMetrics } from '../../lib/index.js';
import { BUILD_INDEX, Scrape, runNode, tick, untilGarbageCollected } from './support.js';
import { labelText } from '../support/labels.js';

/** Exposed name, type and HELP: prom-client's, but for event loop utilization (prom-client has none). */
const NODEJS_FAMILIES: ReadonlyArray<readonly [string, string, string]> = [
  ['nodejs_version_info', 'gauge', 'Node.js version info.'],
  ['nodejs_eventloop_lag_seconds', 'gauge', 'Lag of event loop in seconds.'],
  ['nodejs_eventloop_lag_min_seconds', 'gauge', 'The minimum recorded event loop delay.'],
  ['nodejs_eventloop_lag_max_seconds', 'gauge', 'The maximum recorded event loop delay.'],
  ['nodejs_eventloop_lag_mean_seconds', 'gauge', 'The mean of the recorded event loop delays.'],
  ['nodejs_eventloop_lag_stddev_seconds', 'gauge', 'The standard deviation of the recorded event loop delays.'],
  ['nodejs_eventloop_lag_p50_seconds', 'gauge', 'The 50th percentile of the recorded event loop delays.'],
  ['nodejs_eventloop_lag_p90_seconds', 'gauge', 'The 90th percentile of the recorded event loop delays.'],
  ['nodejs_eventloop_lag_p99_seconds', 'gauge', 'The 99th percentile of the recorded event loop delays.'],
  [
    'nodejs_eventloop_utilization_ratio',
    'gauge',
    'Event loop utilization (active time over elapsed time) since the previous scrape.',
  ],
  [
    'nodejs_eventloop_active_seconds_total',
    'counter',
    'Total time the event loop has spent active (not waiting for I/O) in seconds.',
  ],
  [
    'nodejs_gc_duration_seconds',
    'histogram',
    'Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
  ],
  ['nodejs_heap_size_total_bytes', 'gauge', 'Process heap size from Node.js in bytes.'],
  ['nodejs_heap_size_used_bytes', 'gauge', 'Process heap size used from Node.js in bytes.'],
  ['nodejs_external_memory_bytes', 'gauge', 'Node.js external memory size in bytes.'],
  ['nodejs_heap_space_size_total_bytes', 'gauge', 'Process heap space size total from Node.js in bytes.'],
  ['nodejs_heap_space_size_used_bytes', 'gauge', 'Process heap space size used from Node.js in bytes.'],
  ['nodejs_heap_space_size_available_bytes', 'gauge', 'Process heap space size available from Node.js in bytes.'],
  [
    'nodejs_active_handles',
    'gauge',
    'Number of active libuv handles grouped by handle type. Every handle type is C++ class name.',
  ],
  // prom-client types these three gauges; "unknown" keeps the name and passes promtool's lint.
  ['nodejs_active_handles_total', 'unknown', 'Total number of active handles.'],
  [
    'nodejs_active_requests',
    'gauge',
    'Number of active libuv requests grouped by request type. Every request type is C++ class name.',
  ],
  ['nodejs_active_requests_total', 'unknown', 'Total number of active requests.'],
  [
    'nodejs_active_resources',
    'gauge',
    'Number of active resources that are currently keeping the event loop alive, grouped by async resource type.',
  ],
  ['nodejs_active_resources_total', 'unknown', 'Total number of active resources.'],
];

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

describe('default metrics: Node.js runtime', () => {
  let registry: Registry;
  beforeEach(() => {
    registry = new Registry();
    collectDefaultMetrics({ registry });
  });
  afterEach(() => {
    disableDefaultMetrics(registry);
  });

  it('has every nodejs_* family with its name, type and help', async () => {
    const scrape = await Scrape.of(registry);
    for (const [name, type, help] of NODEJS_FAMILIES) {
      const family = scrape.family(name);
      expect(family.type, name).to.equal(type);
      expect(family.help, name).to.equal(help);
      for (const sample of family.samples) expect(sample.value, sample.name).to.satisfy(Number.isFinite);
    }
  });

  it('gives the Node.js version as labels of nodejs_version_info', async () => {
    const [major, minor, patch] = process.versions.node.split('.');
    const labels = `version="${process.version}",major="${major}",minor="${minor}",patch="${patch}"`;
    expect((await Scrape.of(registry)).value('nodejs_version_info', labels)).to.equal(1);
  });

  it('measures the event loop lag at the scrape', async () => {
    const lag = (await Scrape.of(registry)).value('nodejs_eventloop_lag_seconds');
    expect(lag).to.be.above(0).and.below(0.5);
  });

  it('gives the delay statistics since the previous scrape, then starts over', async () => {
    await tick(50);
    busy(150);
    await tick(20); // the monitor records a delay when its timer finally fires
    const blocked = await Scrape.of(registry);
    expect(blocked.value('nodejs_eventloop_lag_max_seconds')).to.be.above(0.1);
    const min = blocked.value('nodejs_eventloop_lag_min_seconds');
    const mean = blocked.value('nodejs_eventloop_lag_mean_seconds');
    expect(min).to.be.above(0).and.at.most(mean);
    expect(mean).to.be.at.most(blocked.value('nodejs_eventloop_lag_max_seconds'));
    expect(blocked.value('nodejs_eventloop_lag_p50_seconds')).to.be.at.most(
      blocked.value('nodejs_eventloop_lag_p99_seconds'),
    );
    expect(blocked.value('nodejs_eventloop_lag_stddev_seconds')).to.be.above(0);
    await tick(60);
    expect((await Scrape.of(registry)).value('nodejs_eventloop_lag_max_seconds'), 'after the reset').to.be.below(0.1);
  });

  it('gives the event loop utilization since the previous scrape, and the active time as a counter', async () => {
    await Scrape.of(registry);
    busy(100);
    const busyScrape = await Scrape.of(registry);
    expect(busyScrape.value('nodejs_eventloop_utilization_ratio')).to.be.above(0.5).and.at.most(1);
    await tick(100);
    const idle = await Scrape.of(registry);
    expect(idle.value('nodejs_eventloop_utilization_ratio')).to.be.within(0, 0.5);
    const active = busyScrape.value('nodejs_eventloop_active_seconds_total');
    expect(active).to.be.above(0.1).and.below(process.uptime());
    expect(idle.value('nodejs_eventloop_active_seconds_total')).to.be.at.least(active);
  });

  it('gives the heap totals of process.memoryUsage() and every heap space', async () => {
    const scrape = await Scrape.of(registry);
    const memory = process.memoryUsage();
    expect(scrape.value('nodejs_heap_size_total_bytes')).to.be.closeTo(memory.heapTotal, memory.heapTotal * 0.5);
    expect(scrape.value('nodejs_heap_size_used_bytes'))
      .to.be.above(0)
      .and.at.most(scrape.value('nodejs_heap_size_total_bytes'));
    expect(scrape.value('nodejs_external_memory_bytes')).to.be.above(0);
    const spaces = scrape.family('nodejs_heap_space_size_used_bytes').samples.map((s) => labelText(s.labels));
    expect(spaces).to.include.members(['space="new"', 'space="old"', 'space="code"', 'space="large_object"']);
    for (const labels of spaces) {
      const used = scrape.value('nodejs_heap_space_size_used_bytes', labels);
      expect(used, labels).to.be.at.most(scrape.value('nodejs_heap_space_size_total_bytes', labels));
      expect(scrape.value('nodejs_heap_space_size_available_bytes', labels), labels).to.be.at.least(0);
    }
  });

  it('counts active handles, requests and resources by type, with their totals', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const timer = setInterval(() => {}, 1000);
    try {
      const scrape = await Scrape.of(registry);
      expect(scrape.value('nodejs_active_handles', 'type="Server"')).to.be.at.least(1);
      expect(scrape.value('nodejs_active_resources', 'type="Timeout"')).to.be.at.least(1);
      expect(scrape.value('nodejs_active_resources', 'type="TCPServerWrap"')).to.be.at.least(1);
      for (const kind of ['handles', 'requests', 'resources']) {
        const byType = scrape.family(`nodejs_active_${kind}`).samples.reduce((sum, s) => sum + s.value, 0);
        expect(scrape.value(`nodejs_active_${kind}_total`), kind).to.equal(byType);
      }
      // The scrape's own setImmediate (for the lag) is not counted.
      expect(() => scrape.value('nodejs_active_resources', 'type="Immediate"')).to.throw(/no sample/);
    } finally {
      clearInterval(timer);
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('has a series of nodejs_gc_duration_seconds for each kind from the start, with the default buckets', async () => {
    const family = (await Scrape.of(registry)).family('nodejs_gc_duration_seconds');
    const counts = family.samples
      .filter((s) => s.name === 'nodejs_gc_duration_seconds_count')
      .map((s) => labelText(s.labels));
    expect(counts).to.deep.equal(['kind="major"', 'kind="minor"', 'kind="incremental"', 'kind="weakcb"']);
    const bounds = family.samples
      .filter((s) => s.name.endsWith('_bucket') && s.labels.kind === 'major')
      .map((s) => labelText(s.labels));
    expect(bounds).to.deep.equal(
      ['0.001', '0.01', '0.1', '1.0', '2.0', '5.0', '+Inf'].map((le) => `kind="major",le="${le}"`),
    );
  });

  it('observes minor collections under allocation pressure', async () => {
    const minor = (registry.getMetric('nodejs_gc_duration_seconds') as Histogram<string>).labels({ kind: 'minor' });
    expect(await untilGarbageCollected(() => minor.count() > 0)).to.equal(true);
    const scrape = await Scrape.of(registry);
    const count = scrape.value('nodejs_gc_duration_seconds_count', 'kind="minor"');
    expect(count).to.be.above(0);
    expect(scrape.value('nodejs_gc_duration_seconds_bucket', 'kind="minor",le="+Inf"')).to.equal(count);
    expect(scrape.value('nodejs_gc_duration_seconds_sum', 'kind="minor"'))
      .to.be.above(0)
      .and.below(count * 5);
  });

  it('observes a major collection forced with global.gc (child process with --expose-gc)', async () => {
    const script = `
      const { defaultRegistry } = await import(${JSON.stringify(BUILD_INDEX)});
      globalThis.gc();
      await new Promise((resolve) => setTimeout(resolve, 50));
      process.stdout.write(await defaultRegistry.metrics());`;
    const run = await runNode(['--expose-gc', '--input-type=module', '-e', script]);
    expect(run.code, run.stderr).to.equal(0);
    const count = /^nodejs_gc_duration_seconds_count\{kind="major"\} (\S+)$/m.exec(run.stdout);
    expect(Number(count?.[1])).to.be.at.least(1);
    const sum = /^nodejs_gc_duration_seconds_sum\{kind="major"\} (\S+)$/m.exec(run.stdout);
    expect(Number(sum?.[1])).to.be.above(0).and.below(5);
  });
});
