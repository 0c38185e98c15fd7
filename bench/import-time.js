/**
 * Import time: the CPU a fresh process spends importing the package, prometric against prom-client.
 *
 * Each figure is process.cpuUsage() (user + system) read right after the import, minus the same
 * reading in an empty script of the same kind, as a median over fresh processes (interleaved, so a
 * noisy moment on the machine hits every variant alike). prometric is ESM and is imported with
 * `import()` from an ES module; prom-client is CommonJS and is loaded with `require()` from a CommonJS
 * script: each as its users load it, each against its own empty baseline. The crossed pairs (prom-client
 * imported from an ES module, prometric required through require(esm)) are printed too.
 *
 *   node bench/import-time.js                 20 processes per variant, the table
 *   --rounds N                                processes per variant
 *   --prometric PATH                          import this dist/index.js instead of the package
 *   --also PATH                               also import this dist/index.js (e.g. an older build),
 *                                             interleaved with the rest, for an A/B in one run
 *   --breakdown                               also: modules loaded, and where the CPU goes (profiled
 *                                             processes, self time by module and inclusive time of the
 *                                             start-up calls)
 *   --json                                    print the figures as one JSON line too
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from './measure.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
};
const rounds = Number(option('--rounds') ?? 20);
/** What `import()` and `require()` are given for prometric: the package, or a build's index.js. */
const specifiers = (file) =>
  file === undefined
    ? { url: 'prometric', path: 'prometric' }
    : { url: pathToFileURL(path.resolve(file)).href, path: path.resolve(file) };
const target = specifiers(option('--prometric'));
const also = option('--also') === undefined ? undefined : specifiers(option('--also'));

/** Prints the CPU microseconds spent so far, and the wall milliseconds since the process began. */
const REPORT =
  'const u = process.cpuUsage(); console.log(JSON.stringify({ cpu: u.user + u.system, wall: performance.now() }));';

/** What each variant runs: an -e script of one module kind, evaluated in the package root. */
const VARIANTS = {
  'empty (ES module)': { type: 'module', code: REPORT },
  'empty (CommonJS)': { type: 'commonjs', code: REPORT },
  'prometric, import()': { type: 'module', code: `await import(${JSON.stringify(target.url)}); ${REPORT}` },
  'prom-client, require()': { type: 'commonjs', code: `require('prom-client'); ${REPORT}` },
  'prom-client, import()': { type: 'module', code: `await import('prom-client'); ${REPORT}` },
  'prometric, require()': { type: 'commonjs', code: `require(${JSON.stringify(target.path)}); ${REPORT}` },
};
if (also)
  VARIANTS['--also, import()'] = { type: 'module', code: `await import(${JSON.stringify(also.url)}); ${REPORT}` };

