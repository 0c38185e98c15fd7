import { expect } from 'chai';
import { Counter, Registry, defaultRegistry } from '../../lib/index.js';

describe('Counter', () => {
  let registry: Registry;
  beforeEach(() => {
    registry = new Registry();
  });

  describe('constructor forms', () => {
    it('takes Python-style positional arguments (name, help, labelNames, options)', async () => {
      const c = new Counter('jobs_done', 'Jobs done', ['queue', 'result'], { registry });
      expect(c.name).to.equal('jobs_done');
      expect(c.help).to.equal('Jobs done');
      expect(c.labelNames).to.deep.equal(['queue', 'result']);
      expect(c.registry).to.equal(registry);
      expect(registry.getMetric('jobs_done')).to.equal(c);
      c.labels('mail', 'ok').inc();
      expect(await registry.metrics()).to.equal(
        '# HELP jobs_done_total Jobs done\n# TYPE jobs_done_total counter\njobs_done_total{queue="mail",result="ok"} 1\n',
      );
    });

    it('takes an options object', async () => {
      const c = new Counter({ name: 'jobs_done', help: 'Jobs done', labelNames: ['queue'], registry });
      expect(c.name).to.equal('jobs_done');
      expect(c.labelNames).to.deep.equal(['queue']);
      expect(registry.getMetric('jobs_done')).to.equal(c);
    });

    it('positional form without labels or options', () => {
      const c = new Counter('prometric_spec_counter_positional', 'h');
      try {
        expect(c.labelNames).to.deep.equal([]);
        expect(c.registry).to.equal(defaultRegistry);
      } finally {
        defaultRegistry.unregister(c);
      }
    });

    it('registers in defaultRegistry when no registry is given', async () => {
      const c = new Counter({ name: 'prometric_spec_counter_default', help: 'h' });
      try {
        expect(c.registry).to.equal(defaultRegistry);
        expect(defaultRegistry.getMetric('prometric_spec_counter_default')).to.equal(c);
        expect(await defaultRegistry.metrics()).to.include('prometric_spec_counter_default_total 0\n');
      } finally {
        defaultRegistry.unregister(c);
      }
      expect(await defaultRegistry.metrics()).not.to.include('prometric_spec_counter_default');
    });

    it('registry: null leaves it unregistered (both forms)', async () => {
      const a = new Counter({ name: 'prometric_spec_counter_null', help: 'h', registry: null });
      const b = new Counter('prometric_spec_counter_null2', 'h', [], { registry: null });
      expect(a.registry).to.equal(null);
      expect(b.registry).to.equal(null);
      a.inc();
      expect(defaultRegistry.getMetric('prometric_spec_counter_null')).to.equal(undefined);
      expect(defaultRegistry.getMetric('prometric_spec_counter_null2')).to.equal(undefined);
      expect(await defaultRegistry.metrics()).not.to.include('prometric_spec_counter_null');
      // And a second one with the same name is a separate object: nothing to return.
      expect(new Counter({ name: 'prometric_spec_counter_null', help: 'h', registry: null })).not.to.equal(a);
    });
  });

  describe('_total', () => {
    it('strips _total from the family name; the sample is <family>_total', async () => {
      const c = new Counter('requests_total', 'Requests', [], { registry });
      expect(c.name).to.equal('requests');
      c.inc();
      expect(await registry.metrics()).to.equal(
        '# HELP requests_total Requests\n# TYPE requests_total counter\nrequests_total 1\n',
      );
      expect(await registry.metrics('openmetrics')).to.equal(
        '# HELP requests Requests\n# TYPE requests counter\nrequests_total 1\n# EOF\n',
      );
    });

    it('the name with and without _total is the same metric', () => {
      const a = new Counter('requests_total', 'Requests', [], { registry });
      const b = new Counter('requests', 'Requests', [], { registry });
      expect(b).to.equal(a);
    });

    it('strips _total before appending a unit, as Python does', () => {
      const c = new Counter({ name: 'busy_total', help: 'h', unit: 'seconds', registry });
      expect(c.name).to.equal('busy_seconds');
      expect(new Counter({ name: 'busy_seconds_total', help: 'h', unit: 'seconds', registry })).to.equal(c);
    });

    it('refuses a name that is only "_total"', () => {
      expect(() => new Counter('_total', 'h', [], { registry })).to.throw(TypeError, '"_total"');
    });
  });

  describe('inc()', () => {
    it('adds 1 by default and any finite amount >= 0', () => {
      const c = new Counter('c', 'h', [], { registry });
      c.inc();
      c.inc(2.5);
      c.inc(0);
      expect(c.get()).to.equal(3.5);
    });

    it('adds on a labeled child', async () => {
      const c = new Counter('c', 'h', ['a'], { registry });
      c.labels('x').inc(2);
      c.labels({ a: 'x' }).inc();
      expect(c.labels('x').get()).to.equal(3);
      expect(await registry.metrics()).to.include('c_total{a="x"} 3\n');
    });

    const bad: Array<[unknown, string]> = [
      [-1, '-1'],
      [-0.001, '-0.001'],
      [-Infinity, '-Infinity'],
      [Infinity, 'Infinity'],
      [NaN, 'NaN'],
      ['1', '"1"'],
      [null, 'null'],
      [{}, '{}'],
      [10n, '10n'],
    ];
    for (const [value, shown] of bad) {
      it(`throws a RangeError naming the metric and the value for ${shown}, and changes nothing`, async () => {
        const c = new Counter('bad_inc', 'h', ['a'], { registry });
        const child = c.labels('x');
        child.inc(5);
        const unlabeled = new Counter('bad_inc_plain', 'h', [], { registry });
        unlabeled.inc(7);
        const before = await registry.metrics();
        expect(() => child.inc(value as number))
          .to.throw(RangeError, /bad_inc/)
          .with.property('message')
          .that.includes(shown);
        expect(() => unlabeled.inc(value as number))
          .to.throw(RangeError, /bad_inc_plain/)
          .with.property('message')
          .that.includes(shown);
        expect(child.get()).to.equal(5);
        expect(unlabeled.get()).to.equal(7);
        expect(await registry.metrics()).to.equal(before);
      });
    }
  });

  describe('reset()', () => {
    it('sets every series back to 0 and keeps the label sets', async () => {
      const c = new Counter('c', 'h', ['a'], { registry });
      c.labels('x').inc(3);
      c.labels('y').inc(4);
      c.reset();
      expect(c.labels('x').get()).to.equal(0);
      expect(await registry.metrics()).to.equal(
        '# HELP c_total h\n# TYPE c_total counter\nc_total{a="x"} 0\nc_total{a="y"} 0\n',
      );
      c.labels('x').inc();
      expect(c.labels('x').get()).to.equal(1);
    });

    it('resets the unlabeled counter, and a single child', () => {
      const c = new Counter('c', 'h', [], { registry });
      c.inc(9);
      c.reset();
      expect(c.get()).to.equal(0);
      const l = new Counter('l', 'h', ['a'], { registry });
      l.labels('x').inc(2);
      l.labels('y').inc(2);
      l.labels('x').reset();
      expect(l.labels('x').get()).to.equal(0);
      expect(l.labels('y').get()).to.equal(2);
    });
  });
});
