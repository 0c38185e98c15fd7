import { expect } from 'chai';
import fc from 'fast-check';
import { Counter, Enum, Gauge, Histogram, Info, Registry, Summary, type Metric } from '../../lib/index.js';

// biome-ignore lint/suspicious/noExplicitAny: every metric type's children, whose methods differ
type AnyMetric = Metric<'a' | 'b', any>;

/** One of each type, labeled ['a', 'b'] unless `labelNames` says otherwise. */
const TYPES: Record<string, (registry: Registry, labelNames?: string[]) => AnyMetric> = {
  Counter: (registry, labelNames = ['a', 'b']) =>
    new Counter({ name: 'm', help: 'h', labelNames, registry }) as AnyMetric,
  Gauge: (registry, labelNames = ['a', 'b']) => new Gauge({ name: 'm', help: 'h', labelNames, registry }) as AnyMetric,
  Histogram: (registry, labelNames = ['a', 'b']) =>
    new Histogram({ name: 'm', help: 'h', labelNames, buckets: [1], registry }) as AnyMetric,
  Summary: (registry, labelNames = ['a', 'b']) =>
    new Summary({ name: 'm', help: 'h', labelNames, registry }) as AnyMetric,
  Info: (registry, labelNames = ['a', 'b']) => new Info({ name: 'm', help: 'h', labelNames, registry }) as AnyMetric,
  Enum: (registry, labelNames = ['a', 'b']) =>
    new Enum({ name: 'm', help: 'h', labelNames, states: ['on', 'off'], registry }) as AnyMetric,
};

/** What an unlabeled metric of each type shows before first use. */
const INITIAL: Record<string, string> = {
  Counter: '# HELP m_total h\n# TYPE m_total counter\nm_total 0\n',
  Gauge: '# HELP m h\n# TYPE m gauge\nm 0\n',
  Histogram: '# HELP m h\n# TYPE m histogram\nm_bucket{le="1.0"} 0\nm_bucket{le="+Inf"} 0\nm_count 0\nm_sum 0\n',
  Summary: '# HELP m h\n# TYPE m summary\nm_count 0\nm_sum 0\n',
  Info: '# HELP m_info h\n# TYPE m_info gauge\nm_info 1\n',
  Enum: '# HELP m h\n# TYPE m gauge\nm{m="on"} 1\nm{m="off"} 0\n',
};

/** The label parts of the series lines (`{...}` texts), counted once per series. */
function seriesOf(body: string, type: string): string[] {
  const first = body
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    // One line per series: the first bucket, the count, the single info line, the first state.
    .filter((l) => !(type === 'Histogram' || type === 'Summary') || /^m_count/.test(l))
    .filter((l) => type !== 'Enum' || /m="on"\} /.test(l));
  return first.map((l) => l.slice(l.indexOf('{'), l.lastIndexOf('}') + 1).replace(/,m="on"\}$/, '}'));
}

/** Label sets that naive keys (joined with a separator, or unescaped) would merge. */
const TRICKY: ReadonlyArray<readonly [Record<'a' | 'b', string>, Record<'a' | 'b', string>]> = [
  [
    { a: 'x|', b: '' },
    { a: 'x', b: '|' },
  ],
  [
    { a: 'x"', b: '' },
    { a: 'x', b: '"' },
  ],
  [
    { a: 'x\\', b: '' },
    { a: 'x', b: '\\' },
  ],
  [
    { a: 'x","b="', b: '' },
    { a: 'x', b: '","b="' },
  ],
  [
    { a: 'x",b="y', b: 'z' },
    { a: 'x', b: 'y",b="z' },
  ],
  [
    { a: '\n', b: '' },
    { a: '\\n', b: '' },
  ],
  [
    { a: 'x\n', b: '' },
    { a: 'x', b: '\n' },
  ],
  [
    { a: '', b: '' },
    { a: '\u0000', b: '' },
  ],
  [
    { a: 'x,', b: 'y' },
    { a: 'x', b: ',y' },
  ],
];

