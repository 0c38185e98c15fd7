/**
 * Run by histogram-memory.spec.ts as `node --expose-gc histogram-memory-child.js <clear|remove> <series>`: makes
 * that many labeled histogram series, drops them all (one clear(), or remove() per series), and prints one JSON
 * line of heap figures (heapUsed + arrayBuffers, in bytes, each after full collections) and timings. A process of
 * its own, so that nothing else the suite made is on the heap it measures.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Histogram } from '../../lib/index.js';

const collectGarbage = (globalThis as { gc?: () => void }).gc;
if (collectGarbage === undefined) throw new Error('run with --expose-gc');

/** heapUsed + arrayBuffers after full collections (array buffers' stores are freed after the mark). */
async function settledBytes(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    collectGarbage!();
    await nextTurn();
  }
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

const [mode, seriesArg] = process.argv.slice(2);
const series = Number(seriesArg);
if ((mode !== 'clear' && mode !== 'remove') || !Number.isInteger(series) || series <= 0) {
  throw new Error(`usage: histogram-memory-child.js <clear|remove> <series>, got ${mode} ${seriesArg}`);
}

const histogram = new Histogram({ name: 'memory_probe_seconds', help: 'h', labelNames: ['id'], registry: null });
const baseline = await settledBytes();
for (let i = 0; i < series; i++) histogram.labels(String(i)).observe(i % 7);
const withSeries = await settledBytes();

const arrayBuffersBefore = process.memoryUsage().arrayBuffers;
const start = performance.now();
if (mode === 'clear') histogram.clear();
else for (let i = 0; i < series; i++) histogram.remove(String(i));
const dropMs = performance.now() - start;
// Read before any collection: what the drop itself allocated off-heap (copies of series it moved out).
const arrayBuffersGrowth = process.memoryUsage().arrayBuffers - arrayBuffersBefore;
const after = await settledBytes();

// The metric is still in use afterwards (it must not be what the collector freed), and starts from zero.
const fresh = histogram.labels('0');
const freshCountBefore = fresh.count();
fresh.observe(1);
console.log(
  JSON.stringify({
    mode,
    series,
    baseline,
    withSeries,
    after,
    dropMs,
    arrayBuffersGrowth,
    freshCountBefore,
    freshCount: fresh.count(),
    seriesLeft: histogram.labelSets().length,
  }),
);
