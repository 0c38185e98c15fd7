/**
 * The default metrics' lifecycle: one set per registry, started by `collectDefaultMetrics`,
 * replaced when asked for with other options, released by `disableDefaultMetrics` (or, lazily,
 * once the registry has been cleared).
 *
 * Everything but the GC histogram is read at scrape time by one collector, so a scrape costs
 * a few syscalls and nothing runs between scrapes except the delay monitor's unref'd timer and
 * the GC observer.
 *
 * Starting them (at import, for the default registry) starts only what must watch from then on:
 * the GC observer, the delay monitor and the utilization baseline. The parts that only read at
 * scrape time (process, handles, heap, version) are made by the first scrape, which also reads
 * what procfs says once (start time, descriptor limit).
 */
import { defaultRegistry, type CollectedFamily, type Registry } from '../registry.js';
import { ActiveResources } from './active-resources.js';
import { EventLoopLag } from './event-loop-lag.js';
import { EventLoopUtilization } from './event-loop-utilization.js';
import { Families, type Part } from './families.js';
import { GcDurations } from './gc.js';
import { HeapMetrics } from './heap.js';
import { resolveOptions, sameOptions, type DefaultMetricsOptions, type ResolvedOptions } from './options.js';
import { ProcessMetrics } from './process.js';
import { VersionInfo } from './version.js';

/** The running default metrics of each registry. */
const running = new WeakMap<Registry, DefaultMetrics>();

class DefaultMetrics {
  private readonly families: Families;
  private readonly gc: GcDurations;
  /** The parts that watch from the start: the event loop delay and utilization. */
  private readonly watching: Part[] = [];
  /** Every part, in exposition order: made by the first scrape. */
  private parts: Part[] | undefined;
  private readonly collector = (): CollectedFamily[] | Promise<CollectedFamily[]> => this.collect();
  private stopped = false;

  constructor(readonly options: ResolvedOptions) {
    const { registry } = options;
    const families = new Families(options.prefix, options.labels);
    this.families = families;
    this.gc = new GcDurations(families, options.gcDurationBuckets);
    // Registered first: a name taken by another metric throws before anything is started.
    registry.register(this.gc.histogram);
    try {
      this.watching.push(
        new EventLoopLag(families, options.eventLoopMonitoringPrecision),
        new EventLoopUtilization(families),
      );
      this.gc.start(() => {
        if (!this.attached()) release(this);
      });
      registry.registerCollector(this.collector, 'default metrics');
    } catch (error) {
      this.stop();
      throw error;
    }
  }

  /** False once the registry was cleared (or the GC histogram unregistered). */
  attached(): boolean {
    return this.options.registry.getMetric(this.gc.histogram.name) === this.gc.histogram;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.gc.stop();
    for (const part of this.watching) part.stop?.();
    this.options.registry.unregister(this.gc.histogram);
    this.options.registry.unregisterCollector(this.collector);
  }

  private collect(): CollectedFamily[] | Promise<CollectedFamily[]> {
    const f = this.families;
    this.parts ??= [
      new ProcessMetrics(f),
      ...this.watching,
      new ActiveResources(f),
      new HeapMetrics(f),
      new VersionInfo(f),
    ];
    const out: CollectedFamily[] = [];
    let pending: Array<Promise<void>> | undefined;
    for (const part of this.parts) {
      const wait = part.collect(out);
      if (wait) (pending ??= []).push(wait);
    }
    return pending ? Promise.all(pending).then(() => this.withoutTakenNames(out)) : this.withoutTakenNames(out);
  }

  /**
   * Drops the families whose names a metric of the registry already uses: a user's own
   * `process_open_fds` wins over ours instead of failing every scrape.
   */
  private withoutTakenNames(families: CollectedFamily[]): CollectedFamily[] {
    const registry = this.options.registry;
    const free = (f: CollectedFamily) =>
      registry.getMetric(f.name) === undefined &&
      (f.type !== 'counter' || registry.getMetric(`${f.name}_total`) === undefined);
    return families.every(free) ? families : families.filter(free);
  }
}

function release(metrics: DefaultMetrics): void {
  if (running.get(metrics.options.registry) === metrics) running.delete(metrics.options.registry);
  metrics.stop();
}

/**
 * Exposes the process and Node.js runtime metrics in a registry, with prom-client's names (so
 * dashboards made for prom-client keep working): `process_cpu_seconds_total`,
 * `process_resident_memory_bytes`, `process_open_fds`, `nodejs_eventloop_lag_seconds`,
 * `nodejs_gc_duration_seconds`, `nodejs_heap_size_used_bytes`, `nodejs_version_info` and more.
 *
 * The default registry has them from import on; call this to expose them elsewhere or with
 * other options. Calling it again for a registry with the same options changes nothing; with
 * other options, it replaces that registry's set. After `registry.clear()`, call it again to get
 * them back. A metric of your own with one of these names takes precedence over ours.
 *
 * The event loop delay monitor and the GC observer it starts never keep the process alive.
 *
 * ```ts
 * collectDefaultMetrics({ registry, prefix: 'myapp_', labels: { service: 'api' } });
 * ```
 * @throws TypeError or RangeError naming the option, for an invalid option.
 */
export function collectDefaultMetrics(options?: DefaultMetricsOptions): void {
  const resolved = resolveOptions(options);
  const current = running.get(resolved.registry);
  if (current !== undefined) {
    if (current.attached() && sameOptions(current.options, resolved)) return;
    release(current);
  }
  running.set(resolved.registry, new DefaultMetrics(resolved));
}

/**
 * Removes the default metrics from a registry (default: `defaultRegistry`) and stops their event
 * loop monitor and GC observer. Returns whether they were running. Call it before dropping a
 * registry of your own that has them: until then, their GC observer keeps the registry alive.
 */
export function disableDefaultMetrics(registry: Registry = defaultRegistry): boolean {
  const current = running.get(registry);
  if (current === undefined) return false;
  release(current);
  return true;
}
