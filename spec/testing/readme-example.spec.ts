/**
 * The README's "## Testing your metrics" example is a real mocha spec: taken from the README as
 * it stands, compiled by tsc (strict) against the built package (importing `prometric` and
 * `prometric/testing` by name, as a package may import itself), and run by mocha, passing.
 */
import { expect } from 'chai';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, runOk } from '../package/support.js';

const TSC = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
const MOCHA = join(REPO, 'node_modules', 'mocha', 'bin', 'mocha.js');

/** The first ```ts block of the README section `heading`. */
function exampleOf(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n${heading}\n`);
  expect(start, `README has no "${heading}" section`).to.be.greaterThan(-1);
  const block = /\n```ts\n([\s\S]*?)\n```\n/.exec(markdown.slice(start));
  expect(block, `no ts code block in "${heading}"`).not.to.equal(null);
  return block![1]!;
}

describe('README: the "Testing your metrics" example', function () {
  this.timeout(60_000);
  // Inside the repository, so that `prometric` resolves to this package (its dist/) by name.
  const dir = join(REPO, 'build', 'readme-testing-example');
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('compiles against the built package and passes under mocha', async () => {
    const example = exampleOf(readFileSync(join(REPO, 'README.md'), 'utf8'), '## Testing your metrics');
    expect(example).to.include("from 'prometric/testing'");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'example.spec.ts'), example);
    const compilerOptions = {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      skipLibCheck: true,
      typeRoots: [join(REPO, 'node_modules', '@types')],
      types: ['node', 'mocha'],
      outDir: 'out',
    };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['example.spec.ts'] }));
    await runOk(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: dir, timeoutMs: 30_000 });
    const run = await runOk(
      process.execPath,
      [MOCHA, '--no-config', '--reporter', 'dot', '--timeout', '20000', 'out/example.spec.js'],
      { cwd: dir, timeoutMs: 30_000 },
    );
    expect(run.stdout).to.match(/\b1 passing\b/);
    expect(run.stdout).not.to.match(/failing/);
  });
});
