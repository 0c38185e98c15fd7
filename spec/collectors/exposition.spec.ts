import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { hasPromtool, hasPythonClient, requireTool } from '../support/tools.js';
import { PythonParsers, promtoolCheck } from '../support/exposition-tools.js';
import { BUILD_INDEX, DIST_INDEX, runNode } from './support.js';

/** The default registry of a fresh process that only imported the library. */
async function defaultOutput(format: 'text' | 'openmetrics'): Promise<string> {
  const script = `const { defaultRegistry } = await import(${JSON.stringify(BUILD_INDEX)});
    await new Promise((resolve) => setTimeout(resolve, 20));
    process.stdout.write(await defaultRegistry.metrics(${JSON.stringify(format)}));`;
  const run = await runNode(['--input-type=module', '-e', script]);
  expect(run.code, run.stderr).to.equal(0);
  return run.stdout;
}

describe('default metrics: the default registry', () => {
  it('has them from import on', async () => {
    const body = await defaultOutput('text');
    for (const name of [
      'process_cpu_seconds_total',
      'process_start_time_seconds',
      'nodejs_version_info',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_gc_duration_seconds_count',
      'nodejs_heap_space_size_used_bytes',
    ]) {
      expect(body).to.match(new RegExp(`^${name}[{ ]`, 'm'));
    }
  });

  it('passes `promtool check metrics`', async function () {
    requireTool(this, 'promtool', hasPromtool());
    const body = await defaultOutput('text');
    const check = promtoolCheck(body);
    expect(check.ok, check.output).to.equal(true);
  });

  it("parses with prometheus_client's text and OpenMetrics parsers", async function () {
    requireTool(this, 'python3 prometheus_client', hasPythonClient());
    const parsers = new PythonParsers();
    try {
      for (const format of ['text', 'openmetrics'] as const) {
        const result = await parsers.parse(format, await defaultOutput(format));
        if (!result.ok) throw new Error(`${format}: ${result.error}`);
        expect(
          result.families.map((f) => f.name),
          format,
        ).to.include.members(['process_cpu_seconds', 'nodejs_gc_duration_seconds', 'nodejs_active_handles_total']);
      }
    } finally {
      parsers.close();
    }
  });
});

describe('default metrics: a process that imports the library', () => {
  const builds = [
    ['the test build', BUILD_INDEX],
    ['the package build (dist)', DIST_INDEX],
  ] as const;
  for (const [what, path] of builds) {
    it(`exits by itself within a second (${what})`, async () => {
      expect(existsSync(path), `${path} is built by npm test`).to.equal(true);
      const run = await runNode(['-e', `import(${JSON.stringify(path)})`]);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.signal).to.equal(null);
      expect(run.ms).to.be.below(1000);
    });
  }

  it('exits by itself after scrapes and after enabling and disabling another registry', async () => {
    const script = `const m = await import(${JSON.stringify(BUILD_INDEX)});
      const registry = new m.Registry();
      m.collectDefaultMetrics({ registry, eventLoopMonitoringPrecision: 1 });
      await registry.metrics(); await m.defaultRegistry.metrics();
      m.collectDefaultMetrics({ registry, prefix: 'again_' });
      m.disableDefaultMetrics(registry);`;
    // Exiting at all is the point here (a leaked timer or observer would hold the child until the 10 s kill).
    const run = await runNode(['--input-type=module', '-e', script]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.signal).to.equal(null);
  });
});
