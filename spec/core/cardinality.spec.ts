/**
 * The cardinality guard (issue 16): a metric's `maxSeries` and a registry's `maxSeriesPerMetric`.
 * Past the limit a new label set goes to one series whose label values are all `__overflow__`;
 * `prometric_series_overflow_total{metric}` counts those calls, the first one warns, and remove()
 * and clear() make room again. The heap under 100,000 distinct label values is measured in a
 * process of its own (cardinality-heap-child.ts).
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  Counter,
  Enum,
  Gauge,
  Histogram,
  Info,
  OVERFLOW_LABEL_VALUE,
  PrometricWarning,
  Registry,
  Summary,
  type Metric,
} from '../../lib/index.js';
import { seriesStates } from '../../lib/aggregation/export.js';
import { Aggregator } from '../../lib/aggregation/aggregator.js';
import { Reporter } from '../../lib/aggregation/reporter.js';
import { decodeReport, encodeReport } from '../../lib/aggregation/wire.js';
import { FAMILY_SOURCE } from '../../lib/registry.js';

const OVERFLOW = '__overflow__';

/** The value of `prometric_series_overflow_total{metric="<name>"}` as the registry exposes it, or undefined. */
async function overflowCount(registry: Registry, metric: string): Promise<number | undefined> {
  const text = await registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`prometric_series_overflow_total{metric="${metric}"} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** The PrometricWarnings emitted while `run` runs (warnings are delivered on a later tick). */
async function warningsDuring(run: () => void | Promise<void>): Promise<PrometricWarning[]> {
  const seen: PrometricWarning[] = [];
  const onWarning = (warning: Error): void => {
    if (warning instanceof PrometricWarning) seen.push(warning);
  };
  process.on('warning', onWarning);
  try {
    await run();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', onWarning);
  }
  return seen;
}

function labelSetsOf(metric: Metric<string>): Array<Record<string, string>> {
  return metric.labelSets() as Array<Record<string, string>>;
}

describe('cardinality guard (maxSeries)', () => {
  let registry: Registry;
  beforeEach(() => {
    registry = new Registry();
  });

  describe('every labeled metric type sends a new label set past the limit to the overflow series', () => {
    const overflowSet = { route: OVERFLOW, code: OVERFLOW };
    const cases: Array<[string, (r: Registry) => Metric<'route' | 'code'>, (m: Metric<'route' | 'code'>) => void]> = [
      [
        'Counter',
        (r) => new Counter({ name: 'c', help: 'h', labelNames: ['route', 'code'], maxSeries: 2, registry: r }),
        (m) => {
          const c = m as Counter<'route' | 'code'>;
          for (const route of ['/a', '/b', '/c', '/d']) c.labels({ route, code: '200' }).inc(2);
          expect(c.labels(overflowSet).get()).to.equal(4);
          expect(c.labels({ route: '/a', code: '200' }).get()).to.equal(2);
        },
      ],
      [
        'Gauge',
        (r) => new Gauge({ name: 'g', help: 'h', labelNames: ['route', 'code'], maxSeries: 2, registry: r }),
        (m) => {
          const g = m as Gauge<'route' | 'code'>;
          for (const route of ['/a', '/b', '/c', '/d']) g.labels(route, '200').inc(3);
          expect(g.labels(overflowSet).get()).to.equal(6);
        },
      ],
      [
        'Histogram',
        (r) =>
          new Histogram({
            name: 'h_seconds',
            help: 'h',
            labelNames: ['route', 'code'],
            buckets: [1],
            maxSeries: 2,
            registry: r,
          }),
        (m) => {
          const h = m as Histogram<'route' | 'code'>;
          for (const route of ['/a', '/b', '/c', '/d', '/e']) h.labels(route, '200').observe(0.5);
          const overflowed = h.labels(overflowSet);
          expect([overflowed.count(), overflowed.sum()]).to.deep.equal([3, 1.5]);
        },
      ],
      [
        'Summary',
        (r) => new Summary({ name: 's', help: 'h', labelNames: ['route', 'code'], maxSeries: 2, registry: r }),
        (m) => {
          const s = m as Summary<'route' | 'code'>;
          for (const route of ['/a', '/b', '/c']) s.labels(route, '200').observe(4);
          const overflowed = s.labels(overflowSet);
          expect([overflowed.count(), overflowed.sum()]).to.deep.equal([1, 4]);
        },
      ],
      [
        'Info',
        (r) => new Info({ name: 'i', help: 'h', labelNames: ['route', 'code'], maxSeries: 2, registry: r }),
        (m) => {
          const i = m as Info<'route' | 'code'>;
          for (const route of ['/a', '/b', '/c']) i.labels(route, '200').info({ version: route });
        },
      ],
      [
        'Enum',
        (r) =>
          new Enum({
            name: 'e',
            help: 'h',
            labelNames: ['route', 'code'],
            states: ['up', 'down'],
            maxSeries: 2,
            registry: r,
          }),
        (m) => {
          const e = m as Enum<'route' | 'code', 'up' | 'down'>;
          for (const route of ['/a', '/b', '/c']) e.labels(route, '200').state('down');
          expect(e.labels(overflowSet).get()).to.equal('down');
        },
      ],
    ];
    for (const [type, make, use] of cases) {
      it(`${type}: two real series and one __overflow__ series, counted and exposed`, async () => {
        const metric = make(registry);
        use(metric);
        expect(labelSetsOf(metric)).to.have.deep.members([
          { route: '/a', code: '200' },
          { route: '/b', code: '200' },
          overflowSet,
        ]);
        const exposed = await registry.metrics();
        expect(exposed).to.include('route="__overflow__",code="__overflow__"');
        expect(await overflowCount(registry, metric.name)).to.be.greaterThan(0);
      });
    }
  });

  it('exports the overflow label value', () => {
    expect(OVERFLOW_LABEL_VALUE).to.equal(OVERFLOW);
  });

  it('counts exactly the calls sent to the overflow series, and nothing else', async () => {
    const c = new Counter({ name: 'requests', help: 'h', labelNames: ['user'], maxSeries: 3, registry });
    for (const user of ['1', '2', '3']) c.labels(user).inc();
    expect(await overflowCount(registry, 'requests')).to.equal(undefined);
    let redirected = 0;
    for (let i = 0; i < 50; i++) {
      c.labels(`u${i % 7}`).inc(); // a new label set: overflow
      redirected++;
      c.labels({ user: '2' }).inc(); // a hit on a real series: not counted
      c.labels(3).inc(); // a number naming a real series: not counted
      c.labels(OVERFLOW).inc(); // the overflow series itself: not counted
    }
    expect(await overflowCount(registry, 'requests')).to.equal(redirected);
    expect(c.labels(OVERFLOW).get()).to.equal(100);
    expect(c.labels('2').get()).to.equal(51);
    expect(c.labels('3').get()).to.equal(51);
    expect(c.labelSets()).to.have.length(4);
    expect(await registry.metrics()).to.include('# TYPE prometric_series_overflow_total counter\n');
    expect(await registry.metrics('openmetrics')).to.include(
      '# TYPE prometric_series_overflow counter\nprometric_series_overflow_total{metric="requests"} 50\n',
    );
  });

  it('a bound overflow child keeps counting without further lookups', async () => {
    const c = new Counter({ name: 'jobs', help: 'h', labelNames: ['id'], maxSeries: 1, registry });
    c.labels('a').inc();
    const bound = c.labels('b');
    for (let i = 0; i < 10; i++) bound.inc();
    expect(c.labels(OVERFLOW).get()).to.equal(10);
    expect(await overflowCount(registry, 'jobs')).to.equal(1);
  });

  it('warns once per metric, naming it', async () => {
    const a = new Counter({ name: 'alpha', help: 'h', labelNames: ['x'], maxSeries: 1, registry });
    const b = new Gauge({ name: 'beta', help: 'h', labelNames: ['x'], maxSeries: 1, registry });
    const warnings = await warningsDuring(() => {
      for (let i = 0; i < 5; i++) a.labels(`v${i}`).inc();
      a.labels('v0').inc();
      for (let i = 0; i < 5; i++) b.labels(`v${i}`).set(i);
    });
    expect(warnings.map((w) => w.message.split(' ')[1])).to.deep.equal(['alpha', 'beta']);
    expect(warnings[0]!.message).to.include('limit of 1 series').and.include(OVERFLOW);
    expect(await warningsDuring(() => void a.labels('v9').inc())).to.deep.equal([]);
  });

  it('no warning and no counter while under the limit', async () => {
    const c = new Counter({ name: 'calm', help: 'h', labelNames: ['x'], maxSeries: 5, registry });
    const warnings = await warningsDuring(() => {
      for (let i = 0; i < 5; i++) c.labels(`v${i}`).inc();
    });
    expect(warnings).to.deep.equal([]);
    expect(await registry.metrics()).not.to.include('prometric_series_overflow');
  });

  it('remove() makes room for a new real series', async () => {
    const c = new Counter({ name: 'r', help: 'h', labelNames: ['x'], maxSeries: 2, registry });
    c.labels('a').inc();
    c.labels('b').inc();
    c.labels('c').inc(); // overflow
    expect(c.remove('a')).to.equal(true);
    c.labels('d').inc(); // room again: a real series
    c.labels('e').inc(); // full again: overflow
    expect(labelSetsOf(c).map((s) => s.x)).to.have.members(['b', 'd', OVERFLOW]);
    expect(c.labels(OVERFLOW).get()).to.equal(2);
    expect(await overflowCount(registry, 'r')).to.equal(2);
    // Removing the overflow series frees no room for real series: the limit counts real ones.
    expect(c.remove(OVERFLOW)).to.equal(true);
    c.labels('f').inc();
    expect(labelSetsOf(c).map((s) => s.x)).to.have.members(['b', 'd', OVERFLOW]);
  });

  it('clear() makes room for as many new real series as the limit', async () => {
    const c = new Counter({ name: 'k', help: 'h', labelNames: ['x'], maxSeries: 2, registry });
    for (const x of ['a', 'b', 'c']) c.labels(x).inc();
    c.clear();
    for (const x of ['p', 'q', 'r']) c.labels(x).inc();
    expect(labelSetsOf(c).map((s) => s.x)).to.have.members(['p', 'q', OVERFLOW]);
    expect(await overflowCount(registry, 'k')).to.equal(2);
  });

  describe('the registry default', () => {
    it('applies to labeled metrics without a maxSeries of their own; a metric’s own limit wins', () => {
      registry = new Registry({ maxSeriesPerMetric: 2 });
      const byDefault = new Counter({ name: 'd', help: 'h', labelNames: ['x'], registry });
      const own = new Counter({ name: 'o', help: 'h', labelNames: ['x'], maxSeries: 4, registry });
      for (let i = 0; i < 10; i++) {
        byDefault.labels(`v${i}`).inc();
        own.labels(`v${i}`).inc();
      }
      expect(byDefault.labelSets()).to.have.length(3);
      expect(own.labelSets()).to.have.length(5);
      expect(registry.getMaxSeriesPerMetric()).to.equal(2);
    });

    it('setMaxSeriesPerMetric() reaches metrics made before it; undefined lifts it; series made stay', () => {
      const c = new Counter({ name: 'late', help: 'h', labelNames: ['x'], registry });
      for (let i = 0; i < 3; i++) c.labels(`v${i}`).inc();
      registry.setMaxSeriesPerMetric(2);
      c.labels('v9').inc();
      expect(c.labelSets().map((s) => s.x)).to.have.members(['v0', 'v1', 'v2', OVERFLOW]);
      registry.setMaxSeriesPerMetric(undefined);
      c.labels('v10').inc();
      expect(c.labelSets()).to.have.length(5);
    });

    it('does not reach a metric of another registry', () => {
      registry.setMaxSeriesPerMetric(1);
      const other = new Counter({ name: 'free', help: 'h', labelNames: ['x'], registry: new Registry() });
      for (let i = 0; i < 5; i++) other.labels(`v${i}`).inc();
      expect(other.labelSets()).to.have.length(5);
    });

    it('the counter restarts in a registry cleared of it', async () => {
      const c = new Counter({ name: 'c', help: 'h', labelNames: ['x'], maxSeries: 1, registry });
      c.labels('a').inc();
      c.labels('b').inc();
      expect(await overflowCount(registry, 'c')).to.equal(1);
      registry.clear();
      registry.register(c);
      c.labels('z').inc();
      expect(await overflowCount(registry, 'c')).to.equal(1);
    });
  });

  describe('validation', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      it(`maxSeries ${bad} is a RangeError naming the metric, the option and the value`, () => {
        expect(() => new Counter({ name: 'v', help: 'h', labelNames: ['x'], maxSeries: bad, registry })).to.throw(
          RangeError,
          new RegExp(`^Counter v: maxSeries must be a positive integer, got ${String(bad)}$`),
        );
        expect(registry.getMetric('v')).to.equal(undefined);
      });
    }

    it('a maxSeries that is not a number is a TypeError, in both constructor forms', () => {
      const given = '10' as unknown as number;
      expect(() => new Gauge({ name: 'v', help: 'h', labelNames: ['x'], maxSeries: given, registry })).to.throw(
        TypeError,
        /^Gauge v: maxSeries must be a positive integer, got "10"$/,
      );
      expect(() => new Histogram('v', 'h', ['x'], { maxSeries: given, registry })).to.throw(
        TypeError,
        /^Histogram v: maxSeries must be a positive integer/,
      );
      expect(registry.getMetric('v')).to.equal(undefined);
    });

    it('maxSeries on a metric without labels is refused', () => {
      expect(() => new Counter({ name: 'v', help: 'h', maxSeries: 3, registry })).to.throw(
        TypeError,
        /^Counter v: maxSeries needs label names/,
      );
    });

    it('the registry option and setter are checked, and a refused value changes nothing', () => {
      expect(() => new Registry({ maxSeriesPerMetric: 0 })).to.throw(
        RangeError,
        /^Registry: maxSeriesPerMetric must be a positive integer, got 0$/,
      );
      expect(() => new Registry({ maxSeriesPerMetric: 'x' as unknown as number })).to.throw(TypeError, /got "x"/);
      registry.setMaxSeriesPerMetric(5);
      expect(() => registry.setMaxSeriesPerMetric(2.5)).to.throw(RangeError, /maxSeriesPerMetric.*got 2\.5/);
      expect(registry.getMaxSeriesPerMetric()).to.equal(5);
    });

    it('a different maxSeries for an already registered name is a different definition', () => {
      new Counter({ name: 'same', help: 'h', labelNames: ['x'], maxSeries: 3, registry });
      expect(() => new Counter({ name: 'same', help: 'h', labelNames: ['x'], maxSeries: 4, registry })).to.throw(
        /different definition: maxSeries/,
      );
      expect(new Counter({ name: 'same', help: 'h', labelNames: ['x'], maxSeries: 3, registry }).maxSeries).to.equal(3);
    });
  });

  it('the overflow series exports its state for aggregation like any series', async () => {
    const c = new Counter({ name: 'agg', help: 'h', labelNames: ['x', 'y'], maxSeries: 1, registry });
    c.labels('a', 'b').inc();
    c.labels('c', 'd').inc(7);
    const family = c.collect({ created: true });
    const states = seriesStates(c, await family, 0);
    expect(states.map((s) => s.labels)).to.have.deep.members([
      { x: 'a', y: 'b' },
      { x: OVERFLOW, y: OVERFLOW },
    ]);
    expect(states.find((s) => s.labels.x === OVERFLOW)).to.deep.include({ value: 7 });
  });

  it('across workers, the overflow series and the overflow counter sum like any series', async () => {
    // In one process, as spec/aggregation/aggregator.spec.ts does: each worker a registry whose reports
    // reach the primary's aggregator through the wire encoding.
    const primary = new Registry();
    const aggregator = new Aggregator('primary', 30);
    primary[FAMILY_SOURCE](aggregator);
    for (const id of ['1', '2']) {
      const own = new Registry();
      const reporter = new Reporter(
        own,
        (report) => aggregator.accept(id, decodeReport(encodeReport(report))),
        1000,
        true,
      );
      const c = new Counter({ name: 'hits', help: 'h', labelNames: ['user'], maxSeries: 1, registry: own });
      for (const user of ['a', 'b', 'c', 'd']) c.labels(user).inc();
      reporter.reportMetrics();
      reporter.stop();
    }
    const text = await primary.metrics();
    expect(text).to.include('hits_total{user="a"} 2\n');
    expect(text).to.include('hits_total{user="__overflow__"} 6\n');
    expect(text).to.include('prometric_series_overflow_total{metric="hits"} 6\n');
  });

  describe('under 100,000 distinct label values (a process of its own)', function () {
    this.timeout(120_000);
    const CHILD_SCRIPT = fileURLToPath(new URL('./cardinality-heap-child.js', import.meta.url));
    interface Result {
      readonly realSeries: number;
      readonly overflowValue: number;
      readonly overflowCounted: number;
      readonly excessCalls: number;
      readonly heapGrowthBytes: number;
      readonly unguardedSeries: number;
      readonly unguardedGrowthBytes: number;
    }
    let result: Result;
    before(async () => {
      result = await new Promise<Result>((resolve, reject) => {
        execFile(process.execPath, ['--expose-gc', CHILD_SCRIPT], { timeout: 110_000 }, (error, stdout, stderr) => {
          if (error) reject(new Error(`${error.message}\n${stderr}`));
          else resolve(JSON.parse(stdout.trim()) as Result);
        });
      });
    });

    it('the registry holds maxSeries real series and one overflow series', () => {
      expect(result.realSeries).to.equal(1000);
    });

    it('the overflow series and prometric_series_overflow_total count exactly the excess calls', () => {
      expect(result.excessCalls).to.equal(99_000);
      expect(result.overflowValue).to.equal(result.excessCalls);
      expect(result.overflowCounted).to.equal(result.excessCalls);
    });

    it('the heap stays bounded (well under what the same label values cost without the guard)', () => {
      const growth = result.heapGrowthBytes;
      expect(growth, `${(growth / 1024).toFixed(0)} KiB`).to.be.below(2 * 1024 * 1024);
      // The measurement can tell: without the guard the same values grow the heap by megabytes.
      expect(result.unguardedSeries).to.equal(100_000);
      expect(result.unguardedGrowthBytes).to.be.above(4 * growth + 4 * 1024 * 1024);
    });
  });
});
