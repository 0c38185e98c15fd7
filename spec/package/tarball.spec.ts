/**
 * The package as users get it (issue 11, part 5): `npm pack` in a fresh checkout (no dist/ yet, so
 * prepack has to build it), installed into a new project, imported from ESM and CommonJS, and
 * compiled against by TypeScript consumers with skipLibCheck off, in both decorator modes.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { freshCheckout, REPO, removeDir, runOk, tempDir } from './support.js';

const TSC = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');

/** Files of the tarball, relative to its `package/` folder. */
function tarballEntries(tarball: string, cwd: string): Promise<string[]> {
  return runOk('tar', ['-tzf', tarball], { cwd }).then(({ stdout }) =>
    stdout
      .split('\n')
      .filter((line) => line !== '' && !line.endsWith('/'))
      .map((line) => line.replace(/^package\//, '')),
  );
}

/** A consumer using every decorator; it prints its registry's text exposition. */
function consumerSource(moduleName: string): string {
  return `import { Counter, CountExceptions, Gauge, GaugeInProgress, Histogram, Registry, Summary, Timed } from 'prometric';
import { getSampleValue } from 'prometric/testing';

const registry = new Registry();
const latency = new Histogram({ name: 'consumer_seconds', help: 'Latency', labelNames: ['route'], registry });
const failures = new Counter({ name: 'consumer_failures', help: 'Failures', registry });
const inFlight = new Gauge({ name: 'consumer_in_flight', help: 'Calls in flight', registry });
const requestTime = new Summary({ name: 'consumer_request_seconds', help: 'Request time', registry });

class Service {
  @Timed(latency, { labels: { route: '/work' } })
  @CountExceptions(failures)
  @GaugeInProgress(inFlight)
  async work(fail: boolean): Promise<string> {
    if (fail) throw new Error('failed on purpose');
    return 'done';
  }

  @requestTime.time()
  handle(): number {
    return 1;
  }
}

async function main(): Promise<void> {
  const service = new Service();
  await service.work(false);
  await service.work(true).catch(() => undefined);
  service.handle();
  const failed = await getSampleValue('consumer_failures_total', {}, registry);
  process.stdout.write('module: ${moduleName}\\ntesting: ' + failed + '\\n' + (await registry.metrics()));
}
void main();
`;
}

/** What the consumer's scrape must show after its calls. */
function expectConsumerScrape(stdout: string, moduleName: string): void {
  expect(stdout).to.include(`module: ${moduleName}\ntesting: 1\n`);
  expect(stdout).to.match(/^consumer_seconds_count\{route="\/work"\} 2$/m);
  expect(stdout).to.match(/^consumer_failures_total 1$/m);
  expect(stdout).to.match(/^consumer_in_flight 0$/m);
  expect(stdout).to.match(/^consumer_request_seconds_count 1$/m);
}

describe('the packed tarball (npm pack from a fresh checkout)', function () {
  this.timeout(180_000);
  let checkout: string | undefined;
  let consumer: string | undefined;
  let tarball: string;
  let entries: string[];

  before(async () => {
    checkout = freshCheckout('pack');
    consumer = tempDir('consumer');
    await runOk('npm', ['pack', '--pack-destination', consumer], { cwd: checkout, timeoutMs: 120_000 });
    const packed = readdirSync(consumer).filter((name) => name.endsWith('.tgz'));
    expect(packed, 'tarballs written by npm pack').to.have.length(1);
    tarball = join(consumer, packed[0] as string);
    entries = await tarballEntries(tarball, consumer);

    writeFileSync(
      join(consumer, 'package.json'),
      JSON.stringify({ name: 'prometric-consumer', private: true, type: 'module' }, null, 2),
    );
    // reflect-metadata, the one runtime dependency, comes from npm's cache when it is there (CI's
    // `npm ci` just put it there), from the registry otherwise.
    await runOk('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], {
      cwd: consumer,
      timeoutMs: 120_000,
    });
  });
  after(() => {
    removeDir(checkout);
    removeDir(consumer);
  });

  describe('contents', () => {
    it('holds the built package: dist/index.js and dist/testing/index.js bundled with their chunks, the declarations, LICENSE, README.md, package.json', () => {
      expect(entries).to.include.members(['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts']);
      expect(entries).to.include.members(['dist/testing/index.js', 'dist/testing/index.d.ts']);
      // Two bundled entries (fewer files for Node's loader at import): the package and its testing
      // helpers (prometric/testing), and the chunks they share or load on first use.
      const scripts = entries.filter((file) => file.startsWith('dist/') && file.endsWith('.js'));
      const bundled = ['dist/index.js', 'dist/testing/index.js'];
      expect(scripts.filter((file) => !bundled.includes(file) && !file.startsWith('dist/chunks/'))).to.deep.equal([]);
      const installed = join(consumer as string, 'node_modules', 'prometric');
      for (const script of scripts) {
        const code = readFileSync(join(installed, script), 'utf8');
        const imports = code.matchAll(/\bfrom\s*"(\.{1,2}\/[^"]+)"|\bimport\(\s*"(\.{1,2}\/[^"]+)"\s*\)/g);
        for (const match of imports) {
          const relative = (match[1] ?? match[2]) as string;
          expect(entries, `${script} imports ${relative}`).to.include(join(script, '..', relative));
        }
      }
      const declarations = entries.filter((file) => file.startsWith('dist/') && file.endsWith('.d.ts'));
      expect(declarations.length, 'dist/**/*.d.ts').to.be.greaterThan(10);
      const license = readFileSync(join(checkout as string, 'LICENSE'), 'utf8');
      expect(license).to.include('Apache License').and.include('Version 2.0, January 2004');
    });

    it('ships no TypeScript sources, specs, samples or benchmarks', () => {
      const sources = entries.filter((file) => /\.[cm]?ts$/.test(file) && !/\.d\.[cm]?ts$/.test(file));
      expect(sources, 'TypeScript sources').to.deep.equal([]);
      const elsewhere = entries.filter((file) => /^(lib|spec|samples|bench|build|build-samples|\.ci)\//.test(file));
      expect(elsewhere, 'files outside dist/').to.deep.equal([]);
    });

    it('ships source maps only with their sources (sourcesContent), and names no map it leaves out', () => {
      expect(entries, 'the package entry point').to.include('dist/index.js');
      const installed = join(consumer as string, 'node_modules', 'prometric');
      for (const script of entries.filter((file) => file.endsWith('.js'))) {
        const mapName = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(join(installed, script), 'utf8'))?.[1];
        if (mapName !== undefined) expect(entries, `the map ${script} names`).to.include(join(script, '..', mapName));
      }
      for (const mapFile of entries.filter((file) => file.endsWith('.map'))) {
        const map = JSON.parse(readFileSync(join(installed, mapFile), 'utf8')) as {
          sources: string[];
          sourcesContent?: (string | null)[];
        };
        expect(map.sourcesContent, `${mapFile}: sourcesContent`).to.be.an('array').with.length(map.sources.length);
        for (const content of map.sourcesContent ?? []) expect(content, mapFile).to.be.a('string').and.not.equal('');
      }
    });

    // PENDING the coordinator's public-API work (issue 11): lib/ still marks internals `@internal`
    // in exported declarations; this fails until they are kept out of the public .d.ts files.
    it('[pending public-API work] the .d.ts files declare nothing marked @internal', () => {
      const installed = join(consumer as string, 'node_modules', 'prometric');
      const marked = entries
        .filter((file) => file.endsWith('.d.ts'))
        .filter((file) => readFileSync(join(installed, file), 'utf8').includes('@internal'));
      expect(marked, '.d.ts files mentioning @internal').to.deep.equal([]);
    });
  });

  describe('at run time', () => {
    it('is one module for ESM import and CommonJS require() (one defaultRegistry)', async () => {
      const dir = consumer as string;
      writeFileSync(
        join(dir, 'both.cjs'),
        `const cjs = require('prometric');
import('prometric').then((esm) => {
  new esm.Counter('both_ways', 'counted through the ESM import').inc(3);
  return cjs.defaultRegistry.metrics().then((text) => {
    console.log(JSON.stringify({ same: cjs.defaultRegistry === esm.defaultRegistry, seen: /^both_ways_total 3$/m.test(text) }));
  });
});
`,
      );
      writeFileSync(
        join(dir, 'esm.js'),
        `import { Counter, defaultRegistry } from 'prometric';
new Counter('esm_only', 'from ESM').inc();
console.log(/^esm_only_total 1$/m.test(await defaultRegistry.metrics()));
`,
      );
      expect(JSON.parse((await runOk(process.execPath, ['both.cjs'], { cwd: dir })).stdout)).to.deep.equal({
        same: true,
        seen: true,
      });
      expect((await runOk(process.execPath, ['esm.js'], { cwd: dir })).stdout.trim()).to.equal('true');
    });

    it('exports ./package.json', async () => {
      const dir = consumer as string;
      writeFileSync(
        join(dir, 'manifest.cjs'),
        `console.log(require('prometric/package.json').name);
import('prometric/package.json', { with: { type: 'json' } }).then((m) => console.log(m.default.name));
`,
      );
      const { stdout } = await runOk(process.execPath, ['manifest.cjs'], { cwd: dir });
      expect(stdout.trim().split('\n')).to.deep.equal(['prometric', 'prometric']);
    });
  });

  // TypeScript consumers: strict, skipLibCheck off (the shipped .d.ts are type-checked), module and
  // moduleResolution NodeNext; an ESM file (.ts in a "type": "module" project) and a CommonJS one (.cts).
  for (const mode of ['legacy', 'standard'] as const) {
    const flags = mode === 'legacy' ? { experimentalDecorators: true, emitDecoratorMetadata: true } : {};
    describe(`a TypeScript consumer with ${mode} decorators (skipLibCheck: false)`, () => {
      before(async () => {
        const dir = consumer as string;
        writeFileSync(join(dir, `esm-${mode}.ts`), consumerSource('esm'));
        writeFileSync(join(dir, `cjs-${mode}.cts`), consumerSource('cjs'));
        const tsconfig = {
          compilerOptions: {
            target: 'ES2022',
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            strict: true,
            skipLibCheck: false,
            // @types/node as the consumer would install it; the repo's copy stands in.
            typeRoots: [join(REPO, 'node_modules', '@types')],
            types: ['node'],
            outDir: `out-${mode}`,
            ...flags,
          },
          files: [`esm-${mode}.ts`, `cjs-${mode}.cts`],
        };
        writeFileSync(join(dir, `tsconfig.${mode}.json`), JSON.stringify(tsconfig, null, 2));
        await runOk(process.execPath, [TSC, '-p', `tsconfig.${mode}.json`], { cwd: dir });
      });

      it('compiles, and its ESM build runs: every decorator records', async () => {
        const { stdout } = await runOk(process.execPath, [`out-${mode}/esm-${mode}.js`], { cwd: consumer as string });
        expectConsumerScrape(stdout, 'esm');
      });

      it('compiles to CommonJS (require() of the ESM package), and runs: every decorator records', async () => {
        const output = readFileSync(join(consumer as string, `out-${mode}`, `cjs-${mode}.cjs`), 'utf8');
        expect(output).to.include('require("prometric")');
        const { stdout } = await runOk(process.execPath, [`out-${mode}/cjs-${mode}.cjs`], { cwd: consumer as string });
        expectConsumerScrape(stdout, 'cjs');
      });
    });
  }
});
