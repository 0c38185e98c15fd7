/** The options of `collectDefaultMetrics`, and their validation. */
import { labelValueToString, type LabelValue } from '../labels.js';
import { validateBuckets } from '../metrics/buckets.js';
import { checkOptions } from '../options.js';
import { Registry, defaultRegistry } from '../registry.js';
import { assertLabelName, show } from '../validation.js';

/** Options of {@link collectDefaultMetrics}. */
export interface DefaultMetricsOptions {
  /** The registry to expose them in. Default: `defaultRegistry`. */
  readonly registry?: Registry;
  /** Prepended to every metric name, e.g. `'myapp_'`. Default: none. */
  readonly prefix?: string;
  /** Constant labels added to every series of the default metrics. Default: none. */
  readonly labels?: Readonly<Record<string, LabelValue>>;
  /** Buckets of `nodejs_gc_duration_seconds`, in seconds. Default: `[0.001, 0.01, 0.1, 1, 2, 5]`. */
  readonly gcDurationBuckets?: readonly number[];
  /** Sampling interval of the event loop delay monitor, in milliseconds (an integer >= 1). Default: 10. */
  readonly eventLoopMonitoringPrecision?: number;
}

/** The options with defaults filled in and label values as strings. */
export interface ResolvedOptions {
  readonly registry: Registry;
  readonly prefix: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly gcDurationBuckets: readonly number[];
  readonly eventLoopMonitoringPrecision: number;
}

/** prom-client's defaults: GC pauses are mostly well under 10 ms, the long ones matter. */
const GC_DURATION_BUCKETS: readonly number[] = Object.freeze([0.001, 0.01, 0.1, 1, 2, 5]);

/** Label names the default metrics use themselves. */
const OWN_LABELS = ['kind', 'space', 'type', 'version', 'major', 'minor', 'patch', 'le', 'quantile'];

const METRIC_NAME_START = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

const KNOWN: ReadonlyArray<keyof DefaultMetricsOptions> = [
  'registry',
  'prefix',
  'labels',
  'gcDurationBuckets',
  'eventLoopMonitoringPrecision',
];

const FN = 'collectDefaultMetrics';

/** Validates the options; every error names the option and the value given. */
export function resolveOptions(options: DefaultMetricsOptions | null | undefined): ResolvedOptions {
  if (options === null || options === undefined) options = {};
  checkOptions(FN, options, KNOWN);
  const {
    registry = defaultRegistry,
    prefix = '',
    labels = {},
    gcDurationBuckets = GC_DURATION_BUCKETS,
    eventLoopMonitoringPrecision = 10,
  } = options;

  if (!(registry instanceof Registry))
    throw new TypeError(`${FN}: option registry must be a Registry, got ${show(registry)}`);
  if (typeof prefix !== 'string' || (prefix !== '' && !METRIC_NAME_START.test(prefix))) {
    throw new TypeError(
      `${FN}: option prefix must be a string that can start a metric name (${METRIC_NAME_START.source}), got ${show(prefix)}`,
    );
  }
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) {
    throw new TypeError(`${FN}: option labels must be an object of label values by name, got ${show(labels)}`);
  }
  const resolvedLabels: Record<string, string> = {};
  for (const [name, value] of Object.entries(labels)) {
    assertLabelName(`${FN} (option labels)`, name);
    if (OWN_LABELS.includes(name))
      throw new TypeError(`${FN}: option labels: label name ${show(name)} is used by the default metrics themselves`);
    resolvedLabels[name] = labelValueToString(`${FN} (option labels)`, name, value);
  }
  let buckets: number[];
  try {
    buckets = validateBuckets('nodejs_gc_duration_seconds', gcDurationBuckets);
  } catch (error) {
    throw new (error instanceof RangeError ? RangeError : TypeError)(
      `${FN}: option gcDurationBuckets ${show(gcDurationBuckets)} is invalid: ${(error as Error).message}`,
    );
  }
  if (buckets.length === 0)
    throw new RangeError(
      `${FN}: option gcDurationBuckets needs at least one finite bound, got ${show(gcDurationBuckets)}`,
    );
  if (
    typeof eventLoopMonitoringPrecision !== 'number' ||
    !Number.isInteger(eventLoopMonitoringPrecision) ||
    eventLoopMonitoringPrecision < 1
  ) {
    throw new RangeError(
      `${FN}: option eventLoopMonitoringPrecision must be an integer number of milliseconds >= 1, got ${show(eventLoopMonitoringPrecision)}`,
    );
  }
  return {
    registry,
    prefix,
    labels: Object.freeze(resolvedLabels),
    gcDurationBuckets: Object.freeze(buckets),
    eventLoopMonitoringPrecision,
  };
}

/** Whether two calls asked for the same metrics (then the second one changes nothing). */
export function sameOptions(a: ResolvedOptions, b: ResolvedOptions): boolean {
  return (
    a.registry === b.registry &&
    a.prefix === b.prefix &&
    a.eventLoopMonitoringPrecision === b.eventLoopMonitoringPrecision &&
    JSON.stringify(a.labels) === JSON.stringify(b.labels) &&
    JSON.stringify(a.gcDurationBuckets) === JSON.stringify(b.gcDurationBuckets)
  );
}
