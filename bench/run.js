/**
 * `npm run bench`: prometric side by side with prom-client 15.1.3 and @prometheus-io/client 0.16.
 *
 * Every (case, library) pair runs in a fresh process (bench/worker.js), so one library's JIT
 * state and garbage never tax another's; each process warms up and reports the median of many
 * samples, and this script reports the median over several such processes, interleaving the
 * libraries round by round so that a noisy moment on the machine hits them all alike.
 *
 *   node bench/run.js                 full run (~9 min on 2 cores under load); updates bench/RESULTS.md
 *   node bench/run.js --smoke         every case once, tiny sizes, seconds; checks nothing is broken,
 *                                     asserts no timing (exit 1 only if a case throws)
 *   --only REGEX                      only the matching case ids, and the baselines and floors they are
 *                                     compared with (does not touch RESULTS.md)
 *   --rounds N                        processes per micro case (default 5; scrapes 3, heap 2, scrape under
 *                                     load 2); scaling cells stay at 1, import time at 20 per package
 *   --json FILE                       also write every process's raw result
 *   --cpu-prof DIR                    run the workers under --cpu-prof, profiles into DIR
 *   --candidate PATH                  also run a patched prometric build (its dist/index.js) as a
 *                                     fourth library, interleaved, for A/B of a proposed lib change
 *   --no-write                        do not update bench/RESULTS.md
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CASES, CLUSTER_LIBS, LIBS, LIB_TITLES, PAIR_LIBS, TIMED_VARIANTS } from './cases/catalog.js';
import { LAYOUTS } from './cases/shared.js';
import { median } from './measure.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
};
const smoke = args.includes('--smoke');
const only = option('--only') ? new RegExp(option('--only')) : undefined;
const roundsOption = option('--rounds') ? Number(option('--rounds')) : undefined;
const jsonFile = option('--json');
const profDir = option('--cpu-prof');
const candidate = option('--candidate') ? path.resolve(option('--candidate')) : undefined;
const write = !smoke && !only && !candidate && !args.includes('--no-write') && roundsOption === undefined;
const libsOf = (c) => (candidate && c.libs === LIBS ? [...LIBS, 'candidate'] : c.libs);
const began = Date.now();

const DEFAULT_ROUNDS = { ops: 5, timed: 5, scrape: 3, heap: 2, cluster: 3, load: 2, scaling: 1, import: 20 };

function roundsFor(kind) {
  if (smoke) return 1;
  // Import samples are ~0.1 s processes, the scaling cells long ones: --rounds leaves both as they are.
  if (kind === 'import' || kind === 'scaling') return DEFAULT_ROUNDS[kind];
  if (roundsOption !== undefined) return kind === 'heap' ? Math.min(roundsOption, 2) : roundsOption;
  return DEFAULT_ROUNDS[kind];
}

/** Compiles bench/timed-service.ts (the @Timed class) with tsc into bench/.out. */
function compileBenchTypeScript() {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(here, 'tsconfig.json')], { stdio: 'inherit' });
}

/** Kinds whose processes call gc(): heap per series, and the scaling table's heap and after-GC scrapes. */
const needsGc = (c) => c.kind === 'heap' || c.kind === 'scaling';

/** One import-time sample (bench/import-probe.js): a fresh process importing `lib`'s package, or nothing. */
function runImportProbe(id, lib) {
  const specifier = {
    empty: undefined,
    prometric: process.env.PROMETRIC_ENTRY
      ? pathToFileURL(path.resolve(process.env.PROMETRIC_ENTRY)).href
      : 'prometric',
    'prom-client': 'prom-client',
    candidate: candidate ? pathToFileURL(candidate).href : undefined,
  }[lib];
  const probeArgs = [path.join(here, 'import-probe.js'), ...(specifier ? [specifier] : [])];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, probeArgs, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) {
        resolve({
          results: [],
          error: `${lib} [${id}] exited ${signal ?? code}: ${err.trim().split('\n').slice(-6).join('\n')}`,
        });
        return;
      }
      resolve({ results: [{ id, lib, value: JSON.parse(line.slice(7)).cpuMs }] });
    });
  });
}

/** Runs one (case, library) process: the import probe for the import case, a worker for the others. */
function runCaseProcess(c, lib) {
  return c.kind === 'import' ? runImportProbe(c.id, lib) : runWorker(lib, [c.id], { heap: needsGc(c) });
}

