/**
 * getSampleValue and getSamples (issue 16, part 1): one sample's value by its exposed name and
 * exact label set, for every metric type, custom collectors and any registry, as client_python's
 * REGISTRY.get_sample_value; undefined when absent.
 */
import { expect } from 'chai';
import {
  CollectionError,
  Counter,
  Enum,
  Gauge,
  Histogram,
  Info,
  Registry,
  Summary,
  defaultRegistry,
  type CollectedFamily,
  type Labels,
} from '../../lib/index.js';
import { getSamples, getSampleValue } from '../../lib/testing/index.js';
import { rejection } from '../support/tools.js';

describe('getSampleValue', () => {
  let registry: Registry;
  beforeEach(() => {
    registry = new Registry();
  });

  it("reads a counter's _total by label set, and its _created when the registry collects it", async () => {
    const created = new Registry({ created: true });
    const requests = new Counter({ name: 'requests', help: 'h', labelNames: ['route', 'code'], registry: created });
    requests.labels({ route: '/', code: '200' }).inc(3);
    requests.labels({ route: '/a', code: '500' }).inc();
    expect(await getSampleValue('requests_total', { route: '/', code: '200' }, created)).to.equal(3);
    // Label order does not matter: a label set is a set.
    expect(await getSampleValue('requests_total', { code: '500', route: '/a' }, created)).to.equal(1);
    const createdAt = await getSampleValue('requests_created', { route: '/', code: '200' }, created);
    expect(createdAt)
      .to.be.a('number')
      .within(Date.now() / 1000 - 60, Date.now() / 1000 + 1);
  });

  it('reads a gauge, including NaN and infinite values', async () => {
    const g = new Gauge({ name: 'temperature', help: 'h', labelNames: ['room'], registry });
    g.labels('kitchen').set(21.5);
    g.labels('cellar').set(-Infinity);
    g.labels('attic').set(NaN);
    expect(await getSampleValue('temperature', { room: 'kitchen' }, registry)).to.equal(21.5);
    expect(await getSampleValue('temperature', { room: 'cellar' }, registry)).to.equal(-Infinity);
    expect(await getSampleValue('temperature', { room: 'attic' }, registry)).to.be.NaN;
  });

  it("reads a histogram's buckets by le as exposed ('0.5', '1.0', '+Inf'), _count and _sum", async () => {
    const h = new Histogram({ name: 'latency_seconds', help: 'h', buckets: [0.5, 1, 2.5], registry });
    for (const v of [0.2, 0.7, 0.9, 3]) h.observe(v);
    expect(await getSampleValue('latency_seconds_bucket', { le: '0.5' }, registry)).to.equal(1);
    expect(await getSampleValue('latency_seconds_bucket', { le: '1.0' }, registry)).to.equal(3);
    expect(await getSampleValue('latency_seconds_bucket', { le: '2.5' }, registry)).to.equal(3);
    expect(await getSampleValue('latency_seconds_bucket', { le: '+Inf' }, registry)).to.equal(4);
    expect(await getSampleValue('latency_seconds_count', {}, registry)).to.equal(4);
    expect(await getSampleValue('latency_seconds_sum', {}, registry)).to.be.closeTo(4.8, 1e-12);
    // Exact match, as in Python: the bucket is exposed as le="1.0", not le="1".
    expect(await getSampleValue('latency_seconds_bucket', { le: '1' }, registry)).to.equal(undefined);
    // Without le there is no bucket sample.
    expect(await getSampleValue('latency_seconds_bucket', {}, registry)).to.equal(undefined);
  });

  it("reads a summary's quantiles by quantile as exposed, _count and _sum", async () => {
    const s = new Summary({ name: 'rpc_seconds', help: 'h', labelNames: ['m'], percentiles: [0.5, 0.99], registry });
    s.labels('get').observe(4);
    expect(await getSampleValue('rpc_seconds', { m: 'get', quantile: '0.5' }, registry)).to.equal(4);
    expect(await getSampleValue('rpc_seconds', { m: 'get', quantile: '0.99' }, registry)).to.equal(4);
    expect(await getSampleValue('rpc_seconds_count', { m: 'get' }, registry)).to.equal(1);
    expect(await getSampleValue('rpc_seconds_sum', { m: 'get' }, registry)).to.equal(4);
    expect(await getSampleValue('rpc_seconds', { m: 'get' }, registry), 'no quantile label').to.equal(undefined);
  });

  it("reads an info's _info and an enum's state samples", async () => {
    new Info({ name: 'build', help: 'h', registry }).info({ version: '1.2.3' });
    const state = new Enum({ name: 'task_state', help: 'h', states: ['idle', 'busy'], registry });
    state.state('busy');
    expect(await getSampleValue('build_info', { version: '1.2.3' }, registry)).to.equal(1);
    expect(await getSampleValue('task_state', { task_state: 'busy' }, registry)).to.equal(1);
    expect(await getSampleValue('task_state', { task_state: 'idle' }, registry)).to.equal(0);
  });

  it('is undefined for an unknown name, a missing series, a partial or a larger label set', async () => {
    const c = new Counter({ name: 'jobs', help: 'h', labelNames: ['queue', 'kind'], registry });
    c.labels({ queue: 'a', kind: 'x' }).inc();
    expect(await getSampleValue('nothing_here', {}, registry)).to.equal(undefined);
    expect(await getSampleValue('jobs', { queue: 'a', kind: 'x' }, registry), 'the family name').to.equal(undefined);
    expect(await getSampleValue('jobs_total', { queue: 'b', kind: 'x' }, registry)).to.equal(undefined);
    expect(await getSampleValue('jobs_total', { queue: 'a' }, registry)).to.equal(undefined);
    expect(await getSampleValue('jobs_total', { queue: 'a', kind: 'x', extra: '' }, registry)).to.equal(undefined);
    expect(await getSampleValue('jobs_total', { queue: 'a', kind: 'x' }, registry)).to.equal(1);
  });

  it("matches on the full label set, a registry's constant labels included", async () => {
    const labelled = new Registry({ labels: { service: 'api' } });
    new Counter({ name: 'hits', help: 'h', registry: labelled }).inc(2);
    expect(await getSampleValue('hits_total', {}, labelled)).to.equal(undefined);
    expect(await getSampleValue('hits_total', { service: 'api' }, labelled)).to.equal(2);
  });

  it('reads label values with quotes, backslashes, newlines and non-ASCII text as they are (unescaped)', async () => {
    const g = new Gauge({ name: 'odd', help: 'h', labelNames: ['v'], registry });
    const value = 'a"b\\c\nd é 🙂';
    g.labels(value).set(7);
    expect(await getSampleValue('odd', { v: value }, registry)).to.equal(7);
    const escaped = 'a\\"b\\\\c\\nd é 🙂';
    expect(await getSampleValue('odd', { v: escaped }, registry), 'the escaped text').to.equal(undefined);
  });

  it("reads the families of custom collectors, sync and async, with the exposition's sample names", async () => {
    const sync: CollectedFamily[] = [
      { name: 'queue_depth', help: 'h', type: 'gauge', samples: [{ labels: { queue: 'a' }, value: 5 }] },
      { name: 'copies', help: 'h', type: 'counter', samples: [{ value: 9 }] },
    ];
    registry.registerCollector(() => sync);
    registry.registerCollector({
      collect: async (): Promise<CollectedFamily[]> => [
        {
          name: 'job_seconds',
          help: 'h',
          type: 'histogram',
          samples: [
            { name: 'job_seconds_bucket', labels: { le: '1' }, value: 2 },
            { name: 'job_seconds_bucket', labels: { le: '+Inf' }, value: 3 },
            { name: 'job_seconds_count', value: 3 },
            { name: 'job_seconds_sum', value: 4.5 },
          ],
        },
      ],
    });
    expect(await getSampleValue('queue_depth', { queue: 'a' }, registry)).to.equal(5);
    expect(await getSampleValue('copies_total', {}, registry)).to.equal(9);
    // The registry writes the collector's le="1" in canonical form, as every format exposes it.
    expect(await getSampleValue('job_seconds_bucket', { le: '1.0' }, registry)).to.equal(2);
    expect(await getSampleValue('job_seconds_sum', {}, registry)).to.equal(4.5);
  });

  it('reads the default registry when given none, and another registry when given it', async () => {
    const name = 'prometric_spec_testing_default';
    const onDefault = new Counter({ name, help: 'h' });
    const onOther = new Counter({ name, help: 'h', registry });
    try {
      onDefault.inc(4);
      onOther.inc(1);
      expect(await getSampleValue(`${name}_total`)).to.equal(4);
      expect(await getSampleValue(`${name}_total`, {})).to.equal(4);
      expect(await getSampleValue(`${name}_total`, {}, registry)).to.equal(1);
    } finally {
      defaultRegistry.unregister(onDefault);
    }
  });

  it("passes on a failing collector's CollectionError", async () => {
    registry.registerCollector(() => {
      throw new Error('collector broke');
    }, 'broken');
    const error = await rejection(getSampleValue('x', {}, registry));
    expect(error).to.be.instanceOf(CollectionError);
    expect(error.message).to.include('broken');
  });

  it('refuses bad arguments with a TypeError naming the function, the argument and the value', async () => {
    const cases: Array<[Promise<unknown>, RegExp]> = [
      [getSampleValue('' as string), /getSampleValue: name must be a non-empty string, got ""/],
      [getSampleValue(3 as unknown as string), /getSampleValue: name .* got 3/],
      [getSampleValue('x', null as unknown as Labels), /getSampleValue: labels must be an object.* got null/],
      [getSampleValue('x', ['a'] as unknown as Labels), /getSampleValue: labels .* got \["a"\]/],
      [
        getSampleValue('x', { code: 200 } as unknown as Labels),
        /getSampleValue: labels\.code must be a string.* got 200/,
      ],
      [getSampleValue('x', {}, {} as Registry), /getSampleValue: registry must be a Registry.* got \{\}/],
      [getSamples('', registry), /getSamples: name must be a non-empty string, got ""/],
      [getSamples('x', 'r' as unknown as Registry), /getSamples: registry must be a Registry.* got "r"/],
    ];
    for (const [promise, message] of cases) {
      const error = await rejection(promise);
      expect(error, String(message)).to.be.instanceOf(TypeError);
      expect(error.message).to.match(message);
    }
  });

  it('reads any object whose collect() gives metric families (a registry view)', async () => {
    new Gauge({ name: 'viewed', help: 'h', registry }).set(3);
    const view = { collect: () => registry.collect() };
    expect(await getSampleValue('viewed', {}, view)).to.equal(3);
  });
});

