/** Helpers for the default-metrics specs: reading a scrape, child processes, and watching what gets started. */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks';
import sinon from 'sinon';
import type { MetricFamily, Registry } from '../../lib/index.js';
import { labelText } from '../support/labels.js';

/** The compiled library next to the compiled specs (build/spec/collectors -> build/lib). */
export const BUILD_INDEX = fileURLToPath(new URL('../../lib/index.js', import.meta.url));
/** The package build (`npm run build`), as users import it. */
export const DIST_INDEX = fileURLToPath(new URL('../../../dist/index.js', import.meta.url));

export const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A scrape, as families by their exposed name (`_total` for counters), for lookups by sample. */
export class Scrape {
  readonly families = new Map<string, MetricFamily>();

  constructor(list: readonly MetricFamily[]) {
    for (const family of list)
      this.families.set(family.type === 'counter' ? `${family.name}_total` : family.name, family);
  }

  static async of(registry: Registry): Promise<Scrape> {
    return new Scrape(await registry.collect());
  }

  family(name: string): MetricFamily {
    const family = this.families.get(name);
    if (family === undefined)
      throw new Error(`no family ${name} in the scrape: ${[...this.families.keys()].join(', ')}`);
    return family;
  }

  /** The value of one sample, given its name and exact label text (`kind="major"`). */
  value(name: string, labels = ''): number {
    for (const family of this.families.values()) {
      for (const sample of family.samples)
        if (sample.name === name && labelText(sample.labels) === labels) return sample.value;
    }
    throw new Error(`no sample ${name}{${labels}} in the scrape`);
  }
}

/** Runs `node <args>` and resolves with its exit code, output and wall time. */
export function runNode(
  args: readonly string[],
  timeoutMs = 10_000,
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - start });
    });
  });
}

/** The number of open descriptors as /proc/self/fd lists them (less the one listing it). */
export function countFds(): number {
  return readdirSync('/proc/self/fd').length - 1;
}

/** A number from `getconf`, e.g. PAGESIZE or CLK_TCK. */
export async function getconf(name: string): Promise<number> {
  const { spawnSync } = await import('node:child_process');
  return Number(spawnSync('getconf', [name], { encoding: 'utf8' }).stdout.trim());
}

export function readProc(path: string): string {
  return readFileSync(path, 'latin1');
}

/**
 * A monitor to reach the monitors' prototype through: enabled once (which unrefs its timer) and
 * kept forever. A monitor never enabled keeps a ref'd timer handle, and once collected it crashes
 * `process._getActiveHandles()` (Node checks `!obj.IsEmpty()` there, unlike in
 * `getActiveResourcesInfo()`), which the default metrics call at every scrape.
 */
const PROTOTYPE_SOURCE = monitorEventLoopDelay({ resolution: 1000 });
PROTOTYPE_SOURCE.enable();
PROTOTYPE_SOURCE.disable();

/**
 * Spies on every GC observer and event loop delay monitor started, by instance, so that a spec
 * can tell which ones are still running. Call restore() when done.
 */
export function watchObservers() {
  const monitorPrototype = Object.getPrototypeOf(PROTOTYPE_SOURCE) as { enable(): boolean; disable(): boolean };
  const spies = {
    observe: sinon.spy(PerformanceObserver.prototype, 'observe'),
    disconnect: sinon.spy(PerformanceObserver.prototype, 'disconnect'),
    enable: sinon.spy(monitorPrototype, 'enable'),
    disable: sinon.spy(monitorPrototype, 'disable'),
  };
  const instances = (spy: sinon.SinonSpy) => new Set(spy.thisValues as object[]);
  const running = (start: sinon.SinonSpy, stop: sinon.SinonSpy) => {
    const stopped = instances(stop);
    return [...instances(start)].filter((i) => !stopped.has(i)).length;
  };
  return {
    /** How many observers and monitors were started since watching began. */
    started: () => ({ observers: instances(spies.observe).size, monitors: instances(spies.enable).size }),
    /** How many of those are still running. */
    running: () => ({
      observers: running(spies.observe, spies.disconnect),
      monitors: running(spies.enable, spies.disable),
    }),
    restore: () => Object.values(spies).forEach((s) => s.restore()),
  };
}

/** Allocates until a garbage collection has happened (and its observers have been told), or gives up. */
export async function untilGarbageCollected(done: () => boolean, timeoutMs = 5000): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  let keep: unknown[] = [];
  while (!done()) {
    if (performance.now() > end) return false;
    for (let i = 0; i < 50_000; i++) keep.push({ i, s: `x${i}` });
    keep = [];
    await tick(5);
  }
  return true;
}