function runWorker(lib, caseIds, { heap }) {
  const nodeArgs = [];
  if (heap || smoke) nodeArgs.push('--expose-gc');
  if (profDir)
    nodeArgs.push(
      '--cpu-prof',
      `--cpu-prof-dir=${profDir}`,
      `--cpu-prof-name=${caseIds.join('+')}.${lib}.${Date.now()}.cpuprofile`,
    );
  const workerArgs = [...nodeArgs, path.join(here, 'worker.js'), '--lib', lib, '--cases', caseIds.join(',')];
  if (smoke) workerArgs.push('--smoke');
  return new Promise((resolve) => {
    const env = candidate ? { ...process.env, PROMETRIC_CANDIDATE: candidate } : process.env;
    const child = spawn(process.execPath, workerArgs, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const results = out
        .split('\n')
        .filter((l) => l.startsWith('RESULT '))
        .map((l) => JSON.parse(l.slice(7)));
      const failed = code !== 0 || results.length !== caseIds.length;
      resolve({
        results,
        error: failed
          ? `${lib} [${caseIds.join(', ')}] exited ${signal ?? code}: ${err.trim().split('\n').slice(-6).join('\n')}`
          : undefined,
      });
    });
  });
}

function machine() {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  return {
    cpu: model,
    cores: os.cpus().length,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    date: `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
  };
}

// ---- run ------------------------------------------------------------------------------------

// A case compared with a baseline (cluster.bound-inc with counter.bound) brings it along: same run, same machine state.
const selected = CASES.filter((c) => !only || only.test(c.id));
const baselines = new Set(selected.flatMap((c) => [c.baseline, c.floor]).filter(Boolean));
const cases = CASES.filter((c) => selected.includes(c) || baselines.has(c.id));
const raw = [];
const errors = [];
const load = [os.loadavg()[0]];
compileBenchTypeScript();

if (smoke) {
  // One process per library with all its cases: every code path runs, in a few seconds.
  const byLib = new Map();
  for (const c of cases.filter((c) => c.kind !== 'import'))
    for (const lib of libsOf(c)) byLib.set(lib, [...(byLib.get(lib) ?? []), c.id]);
  const jobs = [...byLib].map(
    ([lib, ids]) =>
      () =>
        runWorker(lib, ids, { heap: true }),
  );
  for (const c of cases.filter((c) => c.kind === 'import'))
    for (const lib of libsOf(c)) jobs.push(() => runImportProbe(c.id, lib));
  // Two at a time: the timings are not used, only that everything runs.
  const pending = [...jobs];
  await Promise.all(
    [0, 1].map(async () => {
      while (pending.length > 0) {
        const { results, error } = await pending.shift()();
        raw.push(...results);
        if (error) errors.push(error);
      }
    }),
  );
} else {
  const maxRounds = Math.max(...cases.map((c) => roundsFor(c.kind)));
  const total = cases.reduce((n, c) => n + roundsFor(c.kind) * libsOf(c).length, 0);
  const tty = process.stderr.isTTY;
  let done = 0;
  for (let round = 0; round < maxRounds; round++) {
    for (const c of cases) {
      if (round >= roundsFor(c.kind)) continue;
      // Alternate which library goes first, so none always runs right after another's process.
      const libs = round % 2 === 0 ? libsOf(c) : [...libsOf(c)].reverse();
      for (const lib of libs) {
        let outcome = await runCaseProcess(c, lib);
        // Retries, a few seconds apart: on a shared checkout dist/ can be rebuilt (rm -rf, tsc) under the run.
        for (let attempt = 1; outcome.error && attempt <= 3; attempt++) {
          await new Promise((resolve) => setTimeout(resolve, 3000));
          outcome = await runCaseProcess(c, lib);
        }
        raw.push(...outcome.results);
        if (outcome.error) errors.push(outcome.error);
        done++;
        if (tty) process.stderr.write(`\r[${done}/${total}] round ${round + 1}: ${c.id} ${lib}            `);
      }
    }
    process.stderr.write(
      `${tty ? '\n' : ''}round ${round + 1}/${maxRounds} done, ${done}/${total} processes, ${((Date.now() - began) / 1000).toFixed(0)} s\n`,
    );
  }
}
load.push(os.loadavg()[0]);

// ---- aggregate ------------------------------------------------------------------------------

function aggregate(id, lib) {
  const rows = raw.filter((r) => r.id === id && r.lib === lib);
  if (rows.length === 0) return undefined;
  if (rows.every((r) => r.skip)) return { skip: rows[0].skip };
  const ok = rows.filter((r) => !r.skip);
  const value = median(ok.map((r) => r.value));
  const agg = {
    value,
    processes: ok.length,
    spread: [Math.min(...ok.map((r) => r.value)), Math.max(...ok.map((r) => r.value))],
  };
  if (ok[0].bytes !== undefined) {
    agg.bytes = ok[0].bytes;
    agg.mbPerSecond = agg.bytes / 1e6 / (value / 1000);
  }
  if (ok[0].heapPerSeries !== undefined) {
    agg.heapPerSeries = median(ok.map((r) => r.heapPerSeries));
    agg.arrayBuffersPerSeries = median(ok.map((r) => r.arrayBuffersPerSeries));
  }
  return agg;
}

const fmtNs = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const fmtRatio = (r) =>
  r === undefined || !Number.isFinite(r)
    ? '–'
    : `${r >= 10 ? r.toFixed(0) : r >= 0.1 ? r.toFixed(1) : r.toPrecision(2)}×`;

function cell(c, agg) {
  if (agg === undefined) return '–';
  if (agg.skip) return 'n/a';
  if (c.kind === 'scrape')
    return `${agg.value >= 10 ? agg.value.toFixed(1) : agg.value.toFixed(2)} ms · ${agg.mbPerSecond.toFixed(0)} MB/s`;
  if (c.kind === 'heap')
    return `${agg.value.toFixed(0)} B${agg.arrayBuffersPerSeries > 0 ? ` (${agg.arrayBuffersPerSeries.toFixed(0)} off-heap)` : ''}`;
  return fmtNs(agg.value);
}

const lines = [];
const verdicts = [];
const unit = { ops: 'ns/op', scrape: 'ms/scrape · MB/s', heap: 'bytes/series' };
const libCases = cases.filter((c) => c.libs === LIBS);
const columns = candidate ? ['prometric', 'candidate', 'prom-client', 'pio'] : ['prometric', 'prom-client', 'pio'];
const titles = { ...LIB_TITLES, candidate: 'candidate (patched prometric)' };
for (const kind of ['ops', 'scrape', 'heap']) {
  const group = libCases.filter((c) => c.kind === kind);
  if (group.length === 0) continue;
  const ratioTitles = [
    'prom-client / ours',
    '@prometheus-io / ours',
    ...(candidate ? ['prom-client / candidate'] : []),
  ];
  lines.push(
    '',
    `| ${kind === 'ops' ? 'hot path' : kind === 'scrape' ? 'serialization' : 'memory'} (${unit[kind]}, lower is better) | ${columns.map((l) => titles[l]).join(' | ')} | ${ratioTitles.join(' | ')} | target | |`,
  );
  lines.push(`|---|${columns.map(() => '--:').join('|')}|${ratioTitles.map(() => '--:').join('|')}|--:|:-:|`);
  for (const c of group) {
    const agg = Object.fromEntries(columns.map((lib) => [lib, aggregate(c.id, lib)]));
    const usable = (a) => a && !a.skip;
    const ratio = (theirs, ours) => (usable(theirs) && usable(ours) ? theirs.value / ours.value : undefined);
    const ratioPc = ratio(agg['prom-client'], agg.prometric);
    const ratios = [
      ratioPc,
      ratio(agg.pio, agg.prometric),
      ...(candidate ? [ratio(agg['prom-client'], agg.candidate)] : []),
    ];
    let status = '';
    if (c.target !== undefined && ratioPc !== undefined && !smoke) {
      status = ratioPc >= c.target ? 'PASS' : 'MISS';
      verdicts.push({ id: c.id, title: c.title, target: `≥ ${c.target}×`, got: fmtRatio(ratioPc), status });
    }
    const target = c.target === undefined ? '' : c.kind === 'heap' ? `≤ ½ (≥ ${c.target}×)` : `≥ ${c.target}×`;
    lines.push(
      `| ${c.title} | ${columns.map((lib) => cell(c, agg[lib])).join(' | ')} | ${ratios.map(fmtRatio).join(' | ')} | ${target} | ${status} |`,
    );
  }
}

const timedCases = cases.filter((c) => c.kind === 'timed');
if (timedCases.length > 0) {
  lines.push(
    '',
    '| decorator (ns/call, prometric histogram, 11 buckets) | bare method | hand-written `performance.now()` wrapper | `@Timed` | overhead: wrapper | overhead: @Timed | @Timed / wrapper overhead | target | |',
  );
  lines.push('|---|--:|--:|--:|--:|--:|--:|--:|:-:|');
  for (const c of timedCases) {
    const [bare, wrapper, timed] = TIMED_VARIANTS.map((v) => aggregate(c.id, v));
    if (!bare || !wrapper || !timed) continue;
    const wrapOver = wrapper.value - bare.value;
    const timedOver = timed.value - bare.value;
    const ratio = timedOver / wrapOver;
    let status = '';
    if (c.target !== undefined && !smoke) {
      status = ratio <= c.target ? 'PASS' : 'MISS';
      verdicts.push({
        id: c.id,
        title: `${c.title}: overhead vs hand-written wrapper`,
        target: `≤ ${c.target}×`,
        got: fmtRatio(ratio),
        status,
      });
    }
    lines.push(
      `| ${c.title} | ${fmtNs(bare.value)} | ${fmtNs(wrapper.value)} | ${fmtNs(timed.value)} | ${fmtNs(wrapOver)} | ${fmtNs(timedOver)} | ${fmtRatio(ratio)} | ${c.target ? `≤ ${c.target}×` : ''} | ${status} |`,
    );
  }
}

// Cluster rows: ours against prom-client's AggregatorRegistry, and a worker's cost against our own
// single-process baseline case of the same run (the issue's "within 2x" bound).
const clusterCases = cases.filter((c) => c.kind === 'cluster');
if (clusterCases.length > 0) {
  const ms = (v) => `${v >= 10 ? v.toFixed(1) : v.toFixed(2)} ms`;
  const clusterCell = (agg, baseline) => {
    if (agg === undefined) return '–';
    if (agg.skip) return 'n/a';
    if (agg.bytes !== undefined) return `${ms(agg.value)} · ${agg.mbPerSecond.toFixed(0)} MB/s`;
    const own = baseline && !baseline.skip ? ` (${fmtRatio(agg.value / baseline.value)} its single-process)` : '';
    return `${fmtNs(agg.value)}${own}`;
  };
  lines.push(
    '',
    `| cluster, primary aggregating (lower is better) | ${CLUSTER_LIBS.map((l) => titles[l]).join(' | ')} | prom-client / ours | ours / our single-process | target | |`,
  );
  lines.push('|---|--:|--:|--:|--:|--:|:-:|');
  for (const c of clusterCases) {
    const ours = aggregate(c.id, 'prometric');
    const theirs = aggregate(c.id, 'prom-client');
    const usable = (a) => a && !a.skip;
    const oursBase = c.baseline ? aggregate(c.baseline, 'prometric') : undefined;
    const theirsBase = c.baseline ? aggregate(c.baseline, 'prom-client') : undefined;
    const vsPeer = usable(ours) && usable(theirs) ? theirs.value / ours.value : undefined;
    const vsBase = usable(ours) && usable(oursBase) ? ours.value / oursBase.value : undefined;
    let status = '';
    if (c.target !== undefined && vsBase !== undefined && !smoke) {
      status = vsBase <= c.target ? 'PASS' : 'MISS';
      verdicts.push({ id: c.id, title: c.title, target: `≤ ${c.target}×`, got: fmtRatio(vsBase), status });
    }
    lines.push(
      `| ${c.title} | ${clusterCell(ours)} | ${clusterCell(theirs, theirsBase)} | ${fmtRatio(vsPeer)} | ${c.baseline ? `${fmtRatio(vsBase)} (of ${usable(oursBase) ? fmtNs(oursBase.value) : '–'}, \`${c.baseline}\`)` : ''} | ${c.target === undefined ? '' : `≤ ${c.target}×`} | ${status} |`,
    );
  }
}

const floorCases = cases.filter((c) => c.kind === 'ops' && c.libs.length === 1 && c.libs[0] === 'floor');
if (floorCases.length > 0) {
  lines.push('', '| the floor (plain JavaScript, ns/op) | |', '|---|--:|');
  for (const c of floorCases) {
    const a = aggregate(c.id, 'floor');
    if (a) lines.push(`| ${c.title} | ${fmtNs(a.value)} |`);
  }
}

// ---- the issue-14 tables: against the floor, scrape under load, scaling, import time ---------

/** A Markdown table row from its cells. */
const row = (cells) => `| ${cells.join(' | ')} |`;
const fmtMs = (v) => `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ms`;
const rowsOf = (id, lib) => raw.filter((r) => r.id === id && r.lib === lib);
/** A verdict (when not in smoke mode) and its cell text: `got` against `≤ limit` or `≥ limit`. */
function judge(id, title, got, limit, { atMost, format = fmtRatio }) {
  if (got === undefined || !Number.isFinite(got) || smoke) return '';
  const status = (atMost ? got <= limit : got >= limit) ? 'PASS' : 'MISS';
  verdicts.push({ id, title, target: `${atMost ? '≤' : '≥'} ${format(limit)}`, got: format(got), status });
  return status;
}

// Our scrape cases against the hand-written floor writing the same body (bench/cases/floor-scrape.js).
const floored = cases.filter((c) => c.floor !== undefined && cases.some((f) => f.id === c.floor));
if (floored.length > 0) {
  lines.push(
    '',
    row([
      'serialization against the floor (ms/scrape · MB/s, lower is better)',
      'the floor (no library)',
      'prometric',
      titles['prom-client'],
      'prometric / floor',
      'target',
      '',
    ]),
    '|---|--:|--:|--:|--:|--:|:-:|',
  );
  for (const c of floored) {
    const floorCase = cases.find((f) => f.id === c.floor);
    const floor = aggregate(c.floor, 'floor');
    const ours = aggregate(c.id, 'prometric');
    const theirs = aggregate(c.id, 'prom-client');
    const usable = (a) => a && !a.skip;
    const ratio = usable(floor) && usable(ours) ? ours.value / floor.value : undefined;
    const status = judge(`${c.id}/floor`, `${c.title}: ours against the floor`, ratio, c.floorTarget, { atMost: true });
    lines.push(
      row([
        floorCase.title,
        cell(c, floor),
        cell(c, ours),
        cell(c, theirs),
        fmtRatio(ratio),
        `≤ ${c.floorTarget}×`,
        status,
      ]),
    );
  }
}

// Scrape under load (bench/load/): every measured scrape's longest block, pooled over the processes.
for (const c of cases.filter((c) => c.kind === 'load')) {
  const pooled = (lib) => {
    const ok = rowsOf(c.id, lib).filter((r) => !r.skip);
    if (ok.length === 0) return undefined;
    const blocks = ok.flatMap((r) => r.blocksMs);
    return {
      medianBlock: median(blocks),
      worstBlock: Math.max(...blocks),
      scrapes: blocks.length,
      processes: ok.length,
      p99Outside: median(ok.map((r) => r.pingP99OutsideMs)),
      p99During: median(ok.map((r) => r.pingP99DuringMs)),
      p99Ratio: median(ok.map((r) => r.p99Ratio)),
      scrapeMs: median(ok.map((r) => r.scrapeMs)),
      pings: ok.reduce((n, r) => n + r.pings.outside + r.pings.during, 0),
      dropped: ok.reduce((n, r) => n + r.pings.dropped, 0),
      bytes: ok[0].bytes,
    };
  };
  const ours = pooled('prometric');
  const theirs = pooled('prom-client');
  const t = c.targets;
  const show = (a, key, format = fmtMs) => (a ? format(a[key]) : '–');
  const rows = [
    { label: 'max event-loop block per scrape, median scrape', key: 'medianBlock', limit: t.medianBlockMs },
    { label: 'max event-loop block per scrape, worst scrape', key: 'worstBlock', limit: t.worstBlockMs },
    { label: '/ping p99 outside scrapes', key: 'p99Outside' },
    { label: '/ping p99 during scrapes', key: 'p99During' },
    { label: '/ping p99 during / outside scrapes', key: 'p99Ratio', limit: t.p99Ratio },
    { label: 'scrape time as the client sees it (request to last byte), median', key: 'scrapeMs' },
  ];
  lines.push('', `| ${c.title} | prometric | ${titles['prom-client']} | target (ours) | |`, '|---|--:|--:|--:|:-:|');
  for (const { label, key, limit } of rows) {
    const format = key === 'p99Ratio' ? fmtRatio : fmtMs;
    const status =
      limit === undefined || !ours
        ? ''
        : judge(`${c.id}/${key}`, `${c.title}: ${label}`, ours[key], limit, { atMost: true, format });
    const target = limit === undefined ? '' : `≤ ${format(limit)}`;
    lines.push(`| ${label} | ${show(ours, key, format)} | ${show(theirs, key, format)} | ${target} | ${status} |`);
  }
  const counts = [ours, theirs]
    .map((a, i) =>
      a
        ? `${PAIR_LIBS[i]} ${a.scrapes} scrapes in ${a.processes} processes, ${a.pings} pings` +
          (a.dropped ? ` (${a.dropped} not sent: queue full)` : '')
        : undefined,
    )
    .filter(Boolean);
  if (counts.length > 0)
    lines.push('', `(${counts.join('; ')}; ${ours ? `${(ours.bytes / 1e6).toFixed(1)} MB body` : ''})`);
}

// Scaling table: one process per cell, back to back, after a full GC, heap per series.
const scalingCases = cases.filter((c) => c.kind === 'scaling');
if (scalingCases.length > 0) {
  const cellOf = (c, lib) => {
    const ok = rowsOf(c.id, lib);
    if (ok.length === 0) return undefined;
    const measured = ok.filter((r) => !r.skip);
    const heapRows = ok.filter((r) => r.heapPerSeries !== undefined);
    return {
      skip: measured.length === 0 ? ok[0].skip : undefined,
      oneScrapeMs: ok[0].oneScrapeMs,
      backToBack: measured.length ? median(measured.map((r) => r.value)) : undefined,
      afterGc: measured.length ? median(measured.map((r) => r.afterGcMs)) : undefined,
      heap: heapRows.length ? median(heapRows.map((r) => r.heapPerSeries)) : undefined,
      heapScraped: measured.length ? median(measured.map((r) => r.heapPerSeriesScraped)) : undefined,
    };
  };
  const ms = (cellData, key) => {
    if (!cellData) return '–';
    if (cellData.skip)
      return cellData.oneScrapeMs === undefined
        ? `n/a (${cellData.skip})`
        : `n/a (${cellData.skip}; one scrape ${fmtMs(cellData.oneScrapeMs)})`;
    return fmtMs(cellData[key]);
  };
  const bytes = (cellData) => {
    if (!cellData || cellData.heap === undefined) return '–';
    const scraped = cellData.heapScraped === undefined ? '' : ` (${cellData.heapScraped.toFixed(0)} B)`;
    return `${cellData.heap.toFixed(0)} B${scraped}`;
  };
  const verdictCell = (ratio, text) => (ratio === undefined ? '–' : `${fmtRatio(ratio)}${text ? ` ${text}` : ''}`);
  lines.push(
    '',
    `Scaling (text scrapes as each library's server sends them: ours streamed, prom-client's string encoded to bytes; one process per cell): label layout A is ${LAYOUTS.A.title}, ` +
      `layout B ${LAYOUTS.B.title}; 1000 series a family. Heap per series after filling ` +
      '(in parentheses: after the scrapes too).',
    '',
    row([
      'scaling',
      'ours: back to back',
      'ours: after full GC',
      'ours: after GC / back to back (≤ 1.5×)',
      `${titles['prom-client']}: back to back`,
      `${titles['prom-client']}: after full GC`,
      'after GC, prom-client / ours (≥ 5×)',
      'heap per series, ours',
      'heap per series, prom-client',
      'heap, prom-client / ours (≥ 2×: ≤ ½)',
    ]),
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  );
  for (const c of scalingCases) {
    const ours = cellOf(c, 'prometric');
    const theirs = cellOf(c, 'prom-client');
    const measured = (a) => a && !a.skip && a.afterGc !== undefined;
    const afterGcRatio = measured(ours) ? ours.afterGc / ours.backToBack : undefined;
    const vsPeer = measured(ours) && measured(theirs) ? theirs.afterGc / ours.afterGc : undefined;
    const heapRatio = ours?.heap !== undefined && theirs?.heap !== undefined ? theirs.heap / ours.heap : undefined;
    const t = c.targets;
    const s1 = judge(`${c.id}/after-gc`, `${c.title}: after-GC scrape / back to back`, afterGcRatio, t.afterGc, {
      atMost: true,
    });
    const s2 = judge(`${c.id}/vs-prom-client`, `${c.title}: after-GC scrape, prom-client / ours`, vsPeer, t.vsPeer, {
      atMost: false,
    });
    const s3 = judge(`${c.id}/heap`, `${c.title}: heap per series, prom-client / ours`, heapRatio, t.heap, {
      atMost: false,
    });
    lines.push(
      row([
        c.title,
        ms(ours, 'backToBack'),
        ms(ours, 'afterGc'),
        verdictCell(afterGcRatio, s1),
        ms(theirs, 'backToBack'),
        ms(theirs, 'afterGc'),
        verdictCell(vsPeer, s2),
        bytes(ours),
        bytes(theirs),
        verdictCell(heapRatio, s3),
      ]),
    );
  }
}

// Import time: each package's median CPU less the empty process's median, the same run, interleaved.
for (const c of cases.filter((c) => c.kind === 'import')) {
  const cpu = (lib) => {
    const ok = rowsOf(c.id, lib);
    return ok.length ? { value: median(ok.map((r) => r.value)), samples: ok.length } : undefined;
  };
  const empty = cpu('empty');
  const net = (lib) => {
    const a = cpu(lib);
    return a && empty ? { value: a.value - empty.value, total: a.value, samples: a.samples } : undefined;
  };
  const ours = net('prometric');
  const theirs = net('prom-client');
  const ratio = ours && theirs ? theirs.value / ours.value : undefined;
  const status = judge(c.id, `${c.title}: prom-client / ours`, ratio, c.target, { atMost: false });
  const show = (a) => (a ? `${fmtMs(a.value)} (${fmtMs(a.total)} in all, ${a.samples} processes)` : '–');
  lines.push(
    '',
    row([
      `import time (CPU ms, median of fresh processes, less the empty process: ${empty ? fmtMs(empty.value) : '–'})`,
      'prometric',
      titles['prom-client'],
      'prom-client / ours',
      'target',
      '',
    ]),
    '|---|--:|--:|--:|--:|:-:|',
    row([c.title, show(ours), show(theirs), fmtRatio(ratio), `ours ≤ theirs (≥ ${c.target}×)`, status]),
  );
}

const m = machine();
const seconds = (Date.now() - began) / 1000;
const header = [
  `Machine: ${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.os}; ${m.date}.`,
  `Run: ${smoke ? 'SMOKE (tiny sizes, no warm-up: the figures mean nothing)' : `medians of ${roundsFor('ops')} processes per micro case (each the median of 21 samples after warm-up), ${roundsFor('scrape')} per serialization case (each the median of ≥ 5 scrapes, as each server sends the body: ours the chunks of registry.stream(), prom-client's metrics() string encoded to bytes), ${roundsFor('heap')} per heap case, ${roundsFor('cluster')} per cluster case (a primary and its forked workers, fresh each time), ${roundsFor('load')} per scrape-under-load case (each 10 scrapes), ${roundsFor('scaling')} per scaling cell, ${roundsFor('import')} import samples per package`}; ${seconds.toFixed(0)} s in all; load average ${load.map((l) => l.toFixed(2)).join(' → ')}.`,
];
const missed = verdicts.filter((v) => v.status === 'MISS');
const summary =
  verdicts.length === 0
    ? []
    : [
        '',
        `Targets: ${verdicts.length - missed.length} of ${verdicts.length} met${missed.length ? `; missed: ${missed.map((v) => `${v.id} (${v.got}, target ${v.target})`).join(', ')}` : ''}.`,
      ];
const failures =
  errors.length === 0
    ? []
    : [
        '',
        `${errors.length} process(es) failed (their case has fewer processes): ${errors.map((e) => e.split(':')[0]).join('; ')}.`,
      ];
const table = [...header, ...lines, ...summary, ...failures].join('\n');

console.log(table);
if (errors.length > 0) {
  console.error(`\n${errors.length} benchmark process(es) failed:\n${errors.join('\n\n')}`);
}
if (jsonFile) writeFileSync(jsonFile, JSON.stringify({ machine: m, seconds, raw }, null, 2));

if (write) {
  const file = path.join(here, 'RESULTS.md');
  const start = '<!-- bench:table:start (written by npm run bench) -->';
  const end = '<!-- bench:table:end -->';
  const block = `${start}\n${table}\n${end}`;
  let text = existsSync(file) ? readFileSync(file, 'utf8') : `# Benchmark results\n\n${start}\n${end}\n`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  text = i >= 0 && j > i ? text.slice(0, i) + block + text.slice(j + end.length) : `${text}\n${block}\n`;
  writeFileSync(file, text);
  console.log(`\n(table written to bench/RESULTS.md)`);
}

// Smoke mode fails only when a case broke (threw, or its output lost its samples): never on timing.
process.exitCode = errors.length > 0 ? 1 : 0;
