/**
 * The bucket index of a native histogram from the specification's definition, computed exactly
 * with BigInt and independently of lib/: the reference the native-histogram specs compare against.
 */

const view = new DataView(new ArrayBuffer(8));

/** A finite x > 0 as m * 2^e, m a BigInt, from the IEEE 754 fields (subnormals included). */
export function decompose(x: number): { m: bigint; e: number } {
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number(bits >> 52n);
  const fraction = bits & ((1n << 52n) - 1n);
  return biased === 0 ? { m: fraction, e: -1074 } : { m: fraction | (1n << 52n), e: biased - 1075 };
}

/** ceil(log2(p)) for a BigInt p >= 1. */
function ceilLog2(p: bigint): number {
  const bits = p.toString(2).length;
  return p === 1n << BigInt(bits - 1) ? bits - 1 : bits;
}

/** The bucket index of a magnitude x > 0 at `schema`, from the definition; +Inf in the bucket after MaxFloat64's. */
export function referenceIndex(x: number, schema: number): number {
  if (x === Infinity) return referenceIndex(Number.MAX_VALUE, schema) + 1;
  const { m, e } = decompose(x);
  if (schema > 0) {
    // x^(2^s) = m^(2^s) * 2^(e * 2^s); the index is the smallest i with x^(2^s) <= 2^i.
    return ceilLog2(m ** BigInt(2 ** schema)) + e * 2 ** schema;
  }
  // base = 2^k, k = 2^-s: the smallest i with log2(x) <= k * i, from c = ceil(log2(x)).
  return Math.ceil((ceilLog2(m) + e) / 2 ** -schema);
}
