/**
 * The standard exponential schemas of native histograms: which bucket index a value has at a
 * schema, and which schema a bucket factor asks for. Bucket i of schema s holds the magnitudes in
 * (base^(i-1), base^i] with base = 2^(2^-s); the largest double is in bucket 1024 * 2^s, and the
 * overflow bucket just above it counts the infinities.
 */
import { show } from '../validation.js';
import { SCHEMA_8_FRACTIONS } from './native-bounds.js';

/** The lowest resolution the specification allows (a factor of 65536 between bucket bounds). */
export const MIN_SCHEMA = -4;
/** The highest resolution the specification allows (a factor of about 1.0027). */
export const MAX_SCHEMA = 8;

/**
 * The lookup for one positive schema s: `fractions[j]` is the bound of sub-bucket j of a power of
 * two (`fractions[2^s]` is 1, above every fraction), and `firstInCell[c]` is the first sub-bucket
 * whose bound is at or above the start of cell c, a cell being the fractions that share their
 * top s + 1 mantissa bits. A cell is narrower than the narrowest sub-bucket, so it holds at most
 * one bound: one table read and one comparison find the sub-bucket, where a binary search takes s.
 */
interface SchemaLookup {
  readonly fractions: Float64Array;
  readonly firstInCell: Uint16Array;
  /** Shift that turns the top 20 mantissa bits into the cell number. */
  readonly cellShift: number;
}

const lookups: (SchemaLookup | undefined)[] = [];

/** @internal The lookup for schema 1..8, built on first use and shared by every series. */
export function schemaLookup(schema: number): SchemaLookup | undefined {
  if (schema <= 0) return undefined;
  const known = lookups[schema];
  if (known !== undefined) return known;
  const subBuckets = 1 << schema;
  const fractions = new Float64Array(subBuckets + 1);
  for (let j = 0; j < subBuckets; j++) fractions[j] = SCHEMA_8_FRACTIONS[j << (MAX_SCHEMA - schema)]!;
  fractions[subBuckets] = 1;
  const cellBits = schema + 1;
  const firstInCell = new Uint16Array(1 << cellBits);
  let j = 0;
  for (let cell = 0; cell < firstInCell.length; cell++) {
    const cellStart = 0.5 + cell / 2 ** (cellBits + 1);
    while (fractions[j]! < cellStart) j++;
    firstInCell[cell] = j;
  }
  const lookup = { fractions, firstInCell, cellShift: 20 - cellBits };
  lookups[schema] = lookup;
  return lookup;
}

// One scratch double and its two 32-bit halves: how a double's exponent and mantissa are read
// without allocating (JS has no frexp).
const scratch = new Float64Array(1);
const halves = new Uint32Array(scratch.buffer);
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
const HIGH = LITTLE_ENDIAN ? 1 : 0;
const LOW = LITTLE_ENDIAN ? 0 : 1;
const MANTISSA_HIGH = 0x000fffff;
/** The high word of 0.5: a mantissa put under it reads back as frexp's fraction. */
const HALF_HIGH = 0x3fe00000;
const TWO_TO_64 = 2 ** 64;

/** The index of the positive overflow bucket (the one above the largest double) at a schema. */
export function overflowIndex(schema: number): number {
  return (schema >= 0 ? 1024 << schema : 1024 >> -schema) + 1;
}

/**
 * The bucket index of a magnitude `abs` > 0 (not NaN) at `schema`; `lookup` is
 * `schemaLookup(schema)`. Exact at the boundaries: `abs` = base^i exactly is in bucket i.
 */
export function bucketIndex(abs: number, schema: number, lookup: SchemaLookup | undefined): number {
  scratch[0] = abs;
  let high = halves[HIGH]!;
  // frexp: abs = fraction * 2^exponent with fraction in [0.5, 1).
  let exponent = (high >>> 20) - 1022;
  if (exponent === 1025) return overflowIndex(schema); // ±Infinity
  if (exponent === -1022) {
    // A subnormal: scaled into the normal range (exactly: a power of two) and read again.
    scratch[0] = abs * TWO_TO_64;
    high = halves[HIGH]!;
    exponent = (high >>> 20) - 1022 - 64;
  }
  if (lookup !== undefined) {
    const mantissaHigh = high & MANTISSA_HIGH;
    halves[HIGH] = mantissaHigh | HALF_HIGH;
    const fraction = scratch[0]!;
    let sub = lookup.firstInCell[mantissaHigh >>> lookup.cellShift]!;
    if (fraction > lookup.fractions[sub]!) sub++;
    return sub + ((exponent - 1) << schema);
  }
  // Schema <= 0: ceil(log2(abs)) is the exponent, less one for an exact power of two; then
  // ceil(that / 2^-schema) by an arithmetic shift.
  const powerOfTwo = (high & MANTISSA_HIGH) === 0 && halves[LOW] === 0;
  const log2Ceiling = powerOfTwo ? exponent - 1 : exponent;
  return (log2Ceiling + (1 << -schema) - 1) >> -schema;
}

/**
 * The schema a bucket factor asks for: the smallest schema whose growth factor 2^(2^-s) is at
 * most `bucketFactor`, within -4..8 (client_golang's rule: 2 gives 0, 1.1 gives 3, 65536 and
 * above give -4, below about 1.0027 gives 8). Compared exactly, not through a rounded logarithm:
 * a factor one double below 2 gives schema 1. `bucketFactor` must be a finite number > 1.
 */
export function schemaFor(bucketFactor: number): number {
  if (!(bucketFactor > 1 && bucketFactor < Infinity)) {
    throw new RangeError(`schemaFor: bucketFactor must be a finite number > 1, got ${show(bucketFactor)}`);
  }
  for (let schema = MIN_SCHEMA; schema < MAX_SCHEMA; schema++) {
    if (schema <= 0) {
      if (2 ** (2 ** -schema) <= bucketFactor) return schema;
    } else {
      // 2^(2^-s) is irrational: below a double exactly when the double is above its rounded-down value.
      const factorRoundedDown = 2 * SCHEMA_8_FRACTIONS[1 << (MAX_SCHEMA - schema)]!;
      if (bucketFactor > factorRoundedDown) return schema;
    }
  }
  return MAX_SCHEMA;
}
