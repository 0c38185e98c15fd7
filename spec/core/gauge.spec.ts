import { expect } from 'chai';
import sinon from 'sinon';
import { CollectionError, Gauge, Registry, defaultRegistry } from '../../lib/index.js';

describe('Gauge', () => {
  let registry: Registry;
  beforeEach(() => {
    registry = new Registry();
  });
  afterEach(() => sinon.restore());

  it('takes both constructor forms, and the registry default / null', () => {
    const a = new Gauge('temperature', 'Temperature', ['room'], { registry });
    const b = new Gauge({ name: 'pressure', help: 'Pressure', labelNames: ['room'], registry });
    expect(registry.getMetric('temperature')).to.equal(a);
    expect(registry.getMetric('pressure')).to.equal(b);
    expect(b.labelNames).to.deep.equal(['room']);
    const d = new Gauge({ name: 'prometric_spec_gauge_default', help: 'h' });
    try {
      expect(defaultRegistry.getMetric('prometric_spec_gauge_default')).to.equal(d);
    } finally {
      defaultRegistry.unregister(d);
    }
    const n = new Gauge({ name: 'prometric_spec_gauge_null', help: 'h', registry: null });
    expect(n.registry).to.equal(null);
    expect(defaultRegistry.getMetric('prometric_spec_gauge_null')).to.equal(undefined);
  });

  it('inc, dec (default 1) and set', async () => {
    const g = new Gauge('g', 'h', [], { registry });
    g.inc();
    g.inc(4);
    g.dec();
    g.dec(0.5);
    expect(g.get()).to.equal(3.5);
    g.set(-12);
    expect(g.get()).to.equal(-12);
    expect(await registry.metrics()).to.equal('# HELP g h\n# TYPE g gauge\ng -12\n');
  });

  it('set takes NaN, ±Infinity and -0, and they are exposed as such', async () => {
    const g = new Gauge('g', 'h', ['v'], { registry });
    g.labels('nan').set(NaN);
    g.labels('inf').set(Infinity);
    g.labels('ninf').set(-Infinity);
    g.labels('nzero').set(-0);
    const body = await registry.metrics();
    expect(body).to.include('g{v="nan"} NaN\n');
    expect(body).to.include('g{v="inf"} +Inf\n');
    expect(body).to.include('g{v="ninf"} -Inf\n');
    expect(body).to.include('g{v="nzero"} -0\n');
  });

  it('refuses non-numbers (and NaN for inc/dec) with a TypeError naming the gauge, changing nothing', async () => {
    const g = new Gauge('g_bad', 'h', [], { registry });
    g.set(2);
    const before = await registry.metrics();
    expect(() => g.inc(NaN)).to.throw(TypeError, /g_bad.*NaN/);
    expect(() => g.dec('1' as unknown as number)).to.throw(TypeError, /g_bad.*"1"/);
    expect(() => g.set(null as unknown as number)).to.throw(TypeError, /g_bad.*null/);
    expect(g.get()).to.equal(2);
    expect(await registry.metrics()).to.equal(before);
  });

  it('setToCurrentTime sets Unix seconds', () => {
    sinon.useFakeTimers({ now: 1_700_000_000_250, toFake: ['Date'] });
    const g = new Gauge('g', 'h', ['a'], { registry });
    g.labels('x').setToCurrentTime();
    expect(g.labels('x').get()).to.equal(1_700_000_000.25);
  });

  describe('setFunction', () => {
    it('is evaluated at each scrape, not before', async () => {
      const g = new Gauge('queue', 'h', [], { registry });
      let n = 0;
      const fn = sinon.spy(() => ++n * 10);
      g.setFunction(fn);
      expect(fn.callCount).to.equal(0);
      expect(await registry.metrics()).to.include('queue 10\n');
      expect(await registry.metrics()).to.include('queue 20\n');
      expect(fn.callCount).to.equal(2);
    });

    it('works per labeled child, and values may be NaN or infinite', async () => {
      const g = new Gauge('queue', 'h', ['q'], { registry });
      g.labels('a').setFunction(() => 1.5);
      g.labels('b').setFunction(() => -Infinity);
      g.labels('c').set(3);
      const body = await registry.metrics();
      expect(body).to.include('queue{q="a"} 1.5\n');
      expect(body).to.include('queue{q="b"} -Inf\n');
      expect(body).to.include('queue{q="c"} 3\n');
    });

    it('a throwing function makes the scrape fail with an error naming the gauge', async () => {
      const g = new Gauge('flaky_gauge', 'h', [], { registry });
      g.setFunction(() => {
        throw new Error('sensor offline');
      });
      const error = await registry.metrics().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(CollectionError);
      expect((error as Error).message)
        .to.include('flaky_gauge')
        .and.to.include('sensor offline');
      expect((error as Error).cause).to.be.instanceOf(Error);
    });

    it('a function returning a non-number fails the scrape naming the gauge', async () => {
      const g = new Gauge('wrong_type', 'h', [], { registry });
      g.setFunction((() => '12') as unknown as () => number);
      const error = await registry.metrics().then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error?.message).to.include('wrong_type').and.to.include('"12"');
    });

    it('refuses a non-function with a TypeError naming the gauge', () => {
      const g = new Gauge('gf', 'h', [], { registry });
      expect(() => g.setFunction(5 as unknown as () => number)).to.throw(TypeError, /gf/);
    });
  });
});