describe('labels', () => {
  let registry: Registry;
  beforeEach(() => {
    registry = new Registry();
  });

  for (const [type, make] of Object.entries(TYPES)) {
    describe(type, () => {
      it('labels(...values) and labels({...}) return the same cached child', () => {
        const m = make(registry);
        const child = m.labels('x', 'y');
        expect(m.labels('x', 'y')).to.equal(child);
        expect(m.labels({ a: 'x', b: 'y' })).to.equal(child);
        expect(m.labels({ b: 'y', a: 'x' } as { a: string; b: string })).to.equal(child);
        expect(m.labels('y', 'x')).not.to.equal(child);
      });

      it('numbers and booleans are label values as their strings', () => {
        const m = make(registry);
        expect(m.labels(200, true)).to.equal(m.labels('200', 'true'));
        expect(m.labels({ a: 1.5, b: false })).to.equal(m.labels('1.5', 'false'));
      });

      it('is exposed with its initial value before first use when it has no labels', async () => {
        make(registry, []);
        expect(await registry.metrics()).to.equal(INITIAL[type]);
      });

      it('exposes no series of a labeled metric until labels() is called', async () => {
        make(registry);
        const body = await registry.metrics();
        expect(body.split('\n').filter((l) => l !== '' && !l.startsWith('#'))).to.deep.equal([]);
        make(registry).labels('x', 'y');
        expect(seriesOf(await registry.metrics(), type)).to.deep.equal(['{a="x",b="y"}']);
      });

      it('remove() drops one series (either calling form); the next labels() is a new child', async () => {
        const m = make(registry);
        const xy = m.labels('x', 'y');
        m.labels('x', 'z');
        m.labels('w', 'y');
        expect(m.remove('x', 'y')).to.equal(true);
        expect(m.remove({ a: 'x', b: 'z' })).to.equal(true);
        expect(m.remove('x', 'y')).to.equal(false);
        expect(seriesOf(await registry.metrics(), type)).to.deep.equal(['{a="w",b="y"}']);
        expect(m.labels('x', 'y')).not.to.equal(xy);
      });

      it('clear() drops every labeled series', async () => {
        const m = make(registry);
        m.labels('x', 'y');
        m.labels('x', 'z');
        m.clear();
        expect(seriesOf(await registry.metrics(), type)).to.deep.equal([]);
        expect(m.labelSets()).to.deep.equal([]);
      });

      it('copies label values: mutating the caller object later changes nothing', async () => {
        const m = make(registry);
        const values = { a: 'x', b: 'y' };
        const child = m.labels(values);
        values.a = 'changed';
        expect(seriesOf(await registry.metrics(), type)).to.deep.equal(['{a="x",b="y"}']);
        expect(m.labels({ a: 'x', b: 'y' })).to.equal(child);
        expect(m.labels(values)).not.to.equal(child);
        expect(m.labelSets()).to.deep.equal([
          { a: 'x', b: 'y' },
          { a: 'changed', b: 'y' },
        ]);
      });

      it('never merges two different label sets (separators, quotes, backslashes, newlines)', async () => {
        const m = make(registry);
        const children = new Set<unknown>();
        for (const [one, other] of TRICKY) {
          const c1 = m.labels(one);
          const c2 = m.labels(other);
          expect(c1, JSON.stringify([one, other])).not.to.equal(c2);
          expect(m.labels(one.a, one.b)).to.equal(c1);
          children.add(c1).add(c2);
        }
        expect(children.size).to.equal(TRICKY.length * 2);
        expect(new Set(seriesOf(await registry.metrics(), type)).size).to.equal(TRICKY.length * 2);
        // And each label set reads back as given.
        const sets = m.labelSets().map((s) => JSON.stringify(s));
        for (const [one, other] of TRICKY) {
          expect(sets).to.include(JSON.stringify(one));
          expect(sets).to.include(JSON.stringify(other));
        }
      });

      it('refuses a wrong label count, names or value types with a TypeError naming the metric; nothing changes', async () => {
        const m = make(registry);
        m.labels('x', 'y');
        const before = await registry.metrics();
        const calls: Array<[() => unknown, RegExp]> = [
          // @ts-expect-error -- one value for two labels does not compile either
          [() => m.labels('x'), /expected 2 label value\(s\).*got 1/],
          // @ts-expect-error -- three values for two labels
          [() => m.labels('x', 'y', 'z'), /got 3/],
          // @ts-expect-error -- no values for two labels
          [() => m.labels(), /got 0/],
          [() => m.labels({ a: 'x' } as never), /missing label "b"/],
          [() => m.labels({ a: 'x', b: 'y', c: 'z' } as never), /unknown label\(s\) \[c\]/],
          [() => m.labels({ a: 'x', c: 'z' } as never), /missing label "b"/],
          [() => m.labels('x', null as never), /label "b".*null/],
          [() => m.labels('x', undefined as never), /label "b".*undefined/],
          [() => m.labels({ a: 'x', b: {} as never }), /label "b".*\{\}/],
          [() => m.labels('x', [1] as never), /label "b".*\[1\]/],
          // @ts-expect-error -- one value for two labels
          [() => m.remove('x'), /got 1/],
        ];
        for (const [call, message] of calls) {
          expect(call, String(message))
            .to.throw(TypeError, message)
            .with.property('message')
            .that.matches(/Metric m\b/);
        }
        expect(await registry.metrics()).to.equal(before);
        expect(m.labelSets()).to.deep.equal([{ a: 'x', b: 'y' }]);
      });
    });
  }

  it('a labeled metric refuses the unlabeled shortcuts, naming the metric', () => {
    const c = new Counter({ name: 'lab', help: 'h', labelNames: ['a'], registry });
    expect(() => c.inc()).to.throw(TypeError, /lab.*labels/);
    const g = new Gauge({ name: 'lab_g', help: 'h', labelNames: ['a'], registry });
    expect(() => g.set(1)).to.throw(TypeError, /lab_g/);
  });

  it('remove() on a metric without labels is a TypeError', () => {
    const c = new Counter({ name: 'plain', help: 'h', registry });
    expect(() => c.remove()).to.throw(TypeError, /plain/);
  });

  it('clear() on a metric without labels resets it and keeps it exposed', async () => {
    const c = new Counter({ name: 'plain', help: 'h', registry });
    c.inc(3);
    c.clear();
    expect(await registry.metrics()).to.equal('# HELP plain_total h\n# TYPE plain_total counter\nplain_total 0\n');
  });

  it('the same child for equal label tuples, different children for different ones (random strings)', () => {
    const value = fc.string({
      unit: fc.constantFrom('a', '|', '"', '\\', '\n', 'n', ',', '=', '{', '}', 'é', '😀', '\u0000'),
      maxLength: 6,
    });
    fc.assert(
      fc.property(fc.tuple(value, value), fc.tuple(value, value), ([a1, b1], [a2, b2]) => {
        const c = new Counter({ name: 'p', help: 'h', labelNames: ['a', 'b'], registry: null });
        const same = a1 === a2 && b1 === b2;
        expect(c.labels(a1, b1) === c.labels({ a: a2, b: b2 })).to.equal(same);
        expect(c.labelSets()).to.deep.equal(
          same
            ? [{ a: a1, b: b1 }]
            : [
                { a: a1, b: b1 },
                { a: a2, b: b2 },
              ],
        );
      }),
      { numRuns: 500 },
    );
  });
});
