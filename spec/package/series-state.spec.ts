/**
 * Series state is private in fact (issue 11): a child's numbers change only through its methods,
 * and the child classes are types, not constructors a user can call.
 */
import { expect } from 'chai';
import * as api from '../../lib/index.js';
import { Counter, Enum, Gauge, Histogram, Info, Registry, Summary } from '../../lib/index.js';

describe('series state', () => {
  it('cannot be written from outside: c.labels().value = -5 changes nothing exposed', async () => {
    const registry = new Registry();
    const counter = new Counter({ name: 'c', help: 'h', registry });
    const gauge = new Gauge({ name: 'g', help: 'h', registry });
    const histogram = new Histogram({ name: 'h', help: 'h', buckets: [1], registry });
    const summary = new Summary({ name: 's', help: 'h', registry });
    const info = new Info({ name: 'i', help: 'h', registry });
    const state = new Enum({ name: 'e', help: 'h', states: ['a', 'b'], registry });
    counter.inc(2);
    gauge.set(3);
    histogram.observe(0.5);
    summary.observe(4);
    info.info({ version: '1' });
    const before = await registry.metrics();
    const children: object[] = [
      counter.labels(),
      gauge.labels(),
      histogram.labels(),
      summary.labels(),
      info.labels(),
      state.labels(),
    ];
    for (const child of children) {
      for (const field of [
        'value',
        'created',
        'count',
        'sum',
        'page',
        'offset',
        'window',
        'facts',
        'current',
        'valueFunction',
      ]) {
        (child as Record<string, unknown>)[field] = -5;
      }
    }
    for (const child of children) {
      // The label set is a getter without a setter: assigning throws (modules are strict).
      expect(() => {
        (child as Record<string, unknown>).labels = { evil: 'x' };
      }).to.throw(TypeError);
    }
    expect(await registry.metrics()).to.equal(before);
    expect(counter.get()).to.equal(2);
    expect(gauge.get()).to.equal(3);
  });

  it('is not among a child’s own properties', () => {
    const registry = new Registry();
    const children = [
      new Counter({ name: 'c2', help: 'h', registry }).labels(),
      new Gauge({ name: 'g2', help: 'h', registry }).labels(),
      new Histogram({ name: 'h2', help: 'h', registry }).labels(),
      new Summary({ name: 's2', help: 'h', percentiles: [0.5], registry }).labels(),
    ];
    for (const child of children) expect(Object.keys(child)).to.deep.equal([]);
  });

  it('has child classes exported as types only', () => {
    for (const name of ['CounterChild', 'GaugeChild', 'HistogramChild', 'SummaryChild', 'InfoChild', 'EnumChild']) {
      expect(Object.hasOwn(api, name), name).to.equal(false);
    }
  });
});
