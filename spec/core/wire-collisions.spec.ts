/**
 * Names that a scraper would read as one are refused (issue 9's "every body parses", issue 10's
 * escaping): `a.b` and `a_b` are the same metric to a scraper that asked for `underscores`.
 */
import { expect } from 'chai';
import { CollectionError, Counter, Gauge, Histogram, Registry, Summary, startTimer } from '../../lib/index.js';
import { rejection } from '../support/tools.js';

describe('names that escape alike', () => {
  it('refuses a second metric whose name some scheme writes as the first one’s, naming both', () => {
    const registry = new Registry();
    new Gauge({ name: 'a.b', help: 'h', registry });
    expect(() => new Gauge({ name: 'a_b', help: 'h', registry })).to.throw(Error, /a_b.*a\.b/);
    expect(() => new Counter({ name: 'a_dot_b', help: 'h', registry })).to.throw(Error, /a\.b/);
    expect(registry.getMetrics().map((m) => m.name)).to.deep.equal(['a.b']);
  });

  it('frees the escaped names on unregister', () => {
    const registry = new Registry();
    const first = new Gauge({ name: 'x.y', help: 'h', registry });
    registry.unregister(first);
    new Gauge({ name: 'x_y', help: 'h', registry });
    expect(registry.getMetrics().map((m) => m.name)).to.deep.equal(['x_y']);
  });

  it('refuses label names that some scheme writes alike, in metrics and in collectors', () => {
    const registry = new Registry();
    expect(() => new Counter({ name: 'lab', help: 'h', labelNames: ['x.y', 'x_y'], registry })).to.throw(
      TypeError,
      /label names "x\.y" and "x_y" are one name to a scraper that asked for underscores/,
    );
    expect(registry.getMetrics()).to.deep.equal([]);
    registry.registerCollector(
      () => [{ name: 'c', help: 'h', type: 'gauge', samples: [{ labels: { 'q.r': 'a', q_r: 'b' }, value: 1 }] }],
      'twins',
    );
    return rejection(registry.metrics()).then((error) =>
      expect(error.message).to.contain('twins').and.contain('one name'),
    );
  });

  it('fails a scrape whose collector brings a family that escapes like a metric’s, naming the collector', async () => {
    const registry = new Registry();
    new Gauge({ name: 'queue.depth', help: 'h', registry });
    registry.registerCollector(
      () => [{ name: 'queue_depth', help: 'h', type: 'gauge', samples: [{ value: 1 }] }],
      'shadow',
    );
    const error = await rejection(registry.metrics());
    expect(error).to.be.instanceOf(CollectionError);
    expect(error.message).to.contain('shadow').and.contain('queue_depth');
  });
});

describe('summary quantiles over infinite observations', () => {
  it('answer ±Inf for the ranks that observed them, never an unobserved finite value', async () => {
    const registry = new Registry();
    const s = new Summary({ name: 'sinf', help: 'h', percentiles: [0, 0.25, 0.5, 0.75, 1], registry });
    s.observe(-Infinity);
    s.observe(1);
    s.observe(Infinity);
    const family = (await registry.collect())[0]!;
    const values = family.samples.filter((x) => x.name === 'sinf').map((x) => x.value);
    expect(values[0]).to.equal(-Infinity);
    expect(values[2]).to.be.closeTo(1, 0.02);
    expect(values[4]).to.equal(Infinity);
    for (const value of values)
      expect(Number.isFinite(value) ? Math.abs(value - 1) < 0.02 : true, String(value)).to.equal(true);
  });
});

describe('startTimer label values', () => {
  it('are checked when the timer starts, not only when it ends', () => {
    const h = new Histogram({ name: 'timer_labels', help: 'h', labelNames: ['route'], registry: null });
    expect(() => startTimer(h, { rout: '/a' } as never)).to.throw(TypeError, /unknown label\(s\) \[rout\]/);
    expect(() => h.startTimer({ foo: 1 } as never)).to.throw(TypeError, /unknown label/);
    const end = h.startTimer({ route: '/a' });
    expect(end()).to.be.at.least(0);
  });
});
