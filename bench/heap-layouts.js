/**
 * Heap per series in both label layouts of the scaling table, prometric beside prom-client, each
 * cell in a fresh process: four full GCs before and after making the series, (Δ heapUsed +
 * Δ arrayBuffers) / count; then again after two text scrapes, so that what a first scrape builds
 * and keeps shows too. Series come in families of 1000, label values are fresh strings.
 *
 *   node bench/heap-layouts.js [--count 100000] [--hcount 20000] [--rounds 2] [--only prometric]
 *   PROMETRIC_ENTRY=/tmp/x/dist/index.js node bench/heap-layouts.js   (another build of ours)
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BUCKETS, METHODS, VALUES, routeOf } from './cases/shared.js';

const FAMILY_SERIES = 1000;
const LAYOUTS = {
  A: { labelNames: ['method', 'route'], values: (g) => [METHODS[g & 3], routeOf(g % FAMILY_SERIES)] },
  B: {
    labelNames: ['user_id', 'session_id'],
    values: (g) => [`u${100000 + g}`, `s${(Math.imul(g + 1, 0x9e3779b1) >>> 0).toString(16)}`],
  },
};

const { values: opts } = parseArgs({
  options: {
    count: { type: 'string', default: '100000' },
    hcount: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '2' },
    only: { type: 'string' },
    cell: { type: 'string' },
  },
});

function settle() {
  for (let i = 0; i < 4; i++) globalThis.gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

async function scrapeTwice(reg) {
  for (let i = 0; i < 2; i++) await reg.metrics();
}

async function measureCell(lib, kind, layout, count) {
  const { labelNames, values } = LAYOUTS[layout];
  let reg;
  let family;
  if (lib === 'prometric') {
    const M = await import(process.env.PROMETRIC_ENTRY || 'prometric');
    reg = new M.Registry();
    family = (m) =>
      kind === 'counter'
        ? new M.Counter({ name: `app_requests_${m}_total`, help: 'Requests.', labelNames, registry: reg })
        : new M.Histogram({
            name: `app_latency_${m}_seconds`,
            help: 'Latency.',
            labelNames,
            buckets: BUCKETS,
            registry: reg,
          });
  } else {
    const M = createRequire(import.meta.url)('prom-client');
    reg = new M.Registry();
    family = (m) =>
      kind === 'counter'
        ? new M.Counter({ name: `app_requests_${m}_total`, help: 'Requests.', labelNames, registers: [reg] })
        : new M.Histogram({
            name: `app_latency_${m}_seconds`,
            help: 'Latency.',
            labelNames,
            buckets: [...BUCKETS],
            registers: [reg],
          });
  }
  const before = settle();
  for (let g = 0; g < count; g += FAMILY_SERIES) {
    const f = family(g / FAMILY_SERIES);
    const end = Math.min(FAMILY_SERIES, count - g);
    for (let j = 0; j < end; j++) {
      const child = f.labels(...values(g + j));
      if (kind === 'counter') child.inc((j % 97) + 1);
      else for (let k = 0; k < 3; k++) child.observe(VALUES[(j * 3 + k) & 1023]);
    }
  }
  const filled = settle();
  await scrapeTwice(reg);
  // A turn later: the bodies must not be held by this frame when the heap is measured.
  await new Promise((resolve) => setTimeout(resolve, 10));
  const scraped = settle();
  if (reg === undefined) throw new Error('unreachable');
  return { filled: (filled - before) / count, scraped: (scraped - before) / count };
}

if (opts.cell) {
  const [lib, kind, layout, count] = opts.cell.split(',');
  process.stdout.write(JSON.stringify(await measureCell(lib, kind, layout, Number(count))));
} else {
  const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
  const libs = opts.only ? [opts.only] : ['prometric', 'prom-client'];
  const self = fileURLToPath(import.meta.url);
  for (const kind of ['counter', 'histogram']) {
    const count = kind === 'counter' ? opts.count : opts.hcount;
    for (const layout of ['A', 'B']) {
      const row = [];
      for (const lib of libs) {
        const runs = [];
        for (let r = 0; r < Number(opts.rounds); r++) {
          const out = execFileSync(process.execPath, [
            '--expose-gc',
            self,
            '--cell',
            `${lib},${kind},${layout},${count}`,
          ]);
          runs.push(JSON.parse(out.toString()));
        }
        const filled = median(runs.map((x) => x.filled));
        const scraped = median(runs.map((x) => x.scraped));
        row.push(`${lib} ${filled.toFixed(1)} B (after scrapes ${scraped.toFixed(1)} B)`);
      }
      console.log(`${kind} layout ${layout}, ${count} series: ${row.join(' | ')}`);
    }
  }
}
