/**
 * The lint and format tooling (issue 11, part 5): one tool, Biome, with the code base's style at 120
 * columns, run without writes by `npm run lint`, which CI runs. The code itself is checked by CI's
 * `npm run lint`; these specs check the wiring, and that the configuration does what it says.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { REPO, removeDir, run, tempDir } from './support.js';

const BIOME = join(REPO, 'node_modules', '.bin', 'biome');

/** Biome's answer for `source` given as the file `path` (inside the linted folders). */
function biome(
  command: 'format' | 'check',
  path: string,
  source: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIOME, [command, `--stdin-file-path=${path}`], { cwd: REPO, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(source);
  });
}

describe('lint and format tooling', () => {
  it('finds nothing in the tree: lint and format are clean', async () => {
    const result = await run(BIOME, ['check'], { cwd: REPO });
    expect(result.code, `${result.stdout}${result.stderr}`).to.equal(0);
  });

  it('compiles with noUncheckedIndexedAccess and noUnusedLocals', () => {
    const base = readFileSync(join(REPO, 'tsconfig.base.json'), 'utf8');
    expect(base)
      .to.match(/"noUncheckedIndexedAccess":\s*true/)
      .and.match(/"noUnusedLocals":\s*true/);
  });

  it('CI runs `npm run lint` after installing and before the tests', () => {
    const steps = readFileSync(join(REPO, '.ci', 'run'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => /^npm /.test(line));
    const at = (prefix: string) => steps.findIndex((step) => step.startsWith(prefix));
    expect(at('npm run lint'), steps.join('; ')).to.be.greaterThan(at('npm ci'));
    expect(at('npm ci'), steps.join('; ')).to.be.at.least(0);
    expect(at('npm run lint')).to.be.lessThan(at('npm test'));
  });

  it('`npm run lint` checks without writing; `npm run format` writes', () => {
    const { scripts } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(scripts.lint).to.match(/^biome check\b/);
    expect(scripts.lint).not.to.match(/--write|--fix|--apply/);
    expect(scripts.format).to.match(/^biome check\b.*--write/);
  });

  it('formats a line past 120 columns onto several, in single quotes with trailing commas', async () => {
    const long = `export const probe = { first: "aaaaaaaaaaaaaaaaaaaaaaaa", second: "bbbbbbbbbbbbbbbbbbbbbbbb", third: "cccccccccccccccc" };\n`;
    expect(long.length).to.be.greaterThan(121);
    const { code, stdout, stderr } = await biome('format', 'lib/probe.ts', long);
    expect(code, stderr).to.equal(0);
    expect(stdout).to.equal(
      [
        'export const probe = {',
        "  first: 'aaaaaaaaaaaaaaaaaaaaaaaa',",
        "  second: 'bbbbbbbbbbbbbbbbbbbbbbbb',",
        "  third: 'cccccccccccccccc',",
        '};',
        '',
      ].join('\n'),
    );
    const fits = `export const probe = { first: 'aaaaaaaaaaaaaaaaaaaaaaaa', second: 'bbbbbbbbbbbbbbbbbbbbbb' };\n`;
    expect((await biome('format', 'lib/probe.ts', fits)).stdout).to.equal(fits);
  });

  describe("the linter (on files of a temporary folder, under the repo's configuration)", () => {
    let dir: string | undefined;
    before(() => {
      dir = tempDir('lint');
      mkdirSync(join(dir, 'lib'));
      copyFileSync(join(REPO, 'biome.jsonc'), join(dir, 'biome.jsonc'));
      copyFileSync(join(REPO, '.gitignore'), join(dir, '.gitignore'));
    });
    after(() => removeDir(dir));

    it('reports a recommended rule', async () => {
      writeFileSync(join(dir as string, 'lib', 'flagged.ts'), 'export function probe(): void {\n  debugger;\n}\n');
      const result = await run(BIOME, ['check', 'lib/flagged.ts'], { cwd: dir as string, timeoutMs: 20_000 });
      expect(result.code).to.not.equal(0);
      expect(result.stdout + result.stderr).to.include('lint/suspicious/noDebugger');
    });

    it('leaves alone the deliberate patterns the configuration names', async () => {
      const deliberate = [
        'let cache: number[] | undefined;',
        'export function probe(value: number, list: number[]): number[] {',
        '  if (value !== value) return []; // the NaN test',
        '  list.forEach((item) => list.push(item));',
        '  return (cache ??= list);',
        '}',
        '',
      ].join('\n');
      writeFileSync(join(dir as string, 'lib', 'deliberate.ts'), deliberate);
      const result = await run(BIOME, ['check', 'lib/deliberate.ts'], { cwd: dir as string, timeoutMs: 20_000 });
      expect(result.code, result.stdout + result.stderr).to.equal(0);
    });
  });
});
