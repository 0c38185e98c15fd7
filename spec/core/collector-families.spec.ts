import { expect } from 'chai';
import { CollectionError, Gauge, Histogram, Registry, Summary } from '../../lib/index.js';
import { PythonParsers, promtoolCheck } from '../support/exposition-tools.js';
import { hasPromtool, hasPythonClient, rejection, requireTool } from '../support/tools.js';

describe('custom collector families', () => {
  let registry: Registry;
  beforeEach(() => {
    registry = new Registry();
  });

  it('name counter and info samples by their type when no sample name is given', async () => {
    registry.registerCollector(() => [
      { name: 'jobs', help: 'Jobs done', type: 'counter', samples: [{ value: 3 }] },
      { name: 'build_info', help: 'Build', type: 'info', samples: [{ labels: { v: '1' }, value: 1 }] },
      { name: 'latency_seconds', help: 'x', type: 'gauge', unit: 'seconds', samples: [{ value: 1 }] },
    ]);
    expect(await registry.metrics()).to.equal(
      '# HELP jobs_total Jobs done\n# TYPE jobs_total counter\njobs_total 3\n' +
        '# HELP build_info Build\n# TYPE build_info gauge\nbuild_info{v="1"} 1\n' +
        '# HELP latency_seconds x\n# TYPE latency_seconds gauge\nlatency_seconds 1\n',
    );
    expect(await registry.metrics('openmetrics')).to.equal(
      '# HELP jobs Jobs done\n# TYPE jobs counter\njobs_total 3\n' +
        '# HELP build Build\n# TYPE build info\nbuild_info{v="1"} 1\n' +
        '# HELP latency_seconds x\n# TYPE latency_seconds gauge\n# UNIT latency_seconds seconds\nlatency_seconds 1\n# EOF\n',
    );
  });

  it('output of collectors of every type passes promtool and both Python parsers', async function () {
    requireTool(this, 'promtool', hasPromtool());
    requireTool(this, "Python's prometheus_client", hasPythonClient());
    registry.registerCollector(async () => [
      { name: 'jobs_total', help: 'Jobs done', type: 'counter', samples: [{ labels: { queue: 'a' }, value: 3 }] },
      { name: 'build', help: 'Build', type: 'info', samples: [{ labels: { version: '1.2' }, value: 1 }] },
      {
        name: 'size_bytes',
        help: 'Sizes',
        type: 'histogram',
        unit: 'bytes',
        samples: [
          { name: 'size_bytes_bucket', labels: { le: '1.0' }, value: 1 },
          { name: 'size_bytes_bucket', labels: { le: '+Inf' }, value: 2 },
          { name: 'size_bytes_count', value: 2 },
          { name: 'size_bytes_sum', value: 3.5 },
        ],
      },
      {
        name: 'mode',
        help: 'Mode',
        type: 'stateset',
        samples: [
          { labels: { mode: 'on' }, value: 1 },
          { labels: { mode: 'off' }, value: 0 },
        ],
      },
    ]);
    const text = await registry.metrics();
    const lint = promtoolCheck(text);
    expect(lint.ok, lint.output).to.equal(true);
    const parsers = new PythonParsers();
    try {
      const fromText = await parsers.parse('text', text);
      expect(fromText.ok, fromText.ok ? '' : fromText.error).to.equal(true);
      const fromOpenMetrics = await parsers.parse('openmetrics', await registry.metrics('openmetrics'));
      expect(fromOpenMetrics.ok, fromOpenMetrics.ok ? '' : fromOpenMetrics.error).to.equal(true);
      if (fromOpenMetrics.ok) {
        expect(fromOpenMetrics.families.map((f) => `${f.name}:${f.type}`)).to.deep.equal([
          'jobs:counter',
          'build:info',
          'size_bytes:histogram',
          'mode:stateset',
        ]);
      }
    } finally {
      parsers.close();
    }
  });

  it('a sample name the type does not allow fails the scrape, naming the collector', async () => {
    registry.registerCollector(function queueCollector() {
      return [{ name: 'depth', help: 'd', type: 'gauge', samples: [{ name: 'depth_total', value: 1 }] }];
    });
    const error = await rejection(registry.metrics());
    expect(error).to.be.instanceOf(CollectionError);
    expect(error.message).to.include('queueCollector').and.to.include('depth_total');
  });

  it('a unit the family name does not end with fails the scrape', async () => {
    registry.registerCollector(() => [
      { name: 'latency', help: 'd', type: 'gauge', unit: 'seconds', samples: [{ value: 1 }] },
    ]);
    expect((await rejection(registry.metrics())).message).to.match(/latency.*_seconds/);
  });

  it('a collector family that would take a registered metric sample name fails, even without samples', async () => {
    new Gauge({ name: 'jobs_total', help: 'g', registry });
    registry.registerCollector(() => [{ name: 'jobs', help: 'c', type: 'counter', samples: [] }]);
    expect((await rejection(registry.metrics())).message).to.include('jobs_total');
  });
});

describe('negative sums', () => {
  it('are left out of OpenMetrics (where a sum may not be negative) and kept in text', async function () {
    requireTool(this, "Python's prometheus_client", hasPythonClient());
    const registry = new Registry();
    new Histogram({ name: 'delta', help: 'd', registry, buckets: [-1, 0, 1] }).observe(-2);
    new Summary({ name: 'change', help: 'c', registry }).observe(-0.5);
    const text = await registry.metrics();
    expect(text).to.include('delta_sum -2\n').and.to.include('change_sum -0.5\n');
    const openMetrics = await registry.metrics('openmetrics');
    expect(openMetrics).not.to.include('_sum').and.not.to.include('delta_count');
    // A summary's _count needs no _sum beside it (a histogram's does): it stays.
    expect(openMetrics).to.include('change_count 1\n');
    expect(openMetrics).to.include('delta_bucket{le="-1.0"} 1\n').and.to.include('delta_bucket{le="+Inf"} 1\n');
    const parsers = new PythonParsers();
    try {
      const parsed = await parsers.parse('openmetrics', openMetrics);
      expect(parsed.ok, parsed.ok ? '' : parsed.error).to.equal(true);
    } finally {
      parsers.close();
    }
  });
});
