/**
 * The shape of lib/ (issue 11): no import cycles, type imports included, and imports that run one
 * way through the layers, read from the sources as a reviewer would read them.
 */
import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** build/spec/package/*.js -> lib/ in the source tree. */
const LIB = fileURLToPath(new URL('../../../lib/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Each module's imports of other lib modules (value and type imports and re-exports), as paths relative to lib/. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(LIB)) {
    const text = readFileSync(file, 'utf8');
    const targets = [
      ...text.matchAll(/^\s*(?:import|export)\b[^'";]*?from\s+'(\.[^']+)'|^\s*import\s+'(\.[^']+)'/gm),
    ].map((m) => m[1] ?? m[2]!);
    graph.set(
      relative(LIB, file),
      targets.map((target) => relative(LIB, normalize(join(dirname(file), target.replace(/\.js$/, '.ts'))))),
    );
  }
  return graph;
}

/** Every cycle, as the list of modules around it (found by depth-first search, each once). */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'active');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'active') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (state.get(next) === undefined) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

/** The layer of a module: a module may import only from its own layer or those below. */
function layer(module: string): number {
  if (module.startsWith('testing/')) return 7; // prometric/testing: above the public API, as users' tests are
  if (module === 'index.ts') return 6;
  if (/^(decorators|collectors|server|push|aggregation)\//.test(module)) return 5;
  if (module === 'textfile.ts') return 5; // beside the server: writes the registry's exposition out
  if (module.startsWith('metrics/')) return 4;
  if (module === 'registry.ts' || module.startsWith('collected-')) return 3;
  if (module.startsWith('exposition/') || module.startsWith('instrument/')) return 2;
  return 1; // the data model: snapshot, labels, label sets, bounds, validation
}

describe('lib/ layering', () => {
  const graph = importGraph();

  it('reads every module of lib/', () => {
    expect(graph.size).to.be.above(40);
    expect(graph.get('metrics/counter.ts')).to.include('metrics/metric.ts');
  });

  it('has no import cycle, counting type imports', () => {
    const found = cycles(graph).map((cycle) => cycle.join(' -> '));
    expect(found, found.join('\n')).to.deep.equal([]);
  });

  it('imports one way: from its own layer or a lower one only', () => {
    const upward: string[] = [];
    for (const [module, targets] of graph) {
      for (const target of targets) if (layer(target) > layer(module)) upward.push(`${module} -> ${target}`);
    }
    expect(upward, upward.join('\n')).to.deep.equal([]);
  });

  it('keeps the metrics free of decorators, the server and the formats', () => {
    const offending = [...graph].flatMap(([module, targets]) =>
      module.startsWith('metrics/')
        ? targets.filter((t) => /^(decorators|server|exposition|collectors)\//.test(t)).map((t) => `${module} -> ${t}`)
        : [],
    );
    expect(offending).to.deep.equal([]);
  });

  it('has one clock module', () => {
    const clocks = [...graph.keys()].filter((module) => /clock/.test(module));
    expect(clocks).to.deep.equal(['instrument/clock.ts']);
    const wallClockReaders = sources(LIB).filter((file) =>
      /Date\.now\(\)|performance\.now\(\)/.test(readFileSync(file, 'utf8').replace(/\/\/.*|\/\*[\s\S]*?\*\//g, '')),
    );
    expect(wallClockReaders.map((f) => relative(LIB, f)).sort()).to.deep.equal([
      'collectors/process-fallback.ts',
      'instrument/clock.ts',
    ]);
  });
});
