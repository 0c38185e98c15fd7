/**
 * The series index (metrics/series-index.ts) against a model: a Map of label tuples. Small value
 * alphabets make label prefixes shared and unshared in every order, so that a child held alone
 * under a prefix is moved down a level, found again, removed and replaced. And what a metric keeps
 * per series by slot (created time, exemplar) never passes from a removed series to the one that
 * takes its slot.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { Counter, Histogram, Registry, type CounterChild } from '../../lib/index.js';

const NAMES = ['a', 'b', 'c', 'd'];

type Op = { kind: 'get'; tuple: string[]; byName: boolean } | { kind: 'remove'; tuple: string[] } | { kind: 'scrape' };

function opsFor(depth: number): fc.Arbitrary<Op[]> {
  const tuple = fc.array(fc.constantFrom('x', 'y', 'z', ''), { minLength: depth, maxLength: depth });
  return fc.array(
    fc.oneof(
      { weight: 6, arbitrary: fc.record({ kind: fc.constant('get' as const), tuple, byName: fc.boolean() }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), tuple }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('scrape' as const) }) },
    ),
    { maxLength: 60 },
  );
}

function byName(names: string[], tuple: string[]): Record<string, string> {
  return Object.fromEntries(names.map((name, i) => [name, tuple[i]!]));
}

describe('series index', () => {
  for (const depth of [1, 2, 3, 4]) {
    it(`${depth} label(s): finds, adds and removes series as a Map of tuples would, in any order`, async () => {
      await fc.assert(
        fc.asyncProperty(opsFor(depth), async (ops) => {
          const registry = new Registry();
          const names = NAMES.slice(0, depth);
          const c = new Counter({ name: 'm', help: 'h', labelNames: names, registry });
          const model = new Map<string, { child: CounterChild; count: number }>();
          for (const op of ops) {
            if (op.kind === 'scrape') {
              await registry.metrics();
              continue;
            }
            const key = JSON.stringify(op.tuple);
            if (op.kind === 'remove') {
              expect(c.remove(...op.tuple)).to.equal(model.delete(key));
              continue;
            }
            const child = op.byName ? c.labels(byName(names, op.tuple)) : c.labels(...op.tuple);
            const known = model.get(key);
            if (known !== undefined) expect(child, `the child of ${key}`).to.equal(known.child);
            else for (const other of model.values()) expect(child).not.to.equal(other.child);
            child.inc();
            model.set(key, { child, count: (known?.count ?? 0) + 1 });
          }
          const sets = c.labelSets().map((set) => JSON.stringify(names.map((name) => set[name])));
          expect(sets.sort()).to.deep.equal([...model.keys()].sort());
          const family = (await registry.collect()).find((f) => f.name === 'm')!;
          const exposed = family.samples
            .filter((s) => s.name === 'm_total')
            .map((s) => `${JSON.stringify(names.map((name) => s.labels[name]))} ${s.value}`);
          const expected = [...model].map(([key, { count }]) => `${key} ${count}`);
          expect(exposed.sort()).to.deep.equal(expected.sort());
          for (const [key, { child }] of model) {
            const tuple = JSON.parse(key) as string[];
            expect(c.labels(...tuple)).to.equal(child);
            expect({ ...child.labels }).to.deep.equal(byName(names, tuple));
          }
        }),
        { numRuns: 200 },
      );
    });
  }

  it('a removed counter still held keeps no exemplar or created time in the slot its successor takes', async () => {
    const registry = new Registry();
    const c = new Counter({ name: 'jobs', help: 'h', labelNames: ['q'], registry });
    c.labels('a').inc();
    const held = c.labels('b');
    expect(c.remove('b')).to.equal(true);
    const successor = c.labels('c'); // takes the slot 'b' gave up
    held.inc(1, { trace_id: 'removed' });
    held.reset();
    held.inc(5);
    expect(held.get()).to.equal(5);
    successor.inc(2);
    const body = await registry.metrics('openmetrics');
    expect(body).not.to.include('removed');
    expect(body).to.include('jobs_total{q="c"} 2\n');
    expect(body).not.to.include('q="b"');
  });

  it('a removed histogram series still held keeps its exemplars to itself', async () => {
    const registry = new Registry();
    const h = new Histogram({ name: 'lat', help: 'h', labelNames: ['q'], buckets: [1], registry });
    h.labels('a').observe(0.5);
    const held = h.labels('b');
    expect(h.remove('b')).to.equal(true);
    const successor = h.labels('c');
    held.observe(0.5, { trace_id: 'removed' });
    successor.observe(2);
    const body = await registry.metrics('openmetrics');
    expect(body).not.to.include('removed');
    expect(body).to.include('lat_count{q="c"} 1\n');
    expect(held.count()).to.equal(1);
  });
});
