/**
 * Where a series' bytes go: heap snapshots before and after creating N series, and the objects
 * that are new in the second (V8 keeps object ids stable across snapshots), grouped by type and
 * constructor name, in bytes per series. Off-heap typed-array backing stores show only in
 * process.memoryUsage().arrayBuffers, printed alongside.
 *
 *   node --expose-gc bench/heap-breakdown.js [prometric|prom-client|pio] [counter|histogram] [N]
 *   PROMETRIC_ENTRY=/tmp/x/dist/index.js node --expose-gc bench/heap-breakdown.js prometric counter
 */
import { createRequire } from 'node:module';
import { readFileSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { promCases } from './cases/prom.js';
import { prometricCases } from './cases/prometric.js';
import { sizes } from './cases/shared.js';

const [lib = 'prometric', kind = 'counter', countArg = '20000'] = process.argv.slice(2);
const count = Number(countArg);
if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
const require = createRequire(import.meta.url);

const cases =
  lib === 'prometric'
    ? prometricCases(await import(process.env.PROMETRIC_ENTRY || 'prometric'), sizes(true))
    : promCases(require(lib === 'pio' ? '@prometheus-io/client' : 'prom-client'), sizes(true));
const body = cases[`heap.${kind}`]();

/** Writes a snapshot to a file, so that nothing the analysis makes is in the heap being measured. */
function snapshot(name) {
  for (let i = 0; i < 4; i++) globalThis.gc();
  return v8.writeHeapSnapshot(path.join(os.tmpdir(), `prometric-heap-${process.pid}-${name}.heapsnapshot`));
}

function load(file) {
  const snap = JSON.parse(readFileSync(file, 'utf8'));
  unlinkSync(file);
  return snap;
}

function objects(snap) {
  const {
    node_fields: fields,
    node_types: [types],
  } = snap.snapshot.meta;
  const width = fields.length;
  const [iType, iName, iId, iSize] = ['type', 'name', 'id', 'self_size'].map((f) => fields.indexOf(f));
  const result = new Map();
  for (let i = 0; i < snap.nodes.length; i += width) {
    result.set(snap.nodes[i + iId], {
      type: types[snap.nodes[i + iType]],
      name: snap.strings[snap.nodes[i + iName]],
      size: snap.nodes[i + iSize],
    });
  }
  return result;
}

const file0 = snapshot('before');
const mem0 = process.memoryUsage();
body.fill(count);
const file1 = snapshot('after');
const mem1 = process.memoryUsage();
if (body.held === undefined) throw new Error('unreachable');
const before = objects(load(file0));
const after = objects(load(file1));

const groups = new Map();
let total = 0;
for (const [id, o] of after) {
  if (before.has(id)) continue;
  const label =
    o.type === 'string' || o.type === 'concatenated string' || o.type === 'sliced string'
      ? `${o.type}`
      : `${o.type}: ${o.name.slice(0, 60)}`;
  const g = groups.get(label) ?? { count: 0, size: 0, example: o.type.includes('string') ? o.name.slice(0, 50) : '' };
  g.count++;
  g.size += o.size;
  groups.set(label, g);
  total += o.size;
}
console.log(`${lib}, ${count} ${kind} series with 2 labels: objects new in the heap, per series`);
for (const [label, g] of [...groups].sort((a, b) => b[1].size - a[1].size).slice(0, 14)) {
  console.log(
    `${(g.size / count).toFixed(1).padStart(8)} B  ${(g.count / count).toFixed(2).padStart(5)} objects  ${label}${g.example ? `  e.g. ${JSON.stringify(g.example)}` : ''}`,
  );
}
console.log(`${(total / count).toFixed(1).padStart(8)} B  in all (snapshot self sizes)`);
console.log(
  `memoryUsage: heapUsed ${((mem1.heapUsed - mem0.heapUsed) / count).toFixed(1)} B, arrayBuffers ${((mem1.arrayBuffers - mem0.arrayBuffers) / count).toFixed(1)} B per series`,
);
