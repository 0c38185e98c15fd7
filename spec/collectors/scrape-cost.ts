/**
 * What a scrape of the default metrics costs: `registry.collect()` of a registry holding only
 * them, timed one by one after a warm-up. Run `node build/spec/collectors/scrape-cost.js` (after
 * `npm test` or `npm run build:test`) to print the figures; the spec beside it asserts the bound.
 */
import { pathToFileURL } from 'node:url';
import { Registry, collectDefaultMetrics, disableDefaultMetrics } from '../../lib/index.js';

export interface ScrapeCost {
  readonly iterations: number;
  /** Wall time per `collect()`, in milliseconds. */
  readonly medianMs: number;
  readonly meanMs: number;
  readonly p99Ms: number;
  /** CPU time (user + system) per `collect()`, in milliseconds. */
  readonly cpuMs: number;
  /** Wall time per `metrics()` (collect and render as text), median, in milliseconds. */
  readonly renderMedianMs: number;
}

export async function measureScrapeCost(iterations = 2000): Promise<ScrapeCost> {
  const registry = new Registry();
  collectDefaultMetrics({ registry });
  try {
    for (let i = 0; i < 200; i++) await registry.collect();
    const times: number[] = [];
    const cpuBefore = process.cpuUsage();
    for (let i = 0; i < iterations; i++) {
      const start = performance.now();
      await registry.collect();
      times.push(performance.now() - start);
    }
    const cpu = process.cpuUsage(cpuBefore);
    const render: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const start = performance.now();
      await registry.metrics();
      render.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    render.sort((a, b) => a - b);
    return {
      iterations,
      medianMs: times[iterations >> 1]!,
      meanMs: times.reduce((a, b) => a + b, 0) / iterations,
      p99Ms: times[Math.floor(iterations * 0.99)]!,
      cpuMs: (cpu.user + cpu.system) / 1000 / iterations,
      renderMedianMs: render[iterations >> 1]!,
    };
  } finally {
    disableDefaultMetrics(registry);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const cost = await measureScrapeCost(Number(process.argv[2] ?? 2000));
  console.log(JSON.stringify(cost, (_key, value: unknown) => (typeof value === 'number' && !Number.isInteger(value) ? Number(value.toFixed(4)) : value), 2));
}
