/**
 * Sums of doubles that do not depend on the order of their terms. The aggregate of a counter (or a
 * histogram's or summary's sum) adds each worker's value to what exited workers left; with plain
 * `+`, folding a worker into that remainder changes the order of the additions, and the total can
 * come out an ulp lower than the scrape before, which Prometheus counts as a counter reset.
 *
 * The exact sum is kept as non-overlapping partials (Shewchuk's algorithm, as Python's `math.fsum`)
 * and rounded once when read: correctly rounded, so a total whose exact value grows never shows
 * lower. Non-finite terms are summed apart (exactness means nothing for them).
 */

/** Adds `x` to the exact sum held in `partials` (changed in place; non-overlapping, ascending). */
export function addExact(partials: number[], x: number): void {
  if (!Number.isFinite(x)) {
    // Kept as the last partial on its own: a non-finite total is that value whatever the rest.
    partials.push(x);
    return;
  }
  const nonFinite = partials.filter((p) => !Number.isFinite(p));
  const finite = nonFinite.length === 0 ? partials : partials.filter(Number.isFinite);
  let kept = 0;
  for (let j = 0; j < finite.length; j++) {
    let y = finite[j]!;
    if (Math.abs(x) < Math.abs(y)) [x, y] = [y, x];
    const hi = x + y;
    if (!Number.isFinite(hi)) {
      // Past the largest double: the total is that infinity, as plain addition would say.
      partials.splice(0, partials.length, hi, ...nonFinite);
      return;
    }
    const lo = y - (hi - x);
    if (lo !== 0) finite[kept++] = lo;
    x = hi;
  }
  finite.length = kept;
  finite.push(x);
  if (finite !== partials) partials.splice(0, partials.length, ...finite);
  partials.push(...nonFinite);
}

/** The exact sum of `partials`, correctly rounded to a double. */
export function roundedSum(partials: readonly number[]): number {
  let special = 0;
  const finite: number[] = [];
  for (const p of partials) {
    if (Number.isFinite(p)) finite.push(p);
    else special += p;
  }
  if (special !== 0 || Number.isNaN(special)) return special;
  let n = finite.length;
  if (n === 0) return 0;
  let hi = finite[--n]!;
  let lo = 0;
  while (n > 0) {
    const x = hi;
    const y = finite[--n]!;
    hi = x + y;
    lo = y - (hi - x);
    if (lo !== 0) break;
  }
  // Half-way cases: round-half-even on the partials seen so far may be wrong; the next partial's
  // sign says which way the exact value lies.
  if (n > 0 && ((lo < 0 && finite[n - 1]! < 0) || (lo > 0 && finite[n - 1]! > 0))) {
    const y = lo * 2;
    const x = hi + y;
    if (y === x - hi) hi = x;
  }
  return hi;
}

/**
 * `base` (partials, or a plain number known exact) plus every term, correctly rounded. Whole
 * numbers whose running total stays below 2^53 add exactly with `+`, so that common case (counts,
 * integer counters) takes no partials.
 */
export function exactTotal(base: readonly number[] | undefined, terms: readonly number[]): number {
  let plain = 0;
  let exact = true;
  const add = (x: number): void => {
    plain += x;
    // Exact while every term and every running total is a whole number within ±2^53.
    if (!Number.isInteger(x) || Math.abs(x) > Number.MAX_SAFE_INTEGER || Math.abs(plain) > Number.MAX_SAFE_INTEGER) {
      exact = false;
    }
  };
  for (const p of base ?? []) add(p);
  for (const t of terms) add(t);
  if (exact) return plain;
  const partials = [...(base ?? [])];
  for (const t of terms) addExact(partials, t);
  return roundedSum(partials);
}
