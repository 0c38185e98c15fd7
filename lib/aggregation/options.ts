/** The options of aggregateClusterMetrics() and aggregateThreadMetrics(), and what workers are told of them. */
import { checkOptions } from '../options.js';
import { defaultRegistry, Registry } from '../registry.js';
import { show } from '../validation.js';

/** Options of {@link aggregateClusterMetrics} and {@link aggregateThreadMetrics}. */
export interface AggregationOptions {
  /** The registry that exposes the aggregate (the workers report their default registry). Default: `defaultRegistry`. */
  readonly registry?: Registry;
  /**
   * How often, in milliseconds, a worker compares its registry with what it last reported and
   * sends what changed. Default 1000. What decorated calls record is sent when each call settles.
   */
  readonly intervalMs?: number;
  /**
   * Whether a worker also sends the series written during each synchronous run as soon as the
   * run ends (one message per run that wrote anything), so that what it counted before answering
   * a request reaches the aggregating process even if it is killed the next moment. Default
   * true; false sends changes only every `intervalMs` (fewer messages; a worker killed with
   * SIGKILL loses up to `intervalMs` of counts).
   */
  readonly eager?: boolean;
}

/** What a worker needs to know to report: passed through the environment. */
export interface WorkerSettings {
  readonly intervalMs: number;
  readonly eager: boolean;
}

export interface ValidAggregationOptions extends WorkerSettings {
  readonly registry: Registry;
}

const KEYS: ReadonlyArray<keyof AggregationOptions> = ['registry', 'intervalMs', 'eager'];

export function validAggregationOptions(where: string, options: unknown): ValidAggregationOptions {
  checkOptions(where, options, KEYS);
  const { registry = defaultRegistry, intervalMs = 1000, eager = true } = options as AggregationOptions;
  if (!(registry instanceof Registry)) {
    throw new TypeError(`${where}: options.registry must be a Registry, got ${show(registry)}`);
  }
  if (registry.mergedFrom !== undefined) {
    // A view holds no metrics of its own to aggregate; each registry it shows keeps its own.
    throw new TypeError(
      `${where}: options.registry is a merged view (Registry.merge): aggregate into one of its registries, ` +
        'and the view shows the aggregate',
    );
  }
  if (typeof intervalMs !== 'number' || !Number.isInteger(intervalMs) || intervalMs < 10 || intervalMs > 3_600_000) {
    throw new RangeError(`${where}: options.intervalMs must be an integer from 10 to 3600000, got ${show(intervalMs)}`);
  }
  if (typeof eager !== 'boolean') throw new TypeError(`${where}: options.eager must be a boolean, got ${show(eager)}`);
  return { registry, intervalMs, eager };
}

/** Reads the settings a worker was given, or undefined when they are missing or malformed. */
export function parseWorkerSettings(value: unknown): WorkerSettings | undefined {
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  const { intervalMs, eager } = (parsed ?? {}) as { intervalMs?: unknown; eager?: unknown };
  return typeof intervalMs === 'number' && intervalMs >= 10 ? { intervalMs, eager: eager !== false } : undefined;
}
