/**
 * Run by series-memory.spec.ts as `node --expose-gc series-memory-child.js <counter|histogram> <A|B> <series>`:
 * makes that many series with 2 labels in families of 1000, label values fresh strings as request
 * data would be (A: a method of 4 constants x a route; B: a user id and a session id, unique to
 * each series), and prints one JSON line: heap (heapUsed + arrayBuffers) per series, after full
 * collections. A process of its own, so that nothing else the suite made is on the heap it measures.
 */
import { Counter, Histogram, Registry } from '../../lib/index.js';

const collectGarbage = (globalThis as { gc?: () => void }).gc;
if (collectGarbage === undefined) throw new Error('run with --expose-gc');

const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const FAMILY_SERIES = 1000;
const LAYOUTS = {
  A: {
    names: ['method', 'route'],
    values: (g: number) => [METHODS[g & 3]!, `/api/v1/resource/${(g % FAMILY_SERIES) >> 2}`],
  },
  B: {
    names: ['user_id', 'session_id'],
    values: (g: number) => [`u${100000 + g}`, `s${(Math.imul(g + 1, 0x9e3779b1) >>> 0).toString(16)}`],
  },
};

function settled(): number {
  for (let i = 0; i < 4; i++) collectGarbage!();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

const [kind, layoutName, seriesArg] = process.argv.slice(2);
const layout = LAYOUTS[layoutName as 'A' | 'B'];
const series = Number(seriesArg);
if ((kind !== 'counter' && kind !== 'histogram') || layout === undefined || !Number.isInteger(series)) {
  throw new Error(`usage: series-memory-child.js <counter|histogram> <A|B> <series>, got ${process.argv.slice(2)}`);
}

const registry = new Registry();
const before = settled();
for (let g = 0; g < series; g += FAMILY_SERIES) {
  const m = g / FAMILY_SERIES;
  const labelNames = layout.names;
  const family =
    kind === 'counter'
      ? new Counter({ name: `requests_${m}`, help: 'h', labelNames, registry })
      : new Histogram({ name: `latency_${m}_seconds`, help: 'h', labelNames, buckets: BUCKETS, registry });
  for (let j = 0; j < FAMILY_SERIES && g + j < series; j++) {
    const values = layout.values(g + j);
    if (family instanceof Counter) family.labels(...values).inc(j + 1);
    else family.labels(...values).observe(j / 1000);
  }
}
const after = settled();
console.log(JSON.stringify({ kind, layout: layoutName, series, bytesPerSeries: (after - before) / series }));
if (registry.getMetric('requests_0') === undefined && registry.getMetric('latency_0_seconds') === undefined) {
  throw new Error('unreachable: keeps the registry alive until measured');
}
