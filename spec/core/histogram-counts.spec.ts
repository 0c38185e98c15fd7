/**
 * Histogram bucket counts are kept in 32-bit slots (half the memory of doubles); a count that
 * outgrows 32 bits must keep counting. Four billion observe() calls would take minutes, so these
 * specs move a count to just below 2^32 through the metric's storage (internal, reached on purpose).
 */
import { expect } from 'chai';
import { Histogram, Registry } from '../../lib/index.js';

const WRAP = 2 ** 32;

/** The 32-bit counts of the page holding the histogram's series (one page: few series). */
function countsPage(histogram: Histogram<string>): Int32Array {
  const pages = (histogram as unknown as { slots: { pages: Map<Float64Array, { counts: Int32Array }> } }).slots.pages;
  expect(pages.size, 'one page of series').to.equal(1);
  return [...pages.values()][0]!.counts;
}

function line(body: string, prefix: string): string | undefined {
  return body.split('\n').find((l) => l.startsWith(prefix));
}

describe('Histogram counts past 32 bits', () => {
  it('a bucket count that passes 2^32 keeps counting: count(), the scrape, every format’s cumulative counts', async () => {
    const registry = new Registry();
    const h = new Histogram({ name: 'big', help: 'h', labelNames: ['a'], buckets: [1, 2], registry });
    const series = h.labels('x');
    h.labels('y').observe(0.5); // a neighbour in the same page, which must not change
    series.observe(1.5); // bucket le=2 (index 1)
    const counts = countsPage(h);
    // The series was made first: its counts are the page's first three (le=1, le=2, +Inf).
    expect([...counts.subarray(0, 3)]).to.deep.equal([0, 1, 0]);
    counts[1] = WRAP - 2;
    series.observe(1.5);
    series.observe(1.5); // wraps the 32-bit slot
    series.observe(1.5);
    series.observe(0.5);
    expect(series.count()).to.equal(WRAP + 2);
    expect([...series.counts]).to.deep.equal([1, WRAP + 1, 0]);
    const body = await registry.metrics();
    expect(line(body, 'big_bucket{a="x",le="1.0"}')).to.equal('big_bucket{a="x",le="1.0"} 1');
    expect(line(body, 'big_bucket{a="x",le="2.0"}')).to.equal(`big_bucket{a="x",le="2.0"} ${WRAP + 2}`);
    expect(line(body, 'big_count{a="x"}')).to.equal(`big_count{a="x"} ${WRAP + 2}`);
    expect(line(body, 'big_count{a="y"}')).to.equal('big_count{a="y"} 1');
    const openMetrics = await registry.metrics('openmetrics');
    expect(line(openMetrics, 'big_bucket{a="x",le="+Inf"}')).to.equal(`big_bucket{a="x",le="+Inf"} ${WRAP + 2}`);
  });

  it('a reset forgets what was carried; a removed series still held keeps its own', async () => {
    const registry = new Registry();
    const h = new Histogram({ name: 'big', help: 'h', labelNames: ['a'], buckets: [1], registry });
    const kept = h.labels('k');
    const held = h.labels('x');
    held.observe(5);
    kept.observe(5);
    const counts = countsPage(h);
    counts[3] = WRAP - 1; // held's +Inf bucket (its counts follow kept's two)
    held.observe(5); // wraps
    expect(held.count()).to.equal(WRAP);
    expect(h.remove('x')).to.equal(true);
    held.observe(5);
    expect(held.count(), 'the removed series counts on its own').to.equal(WRAP + 1);
    const successor = h.labels('x');
    expect(successor.count(), 'the series that takes its label set starts from 0').to.equal(0);
    successor.observe(5);
    expect(successor.count()).to.equal(1);
    kept.reset();
    expect(kept.count()).to.equal(0);
    expect(await registry.metrics()).to.include('big_count{a="x"} 1');
  });
});
