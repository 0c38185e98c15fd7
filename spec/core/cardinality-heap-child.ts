/**
 * Run by cardinality.spec.ts as `node --expose-gc cardinality-heap-child.js`: a counter in a
 * registry with `maxSeriesPerMetric: 1000` is given 100,000 distinct label values (fresh strings,
 * as request data would be), with hits on its real series in between, and the heap is measured
 * after full collections before and after. The same values are then given to a metric without a
 * limit, to show what the guard saves. Prints one JSON line.
 */
import { Counter, Registry } from '../../lib/index.js';

const collectGarbage = (globalThis as { gc?: () => void }).gc;
if (collectGarbage === undefined) throw new Error('run with --expose-gc');

const MAX_SERIES = 1000;
const DISTINCT = 100_000;

function settled(): number {
  for (let i = 0; i < 4; i++) collectGarbage!();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

const userId = (i: number): string => `user-${(Math.imul(i + 1, 0x9e3779b1) >>> 0).toString(16)}-${i}`;

const registry = new Registry({ maxSeriesPerMetric: MAX_SERIES });
const guarded = new Counter({ name: 'requests', help: 'h', labelNames: ['method', 'user'], registry });
for (let i = 0; i < MAX_SERIES; i++) guarded.labels('GET', userId(i)).inc();
// The overflow series, its counter and the warning exist once the first call overflows: made
// before the first measurement, so that what is measured is what the next 98,999 calls leave.
guarded.labels('GET', userId(MAX_SERIES)).inc();
let excessCalls = 1;
await registry.metrics();
const before = settled();
for (let i = MAX_SERIES + 1; i < DISTINCT; i++) {
  guarded.labels({ method: 'GET', user: userId(i) }).inc();
  excessCalls++;
  if (i % 10 === 0) guarded.labels('GET', userId(i % MAX_SERIES)).inc(); // a hit: not an overflow
}
const after = settled();

const text = await registry.metrics();
const counted = /^prometric_series_overflow_total\{metric="requests"\} (\d+)$/m.exec(text);
const realSeries = guarded.labelSets().filter((set) => set.user !== '__overflow__').length;

const free = new Counter({ name: 'unguarded', help: 'h', labelNames: ['method', 'user'], registry: new Registry() });
free.labels('GET', userId(0)).inc();
const freeBefore = settled();
for (let i = 1; i < DISTINCT; i++) free.labels('GET', userId(i)).inc();
const freeAfter = settled();
// Read after measuring: keeps the unguarded metric alive until then (unread, it could be collected first).
const unguardedSeries = free.labelSets().length;

console.log(
  JSON.stringify({
    realSeries,
    overflowValue: guarded.labels('__overflow__', '__overflow__').get(),
    overflowCounted: counted === null ? -1 : Number(counted[1]),
    excessCalls,
    heapGrowthBytes: after - before,
    unguardedSeries,
    unguardedGrowthBytes: freeAfter - freeBefore,
  }),
);
