import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { Histogram, type HistogramChild } from '../../lib/index.js';

const CHILD_SCRIPT = fileURLToPath(new URL('./histogram-memory-child.js', import.meta.url));
const SERIES = 200_000;
const MB = 1e6;

interface MemoryReport {
  mode: string;
  series: number;
  baseline: number;
  withSeries: number;
  after: number;
  dropMs: number;
  arrayBuffersGrowth: number;
  freshCountBefore: number;
  freshCount: number;
  seriesLeft: number;
}

/** Runs the child script in a process of its own (with --expose-gc) and reads its report. */
function measure(mode: 'clear' | 'remove'): Promise<MemoryReport> {
  return new Promise((resolve, reject) => {
    const args = ['--expose-gc', CHILD_SCRIPT, mode, String(SERIES)];
    execFile(process.execPath, args, { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout.trim()) as MemoryReport);
    });
  });
}

function describeReport(r: MemoryReport): string {
  const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;
  return (
    `${r.mode} of ${r.series} series: baseline ${mb(r.baseline)}, with the series ${mb(r.withSeries)}, ` +
    `after ${mb(r.after)}; took ${r.dropMs.toFixed(0)} ms, array buffers grew by ${mb(r.arrayBuffersGrowth)}`
  );
}

/** The memory is back: within 20% of the baseline, plus 1 MB for what the runtime itself moves. */
function expectMemoryBack(r: MemoryReport): void {
  const report = describeReport(r);
  expect(r.withSeries - r.baseline, `the series must take memory to give back; ${report}`).to.be.above(20 * MB);
  expect(r.after, report).to.be.at.most(r.baseline * 1.2 + 1 * MB);
  expect(r.seriesLeft, report).to.equal(1);
  expect([r.freshCountBefore, r.freshCount], report).to.deep.equal([0, 1]);
}

describe('Histogram memory after clear() and remove()', function () {
  this.timeout(90_000);

  it(`clear() of ${SERIES} series gives their pages back, copying none of them out`, async () => {
    const report = await measure('clear');
    expectMemoryBack(report);
    // Cost proportional to the series dropped, without a copy per series (a held child keeps its old page).
    expect(report.dropMs, describeReport(report)).to.be.below(1000);
    expect(report.arrayBuffersGrowth, describeReport(report)).to.be.below(1 * MB);
  });

  it(`removing ${SERIES} series one by one gives their pages back`, async () => {
    const report = await measure('remove');
    expectMemoryBack(report);
    // One lookup and at most one small copy per series: seconds only on a machine that is busy elsewhere.
    expect(report.dropMs, describeReport(report)).to.be.below(5000);
  });
});

describe('Histogram series removed while a user still holds them', () => {
  const make = () =>
    new Histogram({ name: 'held_seconds', help: 'h', labelNames: ['id'], buckets: [1, 2], registry: null });

  it('a held removed child keeps counting on its own; the series that takes its place is untouched', () => {
    const h = make();
    for (const id of ['a', 'b', 'c']) h.labels(id).observe(1.5);
    const held = h.labels('b');
    expect(h.remove('b')).to.equal(true);
    const successor = h.labels('d'); // takes the slot 'b' gave up
    for (let i = 0; i < 10; i++) held.observe(0.5);
    expect(successor.count()).to.equal(0);
    expect([...successor.counts, successor.sum()]).to.deep.equal([0, 0, 0, 0]);
    expect([...held.counts, held.sum()]).to.deep.equal([10, 1, 0, 6.5]);
    for (const id of ['a', 'c']) expect([...h.labels(id).counts, h.labels(id).sum()]).to.deep.equal([0, 1, 0, 1.5]);
  });

  it('children held through removing every series never touch the series made after', () => {
    const h = make();
    const ids = Array.from({ length: 40 }, (_, i) => String(i));
    const held = ids.map((id) => h.labels(id));
    for (const child of held) child.observe(1.5);
    for (const id of ids) h.remove(id);
    const successors = ids.map((id) => h.labels(`new-${id}`));
    for (const child of held) child.observe(0.5);
    for (const child of successors)
      expect([...child.counts, child.sum()], JSON.stringify(child.labels)).to.deep.equal([0, 0, 0, 0]);
    for (const child of held)
      expect([...child.counts, child.sum()], JSON.stringify(child.labels)).to.deep.equal([1, 1, 0, 2]);
  });

  it('after clear(), series of the same labels start at zero and children held from before never touch them', () => {
    const h = make();
    const held = ['a', 'b', 'c', 'd', 'e'].map((id) => h.labels(id));
    for (const child of held) child.observe(3);
    h.clear();
    expect(h.labelSets()).to.deep.equal([]);
    const fresh = ['a', 'b', 'c', 'd', 'e'].map((id) => h.labels(id));
    for (const child of held) child.observe(0.5);
    fresh.forEach((child, i) => {
      expect(child).not.to.equal(held[i]);
      expect([...child.counts, child.sum()]).to.deep.equal([0, 0, 0, 0]);
    });
    for (const child of held) expect([...child.counts, child.sum()]).to.deep.equal([1, 0, 1, 3.5]);
  });

  it('any sequence of observe/remove/clear keeps live series and held children apart', () => {
    type Op =
      | { kind: 'observe'; id: number; value: number }
      | { kind: 'remove'; id: number }
      | { kind: 'hold'; id: number }
      | { kind: 'observeHeld'; which: number; value: number }
      | { kind: 'clear' };
    const id = fc.integer({ min: 0, max: 12 }); // series on pages of several sizes, few enough to empty pages often
    const value = fc.constantFrom(0.5, 1.5, 2.5);
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 6, arbitrary: fc.record({ kind: fc.constant('observe' as const), id, value }) },
      { weight: 5, arbitrary: fc.record({ kind: fc.constant('remove' as const), id }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('hold' as const), id }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('observeHeld' as const), which: fc.nat(), value }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
    );
    /** What a series should hold: per-bucket counts for le 1, 2, +Inf, then the sum. */
    type Expected = number[];
    const record = (numbers: Expected, v: number) => {
      numbers[v <= 1 ? 0 : v <= 2 ? 1 : 2]!++;
      numbers[3]! += v;
    };
    const actual = (child: HistogramChild) => [...child.counts, child.sum()];

    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const h = make();
        const live = new Map<string, Expected>();
        const held: Array<{ child: HistogramChild; expected: Expected }> = [];
        const series = (key: string) => {
          let expected = live.get(key);
          if (expected === undefined) live.set(key, (expected = [0, 0, 0, 0]));
          return expected;
        };
        for (const o of ops) {
          if (o.kind === 'observe') {
            record(series(String(o.id)), o.value);
            h.labels(String(o.id)).observe(o.value);
          } else if (o.kind === 'remove') {
            expect(h.remove(String(o.id))).to.equal(live.delete(String(o.id)));
          } else if (o.kind === 'hold') {
            held.push({ child: h.labels(String(o.id)), expected: series(String(o.id)) });
          } else if (o.kind === 'observeHeld') {
            if (held.length === 0) continue;
            const { child, expected } = held[o.which % held.length]!;
            child.observe(o.value);
            record(expected, o.value);
          } else {
            h.clear();
            live.clear();
          }
        }
        expect(
          h
            .labelSets()
            .map((s) => s.id)
            .sort(),
        ).to.deep.equal([...live.keys()].sort());
        for (const [key, expected] of live) expect(actual(h.labels(key)), key).to.deep.equal(expected);
        for (const { child, expected } of held)
          expect(actual(child), JSON.stringify(child.labels)).to.deep.equal(expected);
      }),
      { numRuns: 500 },
    );
  });
});
