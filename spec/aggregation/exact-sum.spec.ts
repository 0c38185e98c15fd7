/**
 * Exact sums for aggregated counters and sums (lib/aggregation/exact-sum.ts): a worker's value
 * folded into what exited workers left must never lower the total a scrape shows, whatever the
 * order of the additions. With plain `+` it can, by an ulp, and Prometheus then counts a reset
 * (seen as `resets(..._sum[5m]) == 1` in the cluster end-to-end spec).
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { addExact, exactTotal, roundedSum } from '../../lib/aggregation/exact-sum.js';

/** The plain fold the aggregator did before: the remainder plus each live value, in order. */
function plainTotal(remainder: number, live: readonly number[]): number {
  return live.reduce((total, value) => total + value, remainder);
}

const sums = fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 2, maxLength: 6 });

describe('aggregation: exact sums', () => {
  it('rounds the exact sum once (0.1 + 0.2 + 0.3 is 0.6, as math.fsum says)', () => {
    expect(exactTotal(undefined, [0.1, 0.2, 0.3])).to.equal(0.6);
    expect(0.1 + 0.2 + 0.3).to.equal(0.6000000000000001); // what plain addition gives
    expect(exactTotal(undefined, [1e100, 1, -1e100])).to.equal(1);
    expect(exactTotal(undefined, [])).to.equal(0);
  });

  it('takes whole numbers through plain addition and gives the same', () => {
    expect(exactTotal([3], [4, 5])).to.equal(12);
    expect(exactTotal(undefined, [2 ** 53, 1, 1])).to.equal(2 ** 53 + 2);
  });

  it('does not depend on the order of the terms', () => {
    fc.assert(
      fc.property(sums, (terms) => {
        const reversed = [...terms].reverse();
        expect(exactTotal(undefined, terms)).to.equal(exactTotal(undefined, reversed));
      }),
    );
  });

  it('never shows a lower total when a worker is folded into the remainder', () => {
    let plainWentDown = false;
    fc.assert(
      fc.property(sums, fc.nat(), (live, pick) => {
        const folded = pick % live.length;
        const remainder: number[] = [];
        addExact(remainder, live[0]! / 3);
        const before = exactTotal(remainder, live);
        addExact(remainder, live[folded]!);
        const after = exactTotal(
          remainder,
          live.filter((_, i) => i !== folded),
        );
        expect(after).to.equal(before);
        const plainRemainder = live[0]! / 3;
        const plainAfter = plainTotal(
          plainRemainder + live[folded]!,
          live.filter((_, i) => i !== folded),
        );
        if (plainAfter < plainTotal(plainRemainder, live)) plainWentDown = true;
      }),
      { numRuns: 2000 },
    );
    // The case this guards against is real: plain addition did go down in some of these runs.
    expect(plainWentDown, 'plain addition lowered a total in 2,000 random folds').to.equal(true);
  });

  it('keeps non-finite terms: +Inf stays +Inf, +Inf with -Inf or NaN is NaN', () => {
    const partials: number[] = [];
    addExact(partials, 1.5);
    addExact(partials, Number.POSITIVE_INFINITY);
    addExact(partials, 2.25);
    expect(roundedSum(partials)).to.equal(Number.POSITIVE_INFINITY);
    expect(exactTotal(partials, [Number.NEGATIVE_INFINITY])).to.be.NaN;
    expect(exactTotal(undefined, [1, Number.NaN])).to.be.NaN;
    expect(exactTotal(undefined, [Number.MAX_VALUE, Number.MAX_VALUE, 1.5])).to.equal(Number.POSITIVE_INFINITY);
  });
});
