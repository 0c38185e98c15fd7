import { expect } from 'chai';
import {
  Counter,
  Gauge,
  Registry,
  collectDefaultMetrics,
  disableDefaultMetrics,
  type DefaultMetricsOptions,
} from '../../lib/index.js';
import { Scrape, untilGarbageCollected, watchObservers } from './support.js';
import { labelText } from '../support/labels.js';

type Watch = ReturnType<typeof watchObservers>;

describe('collectDefaultMetrics: options', () => {
  const invalid: ReadonlyArray<readonly [string, unknown, RegExp]> = [
    ['options that are not an object', 42, /collectDefaultMetrics: options must be an object, got 42/],
    [
      'an unknown option',
      { prefx: 'a_' },
      /unknown option "prefx" \(did you mean "prefix"\?\); the options are registry, prefix, labels/,
    ],
    [
      'prom-client\'s "register"',
      { register: new Registry() },
      /unknown option "register" \(prom-client's "register" is called "registry" here\)/,
    ],
    ['a registry that is not a Registry', { registry: {} }, /option registry must be a Registry, got \{\}/],
    ['a prefix that is not a string', { prefix: 7 }, /option prefix must be a string .* got 7/],
    [
      'a prefix that cannot start a name',
      { prefix: '1app-' },
      /option prefix must be a string that can start a metric name .* got "1app-"/,
    ],
    ['labels that are not an object', { labels: ['a'] }, /option labels must be an object .* got \["a"\]/],
    ['an empty label name', { labels: { '': 'x' } }, /invalid label name ""/],
    ['a reserved label name', { labels: { __x: 'x' } }, /label name "__x" is reserved/],
    [
      'a label name the metrics use themselves',
      { labels: { kind: 'x' } },
      /option labels: label name "kind" is used by the default metrics themselves/,
    ],
    [
      'a label value of the wrong type',
      { labels: { service: null } },
      /label "service" must be a string, number or boolean, got null/,
    ],
    [
      'gcDurationBuckets that are not an array',
      { gcDurationBuckets: 'fast' },
      /option gcDurationBuckets "fast" is invalid: .*must be an array of numbers/,
    ],
    [
      'gcDurationBuckets out of order',
      { gcDurationBuckets: [1, 0.5] },
      /option gcDurationBuckets \[1,0.5\] is invalid: .*strictly increasing/,
    ],
    [
      'empty gcDurationBuckets',
      { gcDurationBuckets: [] },
      /option gcDurationBuckets needs at least one finite bound, got \[\]/,
    ],
    [
      'an eventLoopMonitoringPrecision of 0',
      { eventLoopMonitoringPrecision: 0 },
      /option eventLoopMonitoringPrecision must be an integer number of milliseconds >= 1, got 0/,
    ],
    [
      'a fractional eventLoopMonitoringPrecision',
      { eventLoopMonitoringPrecision: 2.5 },
      /option eventLoopMonitoringPrecision .* got 2.5/,
    ],
    [
      'an eventLoopMonitoringPrecision given as a string',
      { eventLoopMonitoringPrecision: '10' },
      /option eventLoopMonitoringPrecision .* got "10"/,
    ],
  ];
  for (const [what, options, message] of invalid) {
    it(`refuses ${what}, with an error naming the option and the value`, () => {
      expect(() => collectDefaultMetrics(options as DefaultMetricsOptions)).to.throw(message);
    });
  }

  it('throws TypeError for wrong types and RangeError for values out of range', () => {
    expect(() => collectDefaultMetrics({ prefix: 7 as unknown as string })).to.throw(TypeError);
    expect(() => collectDefaultMetrics({ eventLoopMonitoringPrecision: -1 })).to.throw(RangeError);
    expect(() => collectDefaultMetrics({ gcDurationBuckets: [2, 1] })).to.throw(RangeError);
  });

  it('starts nothing when an option is invalid', () => {
    const registry = new Registry();
    expect(() => collectDefaultMetrics({ registry, labels: { type: 'x' } })).to.throw();
    expect(registry.getMetrics()).to.deep.equal([]);
    expect(disableDefaultMetrics(registry)).to.equal(false);
  });
});

describe('collectDefaultMetrics: prefix, labels and buckets', () => {
  let registry: Registry;
  beforeEach(() => {
    registry = new Registry();
  });
  afterEach(() => {
    disableDefaultMetrics(registry);
  });

  it('prefixes every name and adds the labels to every series', async () => {
    collectDefaultMetrics({ registry, prefix: 'app_', labels: { service: 'api', shard: 3 } });
    const scrape = await Scrape.of(registry);
    expect(scrape.families.size).to.be.above(20);
    for (const family of scrape.families.values()) {
      expect(family.name).to.match(/^app_(process|nodejs)_/);
      for (const sample of family.samples)
        expect(sample.labels, sample.name).to.include({ service: 'api', shard: '3' });
    }
    expect(scrape.value('app_nodejs_gc_duration_seconds_count', 'kind="major",service="api",shard="3"')).to.equal(0);
    expect(labelText(scrape.family('app_nodejs_heap_space_size_used_bytes').samples[0]!.labels)).to.match(
      /^space="\w+",service="api",shard="3"$/,
    );
    expect(scrape.value('app_nodejs_active_handles_total', 'service="api",shard="3"')).to.be.at.least(0);
  });

  it('uses the GC buckets and monitoring precision given', async () => {
    collectDefaultMetrics({ registry, gcDurationBuckets: [0.0005, 0.05], eventLoopMonitoringPrecision: 1 });
    const family = (await Scrape.of(registry)).family('nodejs_gc_duration_seconds');
    const bounds = family.samples
      .filter((s) => s.name.endsWith('_bucket') && s.labels.kind === 'minor')
      .map((s) => labelText(s.labels));
    expect(bounds).to.deep.equal(['kind="minor",le="0.0005"', 'kind="minor",le="0.05"', 'kind="minor",le="+Inf"']);
  });

  it("takes the registry's constant labels too", async () => {
    registry.setDefaultLabels({ region: 'eu' });
    collectDefaultMetrics({ registry });
    const scrape = await Scrape.of(registry);
    expect(scrape.value('process_cpu_seconds_total', 'region="eu"')).to.be.above(0);
    expect(scrape.value('nodejs_gc_duration_seconds_count', 'region="eu",kind="weakcb"')).to.equal(0);
  });
});

describe('collectDefaultMetrics: lifecycle', () => {
  let registry: Registry;
  let watch: Watch;
  beforeEach(() => {
    registry = new Registry();
    watch = watchObservers();
  });
  afterEach(() => {
    watch.restore();
    disableDefaultMetrics(registry);
  });

  it('starts one GC observer and one delay monitor per registry', () => {
    collectDefaultMetrics({ registry });
    expect(watch.started()).to.deep.equal({ observers: 1, monitors: 1 });
    expect(watch.running()).to.deep.equal({ observers: 1, monitors: 1 });
  });

  it('changes nothing when called again with the same options', async () => {
    collectDefaultMetrics({ registry, prefix: 'x_', labels: { a: '1' } });
    const first = await Scrape.of(registry);
    collectDefaultMetrics({ registry, prefix: 'x_', labels: { a: '1' } });
    const second = await Scrape.of(registry);
    expect([...second.families.keys()]).to.deep.equal([...first.families.keys()]);
    expect(registry.getMetrics()).to.have.length(1);
    expect(watch.started()).to.deep.equal({ observers: 1, monitors: 1 });
  });

  it('replaces the set cleanly when called again with other options', async () => {
    collectDefaultMetrics({ registry });
    collectDefaultMetrics({ registry, prefix: 'svc_' });
    const scrape = await Scrape.of(registry);
    expect([...scrape.families.keys()].every((name) => name.startsWith('svc_'))).to.equal(true);
    expect(scrape.families.has('process_cpu_seconds_total')).to.equal(false);
    expect(scrape.families.has('svc_process_cpu_seconds_total')).to.equal(true);
    expect(watch.started()).to.deep.equal({ observers: 2, monitors: 2 });
    expect(watch.running()).to.deep.equal({ observers: 1, monitors: 1 });
  });

  it('disableDefaultMetrics removes them and stops the observer and the monitor', async () => {
    collectDefaultMetrics({ registry });
    expect(disableDefaultMetrics(registry)).to.equal(true);
    expect(await registry.collect()).to.deep.equal([]);
    expect(watch.running()).to.deep.equal({ observers: 0, monitors: 0 });
    expect(disableDefaultMetrics(registry)).to.equal(false);
  });

  it("leaves the other registries' sets alone", async () => {
    const other = new Registry();
    collectDefaultMetrics({ registry });
    collectDefaultMetrics({ registry: other });
    disableDefaultMetrics(registry);
    expect((await Scrape.of(other)).families.has('process_cpu_seconds_total')).to.equal(true);
    expect(watch.running()).to.deep.equal({ observers: 1, monitors: 1 });
    disableDefaultMetrics(other);
  });

  it('registry.clear() removes them; enabling again brings them back and stops the old observer', async () => {
    collectDefaultMetrics({ registry });
    registry.clear();
    expect(await registry.collect()).to.deep.equal([]);
    collectDefaultMetrics({ registry });
    expect((await Scrape.of(registry)).families.has('nodejs_gc_duration_seconds')).to.equal(true);
    expect(watch.started()).to.deep.equal({ observers: 2, monitors: 2 });
    expect(watch.running()).to.deep.equal({ observers: 1, monitors: 1 });
  });

  it('after registry.clear(), stops the observer and the monitor at the next garbage collection', async () => {
    collectDefaultMetrics({ registry });
    registry.clear();
    expect(await untilGarbageCollected(() => watch.running().observers === 0)).to.equal(true);
    expect(watch.running()).to.deep.equal({ observers: 0, monitors: 0 });
  });

  it("lets a metric of the user's own with one of the names win, without failing the scrape", async () => {
    collectDefaultMetrics({ registry });
    new Gauge({ name: 'process_open_fds', help: 'mine', registry }).set(-1);
    new Counter({ name: 'process_cpu_seconds', help: 'mine too', registry }).inc(5);
    const scrape = await Scrape.of(registry);
    expect(scrape.family('process_open_fds').help).to.equal('mine');
    expect(scrape.value('process_open_fds')).to.equal(-1);
    expect(scrape.value('process_cpu_seconds_total')).to.equal(5);
    expect(scrape.families.has('process_cpu_user_seconds_total')).to.equal(true);
  });

  it("refuses to start where the GC histogram's name is taken, and starts nothing", () => {
    new Gauge({ name: 'nodejs_gc_duration_seconds', help: 'mine', registry });
    expect(() => collectDefaultMetrics({ registry })).to.throw(/nodejs_gc_duration_seconds is already registered/);
    expect(watch.started()).to.deep.equal({ observers: 0, monitors: 0 });
    expect(registry.getMetrics()).to.have.length(1);
  });
});