function run(variant, extraArgs = []) {
  const { type, code } = VARIANTS[variant];
  const child = spawnSync(process.execPath, [...extraArgs, `--input-type=${type}`, '-e', code], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (child.status !== 0) throw new Error(`${variant} exited ${child.status}: ${child.stderr}`);
  const line = child.stdout.trim().split('\n').at(-1);
  return JSON.parse(line);
}

// ---- the medians ----------------------------------------------------------------------------------

const samples = Object.fromEntries(Object.keys(VARIANTS).map((v) => [v, []]));
for (let round = 0; round < rounds; round++) {
  const order = Object.keys(VARIANTS);
  if (round % 2 === 1) order.reverse();
  for (const variant of order) samples[variant].push(run(variant));
}
const cpu = (variant) => median(samples[variant].map((s) => s.cpu)) / 1000;
const wall = (variant) => median(samples[variant].map((s) => s.wall));
const net = (variant, baseline) => ({
  cpu: cpu(variant) - cpu(baseline),
  wall: wall(variant) - wall(baseline),
  spread: [
    Math.min(...samples[variant].map((s) => s.cpu)) / 1000,
    Math.max(...samples[variant].map((s) => s.cpu)) / 1000,
  ],
});
const figures = {
  prometric: net('prometric, import()', 'empty (ES module)'),
  promClient: net('prom-client, require()', 'empty (CommonJS)'),
  promClientFromEsm: net('prom-client, import()', 'empty (ES module)'),
  prometricFromCjs: net('prometric, require()', 'empty (CommonJS)'),
};

const ms = (v) => `${v.toFixed(1)} ms`;
console.log(`Import time, median of ${rounds} fresh processes each (${process.version}); CPU is user + system.`);
console.log('');
console.log('| import | CPU, net of empty | wall, net of empty | CPU spread (whole process) |');
console.log('|---|--:|--:|--:|');
const row = (title, f) =>
  console.log(`| ${title} | ${ms(f.cpu)} | ${ms(f.wall)} | ${f.spread[0].toFixed(0)}–${f.spread[1].toFixed(0)} ms |`);
row("`import('prometric')` from an ES module", figures.prometric);
row("`require('prom-client')` from CommonJS", figures.promClient);
row("`import('prom-client')` from an ES module", figures.promClientFromEsm);
row("`require('prometric')` from CommonJS", figures.prometricFromCjs);
if (also) {
  figures.also = net('--also, import()', 'empty (ES module)');
  row(`\`import()\` of ${option('--also')} from an ES module`, figures.also);
}
console.log('');
console.log(`empty scripts: ES module ${ms(cpu('empty (ES module)'))}, CommonJS ${ms(cpu('empty (CommonJS)'))} of CPU`);
const ratio = figures.prometric.cpu / figures.promClient.cpu;
console.log(
  `prometric / prom-client (each as its users load it): ${ratio.toFixed(2)}× ` +
    `(target <= 1: ${ratio <= 1 ? 'PASS' : 'MISS'})`,
);
if (args.includes('--json')) console.log(JSON.stringify(figures));

// ---- the breakdown --------------------------------------------------------------------------------

if (args.includes('--breakdown')) {
  // Which modules the import loads: ES module files (seen by a resolve hook, which writes each file
  // URL to a list), CommonJS files (require.cache) and Node's built-ins (process.moduleLoadList).
  const dir = mkdtempSync(path.join(tmpdir(), 'import-files-'));
  const list = path.join(dir, 'resolved.txt');
  const hook = `import { appendFileSync } from 'node:fs';
    export async function resolve(specifier, context, next) {
      const resolved = await next(specifier, context);
      if (resolved.url.startsWith('file:')) appendFileSync(${JSON.stringify(list)}, resolved.url + '\\n');
      return resolved;
    }`;
  const register = `import { register } from 'node:module';
    register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;
  const child = (nodeArgs, code) => {
    const result = spawnSync(process.execPath, [...nodeArgs, '--input-type=module', '-e', code], {
      cwd: root,
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`listing failed: ${result.stderr}`);
    return JSON.parse(result.stdout.trim().split('\n').at(-1));
  };
  // Without the hook: registering one starts a thread, which loads built-ins of its own.
  const { builtins } = child(
    [],
    `const before = new Set(process.moduleLoadList);
     await import(${JSON.stringify(target.url)});
     const builtins = process.moduleLoadList.filter((m) => !before.has(m) && m.startsWith('NativeModule '));
     console.log(JSON.stringify({ builtins: builtins.map((m) => m.slice(13)) }));`,
  );
  const { commonjs } = child(
    ['--import', `data:text/javascript,${encodeURIComponent(register)}`],
    `await import(${JSON.stringify(target.url)});
     const { createRequire } = await import('node:module');
     console.log(JSON.stringify({ commonjs: Object.keys(createRequire(import.meta.url).cache) }));`,
  );
  const esm = new Set(readFileSync(list, 'utf8').trim().split('\n'));
  rmSync(dir, { recursive: true, force: true });
  const publicBuiltins = builtins.filter((m) => !m.startsWith('internal/'));
  console.log('');
  console.log(`Files the import loads: ${esm.size} ES modules, ${commonjs.length} CommonJS (${commonjs.join(', ')})`);
  console.log(
    `Node built-in modules the import loads: ${builtins.length} (${publicBuiltins.length} public: ` +
      `${publicBuiltins.join(', ')})`,
  );

  // CPU profiles of several imports, added up: self time by file, and the start-up calls' total time.
  const profiles = mkdtempSync(path.join(tmpdir(), 'import-prof-'));
  const profiled = Math.min(rounds, 10);
  try {
    for (let i = 0; i < profiled; i++) {
      run('prometric, import()', ['--cpu-prof', `--cpu-prof-dir=${profiles}`, '--cpu-prof-interval=100']);
    }
    printProfileBreakdown(profiles, profiled);
  } finally {
    rmSync(profiles, { recursive: true, force: true });
  }
}

/** Self time per file (grouped into the package, its dependencies and Node), and named calls' total time. */
function printProfileBreakdown(dir, processes) {
  const selfByFile = new Map();
  const inclusive = new Map();
  const ownFiles = new Set();
  const WATCHED = ['collectDefaultMetrics', 'startClusterReporting', 'startThreadReporting'];
  let total = 0;
  for (const file of readdirSync(dir)) {
    const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const self = new Map();
    profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + profile.timeDeltas[i]));
    for (const [id, us] of self) {
      const frame = nodes.get(id).callFrame;
      const where = fileGroup(frame);
      if (where.own) ownFiles.add(where.name);
      selfByFile.set(where.name, (selfByFile.get(where.name) ?? 0) + us);
      total += us;
      // Inclusive time of the watched calls, and of each own module's top-level evaluation.
      const seen = new Set();
      for (let at = id; at !== undefined; at = parent.get(at)) {
        const f = nodes.get(at).callFrame;
        const g = fileGroup(f);
        const key = WATCHED.includes(f.functionName)
          ? `${f.functionName}()`
          : g.own && f.functionName === '' && f.lineNumber === 0
            ? `evaluate ${g.name}`
            : undefined;
        if (key && !seen.has(key)) {
          seen.add(key);
          inclusive.set(key, (inclusive.get(key) ?? 0) + us);
        }
      }
    }
  }
  const per = (us) => `${(us / 1000 / processes).toFixed(2)} ms`;
  const top = (map, n, keep = () => true) =>
    [...map]
      .filter(([k]) => keep(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, n);
  console.log('');
  console.log(`CPU profile of ${processes} imports (100 µs sampling, which slows them), per import:`);
  console.log(`  total sampled: ${per(total)}`);
  const ownTotal = [...selfByFile].filter(([k]) => ownFiles.has(k)).reduce((s, [, v]) => s + v, 0);
  console.log(`  the package's own code (self time, ${ownFiles.size} files): ${per(ownTotal)}`);
  console.log('  self time by file or group:');
  for (const [name, us] of top(selfByFile, 25)) console.log(`    ${per(us).padStart(9)}  ${name}`);
  console.log('  total time of start-up calls and module bodies (the package):');
  for (const [name, us] of top(inclusive, 15)) console.log(`    ${per(us).padStart(9)}  ${name}`);
}

/** Groups a profile frame: the package's own files, a dependency, Node's module loader, other Node code. */
function fileGroup(frame) {
  const url = frame.url;
  if (!url) return { name: frame.functionName || '(anonymous)' };
  if (url.startsWith('node:internal/modules/')) return { name: 'Node module loader (resolve, load, compile, link)' };
  if (url.startsWith('node:internal/deps/cjs-module-lexer')) return { name: 'Node CommonJS export lexer' };
  if (url.startsWith('node:')) return { name: `Node: ${url.slice(5)}` };
  const dependency = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (dependency) return { name: `package ${dependency[1]}` };
  const own = /\/dist\/(.+)$/.exec(url);
  if (own) return { name: own[1], own: true };
  return { name: url };
}