describe('getSamples', () => {
  let registry: Registry;
  beforeEach(() => {
    registry = new Registry();
  });

  it('gives every sample of a family when the name is a family name', async () => {
    const h = new Histogram({ name: 'size_bytes', help: 'h', labelNames: ['op'], buckets: [10], registry });
    h.labels('read').observe(4);
    h.labels('write').observe(40);
    const samples = await getSamples('size_bytes', registry);
    expect(samples.map((s) => [s.name, s.labels.op, s.labels.le, s.value])).to.deep.equal([
      ['size_bytes_bucket', 'read', '10.0', 1],
      ['size_bytes_bucket', 'read', '+Inf', 1],
      ['size_bytes_count', 'read', undefined, 1],
      ['size_bytes_sum', 'read', undefined, 4],
      ['size_bytes_bucket', 'write', '10.0', 0],
      ['size_bytes_bucket', 'write', '+Inf', 1],
      ['size_bytes_count', 'write', undefined, 1],
      ['size_bytes_sum', 'write', undefined, 40],
    ]);
  });

  it("gives a counter family's _total samples by its family name, and the samples of one sample name", async () => {
    const c = new Counter({ name: 'sent', help: 'h', labelNames: ['to'], registry });
    c.labels('a').inc(2);
    c.labels('b').inc(5);
    const byFamily = await getSamples('sent', registry);
    expect(byFamily.map((s) => [s.name, s.labels, s.value])).to.deep.equal([
      ['sent_total', { to: 'a' }, 2],
      ['sent_total', { to: 'b' }, 5],
    ]);
    const h = new Histogram({ name: 'wait_seconds', help: 'h', buckets: [1], registry });
    h.observe(0.5);
    const counts = await getSamples('wait_seconds_count', registry);
    expect(counts.map((s) => [s.name, s.value])).to.deep.equal([['wait_seconds_count', 1]]);
    const buckets = await getSamples('wait_seconds_bucket', registry);
    expect(buckets.map((s) => s.labels.le)).to.deep.equal(['1.0', '+Inf']);
  });

  it('gives an empty array for a name with no samples', async () => {
    new Counter({ name: 'sent', help: 'h', labelNames: ['to'], registry });
    expect(await getSamples('sent', registry), 'a family without series').to.deep.equal([]);
    expect(await getSamples('unknown', registry)).to.deep.equal([]);
    expect(await getSamples('sent_bucket', registry)).to.deep.equal([]);
  });

  it('gives the samples of custom collectors', async () => {
    registry.registerCollector(() => [
      {
        name: 'pool',
        help: 'h',
        type: 'gauge',
        samples: [
          { labels: { p: '1' }, value: 1 },
          { labels: { p: '2' }, value: 2 },
        ],
      },
    ]);
    expect((await getSamples('pool', registry)).map((s) => s.value)).to.deep.equal([1, 2]);
  });
});
