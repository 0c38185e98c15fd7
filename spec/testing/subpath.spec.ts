/**
 * The `prometric/testing` subpath as users import it (issue 16, part 1): resolved through the
 * package's "exports" to the built dist/testing/index.js in a fresh process, sharing the main
 * entry's defaultRegistry (it imports the main entry rather than a copy of the registry), and
 * kept out of what the main entry loads.
 */
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { REPO, runOk } from '../package/support.js';

const DIST = join(REPO, 'dist');

interface ChildReport {
  readonly resolved: string;
  readonly exports: string[];
  readonly sharedDefault: number | undefined;
  readonly failure: { name: string; code: string; hasDiff: boolean };
}

/** A child, run from the repository (a package may import itself by name), that uses both entries. */
const CHILD = `
  const testing = await import('prometric/testing');
  const prometric = await import('prometric');
  new prometric.Counter('subpath_spec_calls', 'counted through the main entry').inc(5);
  let failure;
  try {
    await testing.expectMetrics(prometric.defaultRegistry, 'subpath_spec_calls_total 6');
  } catch (error) {
    failure = { name: error.name, code: error.code, hasDiff: 'expected' in error && 'actual' in error };
  }
  process.stdout.write(JSON.stringify({
    resolved: import.meta.resolve('prometric/testing'),
    exports: Object.keys(testing).sort(),
    sharedDefault: await testing.getSampleValue('subpath_spec_calls_total'),
    failure,
  }));`;

/** Every file of dist/ that `entry` loads, statically or by dynamic import(), itself included. */
function loadedFrom(entry: string): Set<string> {
  const seen = new Set<string>();
  const pending = [entry];
  while (pending.length > 0 && seen.size < 500) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(file, 'utf8');
    for (const match of code.matchAll(/\bfrom\s*"(\.{1,2}\/[^"]+)"|\bimport\(\s*"(\.{1,2}\/[^"]+)"\s*\)/g)) {
      pending.push(join(dirname(file), (match[1] ?? match[2])!));
    }
  }
  return seen;
}

describe('prometric/testing: the package subpath', () => {
  let report: ChildReport;

  before(async function () {
    this.timeout(30_000);
    expect(existsSync(join(DIST, 'testing', 'index.js')), 'dist/testing/index.js is built by npm test').to.equal(true);
    const run = await runOk(process.execPath, ['--input-type=module', '-e', CHILD], { cwd: REPO, timeoutMs: 20_000 });
    report = JSON.parse(run.stdout) as ChildReport;
  });

  it('resolves through package.json "exports" to the built dist/testing/index.js, with its declarations', () => {
    expect(report.resolved).to.equal(`file://${join(DIST, 'testing', 'index.js')}`);
    expect(report.exports).to.deep.equal(['expectMetrics', 'getSampleValue', 'getSamples']);
    const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
      exports: Record<string, { types: string; default: string }>;
    };
    const types = join(REPO, manifest.exports['./testing']!.types);
    const declarations = readFileSync(types, 'utf8');
    for (const name of ['getSampleValue', 'getSamples', 'expectMetrics']) {
      expect(declarations, types).to.match(new RegExp(`export declare function ${name}\\(`));
    }
  });

  it("reads the main entry's defaultRegistry (one registry, not a second copy)", () => {
    expect(report.sharedDefault).to.equal(5);
  });

  it('fails with an AssertionError carrying expected and actual', () => {
    expect(report.failure).to.deep.equal({ name: 'AssertionError', code: 'ERR_ASSERTION', hasDiff: true });
  });

  it('is not loaded by the main entry, at import or on first use of a feature', () => {
    const loaded = [...loadedFrom(join(DIST, 'index.js'))].map((file) => relative(DIST, file));
    expect(loaded).to.include('index.js');
    expect(loaded.filter((file) => file.startsWith('testing/'))).to.deep.equal([]);
    for (const file of loaded) {
      expect(readFileSync(join(DIST, file), 'utf8'), file).not.to.include('expectMetrics');
    }
  });
});
