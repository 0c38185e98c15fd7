/**
 * One benchmark process: `node worker.js --lib LIB --cases ID[,ID...] [--smoke]`.
 * Prints one `RESULT {json}` line per case on stdout. A library's cases never share a process
 * with another library's (the orchestrator, run.js, spawns one process per library and case).
 */
import { createRequire } from 'node:module';
import { measureHeap, measureOps, measureScrape } from './measure.js';
import { caseById } from './cases/catalog.js';
import { SCALING_SMOKE_SERIES, sizes as sizesFor, sink } from './cases/shared.js';

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
};
const lib = option('--lib');
const caseIds = (option('--cases') ?? '').split(',').filter(Boolean);
const smoke = args.includes('--smoke');
const sizes = sizesFor(smoke);
const require = createRequire(import.meta.url);

const OPS = smoke ? { warmupMs: 0, sampleMs: 0.2, samples: 2 } : { warmupMs: 200, sampleMs: 6, samples: 21 };
const SCRAPE = smoke
  ? { warmup: 0, minSamples: 1, minMs: 0, maxSamples: 1, maxMs: 1000 }
  : { warmup: 1, minSamples: 5, minMs: 300, maxSamples: 60, maxMs: 3000 };

async function loadCases() {
  switch (lib) {
    case 'candidate':
    case 'prometric': {
      const { prometricCases } = await import('./cases/prometric.js');
      const { perRunCases } = await import('./cases/per-run.js');
      // A patched build to compare (run.js --candidate /tmp/x/dist/index.js), or PROMETRIC_ENTRY in place of this one.
      const entry = lib === 'candidate' ? process.env.PROMETRIC_CANDIDATE : process.env.PROMETRIC_ENTRY || 'prometric';
      const M = await import(entry);
      return { ...prometricCases(M, sizes), ...perRunCases(M, 'prometric') };
    }
    case 'prom-client':
    case 'pio': {
      const { promCases } = await import('./cases/prom.js');
      const { perRunCases } = await import('./cases/per-run.js');
      const M = require(lib === 'pio' ? '@prometheus-io/client' : 'prom-client');
      return { ...promCases(M, sizes), ...perRunCases(M, lib) };
    }
    case 'floor': {
      const { floorCases } = await import('./cases/floor.js');
      const { floorScrapeCases } = await import('./cases/floor-scrape.js');
      return { ...floorCases(), ...floorScrapeCases(sizes) };
    }
    case 'bare':
    case 'wrapper':
    case 'timed': {
      const { timedCases } = await import('./cases/timed.js');
      return timedCases(await import('prometric'), lib);
    }
    default:
      throw new Error(`unknown lib ${lib}`);
  }
}

/** Sanity checks on bodies, so a case that silently stops doing its work is noticed. */
function checkScrape(caseId, body) {
  const id = caseId.replace(/^floor\./, ''); // a floor writes the body of the case it is named after
  const count = (re) => (body.match(re) ?? []).length;
  if (id.endsWith('.protobuf')) {
    // Every series (a Metric message) has one `method` label: LabelPair.name, tag 0x0a, length 6.
    const expected = id.startsWith('scrape.counters')
      ? sizes.counterMetrics * sizes.counterSeries
      : sizes.histogramMetrics * sizes.histogramSeries;
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the protobuf bytes before a label named method
    const got = count(/\n\u0006method/g);
    if (got !== expected) throw new Error(`${id}: expected ${expected} series, got ${got}`);
  } else if (id.startsWith('scrape.counters')) {
    const expected = sizes.counterMetrics * sizes.counterSeries;
    const got = count(/^app_requests_\d+_total\{/gm);
    if (got !== expected) throw new Error(`${id}: expected ${expected} counter samples, got ${got}`);
  } else if (id.startsWith('scrape.histograms')) {
    const expected = sizes.histogramMetrics * sizes.histogramSeries * 12;
    const got = count(/^app_latency_\d+_seconds_bucket\{/gm);
    if (got !== expected) throw new Error(`${id}: expected ${expected} bucket samples, got ${got}`);
  } else if (!body.includes('# TYPE')) {
    throw new Error(`${id}: the body has no metric`);
  }
}

/**
 * The floor must write the body our scrape writes: the same lines (series may come in another
 * order). Checked in the smoke run, where loading prometric beside the floor costs nothing measured.
 */
async function checkFloorWritesOurBody(id, floorBody) {
  const { prometricCases } = await import('./cases/prometric.js');
  const M = await import(process.env.PROMETRIC_ENTRY || 'prometric');
  const scraped = await prometricCases(M, sizes)[id.replace(/^floor\./, '')]().scrape();
  const ours = Array.isArray(scraped) ? Buffer.concat(scraped) : scraped;
  const lines = (text) => text.split('\n').sort().join('\n');
  const theirs = Buffer.from(floorBody).toString('utf8');
  if (lines(theirs) !== lines(typeof ours === 'string' ? ours : ours.toString('utf8')))
    throw new Error(`${id}: the floor's body is not the one prometric writes`);
}

async function runCase(cases, id) {
  const spec = caseById(id);
  if (spec.kind === 'cluster') {
    // This process is the cluster primary; the library is loaded by bench/cluster/ on both sides.
    const { runClusterCase } = await import('./cluster/primary.js');
    return { id, lib, ...(await runClusterCase(lib, id, { sizes, ops: OPS, scrape: SCRAPE })) };
  }
  if (spec.kind === 'scaling') {
    if (!cases.scaling) return { id, lib, skip: `no scaling cases for ${lib}` };
    // The smoke run makes every size a few hundred series, and skips the 1M rows.
    if (smoke && spec.series >= 1_000_000) return { id, lib, skip: 'skipped in --smoke' };
    const count = smoke ? Math.min(spec.series, SCALING_SMOKE_SERIES) : spec.series;
    const { runScalingCase } = await import('./scaling.js');
    return { id, lib, ...(await runScalingCase(cases.scaling(spec.metric, spec.layout), { ...spec, count, smoke })) };
  }
  const factory = cases[id];
  if (!factory) return { id, lib, skip: `no ${id} case for ${lib}` };
  const body = factory();
  if (body.skip) return { id, lib, skip: body.skip };
  if (spec.kind === 'heap') {
    const count = id === 'heap.counter' ? sizes.heapCounters : sizes.heapHistograms;
    return { id, lib, ...measureHeap(body.fill, count, body.held) };
  }
  if (spec.kind === 'scrape') {
    const scraped = await body.scrape();
    const first = Array.isArray(scraped) ? Buffer.concat(scraped) : scraped;
    checkScrape(id, typeof first === 'string' ? first : first.toString('utf8'));
    if (lib === 'floor' && smoke) await checkFloorWritesOurBody(id, first);
    return { id, lib, ...(await measureScrape(body.scrape, SCRAPE)) };
  }
  if (spec.kind === 'load') {
    const { runLoadCase } = await import('./load/server.js');
    return { id, lib, ...(await runLoadCase(body.handler, sizes)) };
  }
  const result = await measureOps(body.run, OPS);
  if (body.text) {
    const text = await body.text();
    if (!text.includes('# TYPE')) throw new Error(`${id}: the registry exposes nothing after the run`);
  }
  return { id, lib, ...result };
}

const cases = await loadCases();
for (const id of caseIds) {
  const began = performance.now();
  const result = await runCase(cases, id);
  result.wallMs = Math.round(performance.now() - began);
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}
if (sink.value === 0.5) process.stdout.write('\n'); // keeps the sink observable
process.exit(0);
