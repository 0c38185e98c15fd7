/**
 * Turns both constructor forms into one config: Python-style positional
 * `(name, help, labelNames?, options?)` and a single options object.
 */
import { METRIC_HINTS, checkOptions } from '../options.js';
import type { Registry } from '../registry.js';
import type { NativeHistogramOptions } from './native-buckets.js';
import { assertHelp, assertLabelNames, assertMaxSeries, assertMetricName, assertUnit, show } from '../validation.js';

/** Options every metric type takes. */
export interface MetricConfig<L extends string> {
  /** The metric name; `namespace` and `subsystem`, when given, are prefixed with `_`. */
  readonly name: string;
  /** The HELP text. */
  readonly help: string;
  /** Label names, in the order positional `labels(...)` takes their values. */
  readonly labelNames?: readonly L[];
  /** Where to register: `defaultRegistry` when omitted, nowhere when `null`. */
  readonly registry?: Registry | null;
  /** OpenMetrics unit (e.g. `seconds`); appended to the name as `_unit` unless it ends with it. */
  readonly unit?: string;
  /** Prefixed to the name with `_`, outermost (as Python's `namespace`). */
  readonly namespace?: string;
  /** Prefixed to the name with `_`, between namespace and name (as Python's `subsystem`). */
  readonly subsystem?: string;
  /**
   * The most series (label sets) the metric keeps, a positive integer; past it a new label set
   * goes to one overflow series whose label values are all `__overflow__`. Default: the
   * registry's `maxSeriesPerMetric`, else no limit. Only for a metric with labels.
   */
  readonly maxSeries?: number;
}

/** Options of a Counter. */
export type CounterConfig<L extends string> = MetricConfig<L>;

/**
 * How a gauge's series combine across workers when a primary aggregates them
 * (`aggregateClusterMetrics`, `aggregateThreadMetrics`): their sum, minimum, maximum, the most
 * recently set value, or `all` (one series per worker, labeled `worker`). An exited worker's last
 * value still counts; the `live` variants leave exited workers out.
 */
export type GaugeAggregation =
  | 'sum'
  | 'min'
  | 'max'
  | 'last'
  | 'all'
  | 'livesum'
  | 'livemin'
  | 'livemax'
  | 'livelast'
  | 'liveall';

/** Every {@link GaugeAggregation}. */
export const GAUGE_AGGREGATIONS: readonly GaugeAggregation[] = Object.freeze([
  'sum',
  'min',
  'max',
  'last',
  'all',
  'livesum',
  'livemin',
  'livemax',
  'livelast',
  'liveall',
]);

/** Options of a Gauge. */
export interface GaugeConfig<L extends string> extends MetricConfig<L> {
  /** How the gauge combines across workers under multi-worker aggregation. Default `'sum'`. */
  readonly aggregate?: GaugeAggregation;
}

/** Options of an Info metric. */
export type InfoConfig<L extends string> = MetricConfig<L>;

/** Options of a Histogram. */
export interface HistogramConfig<L extends string> extends MetricConfig<L> {
  /**
   * Upper bounds, strictly increasing; `+Inf` is added. Default: `DEFAULT_BUCKETS`, or none when
   * `native` is given (a native-only histogram).
   */
  readonly buckets?: readonly number[];
  /**
   * Also keep a native (sparse, exponential) histogram per series: `true` for the defaults, or
   * client_golang's options. Without `buckets` the histogram is native-only: the text formats show
   * its `_count` and `_sum` only, the protobuf format its native buckets.
   */
  readonly native?: true | NativeHistogramOptions;
}

/** Options of a Summary. */
export interface SummaryConfig<L extends string> extends MetricConfig<L> {
  /** Quantiles to expose, each in [0, 1] (e.g. `[0.5, 0.9, 0.99]`). None by default. */
  readonly percentiles?: readonly number[];
  /** How far back the quantiles look. Default 600 s. */
  readonly maxAgeSeconds?: number;
  /** How many slices the window rotates through. Default 5. */
  readonly ageBuckets?: number;
  /** Relative error of quantile estimates, in (0, 0.5). Default 0.01 (1%). */
  readonly quantileError?: number;
}

/** Options of an Enum. */
export interface EnumConfig<L extends string, S extends string> extends MetricConfig<L> {
  /** The possible states; the first is the initial one. */
  readonly states: readonly S[];
}

/** The options object of the positional form: everything but name, help and labelNames. */
export type ExtraOptions<C> = Omit<C, 'name' | 'help' | 'labelNames'>;

export interface NormalizedConfig<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  readonly unit: string;
  readonly registry: Registry | null | undefined;
  readonly maxSeries: number | undefined;
}

/** Every key of an options type: the compiler refuses a set that misses one or adds one. */
type KeySet<C> = Readonly<Record<keyof C & string, true>>;

const COMMON_KEYS: KeySet<MetricConfig<string>> = {
  name: true,
  help: true,
  labelNames: true,
  registry: true,
  unit: true,
  namespace: true,
  subsystem: true,
  maxSeries: true,
};

/** The options each metric type reads, by the `kind` its constructor passes to normalizeConfig. */
const OPTION_KEYS: Readonly<Record<string, readonly string[]>> = {
  Counter: Object.keys(COMMON_KEYS satisfies KeySet<CounterConfig<string>>),
  Gauge: Object.keys({ ...COMMON_KEYS, aggregate: true } satisfies KeySet<GaugeConfig<string>>),
  Info: Object.keys(COMMON_KEYS satisfies KeySet<InfoConfig<string>>),
  Histogram: Object.keys({ ...COMMON_KEYS, buckets: true, native: true } satisfies KeySet<HistogramConfig<string>>),
  Summary: Object.keys({
    ...COMMON_KEYS,
    percentiles: true,
    maxAgeSeconds: true,
    ageBuckets: true,
    quantileError: true,
  } satisfies KeySet<SummaryConfig<string>>),
  Enum: Object.keys({ ...COMMON_KEYS, states: true } satisfies KeySet<EnumConfig<string, string>>),
};

/** In the positional form these are arguments, not options. */
const POSITIONAL_ARGUMENTS: Readonly<Record<string, string>> = {
  name: 'in the positional form the name is the first argument',
  help: 'in the positional form the help text is the second argument',
  labelNames: 'in the positional form the label names are the third argument',
};
const POSITIONAL_HINTS: Readonly<Record<string, string>> = { ...METRIC_HINTS, ...POSITIONAL_ARGUMENTS };

interface OptionRules {
  readonly known: readonly string[];
  /** The fourth argument of the positional form: the options but name, help and labelNames. */
  readonly knownPositional: readonly string[];
  /** Other types' own options, to the types that take them (`buckets` -> `Histogram`). */
  readonly elsewhere: Readonly<Record<string, string>>;
}

const RULES: ReadonlyMap<string, OptionRules> = new Map(
  Object.entries(OPTION_KEYS).map(([kind, known]) => {
    const elsewhere: Record<string, string> = {};
    for (const [other, keys] of Object.entries(OPTION_KEYS)) {
      for (const key of keys) {
        if (other === kind || known.includes(key)) continue;
        elsewhere[key] = elsewhere[key] === undefined ? other : `${elsewhere[key]} and ${other}`;
      }
    }
    const knownPositional = known.filter((key) => !Object.hasOwn(POSITIONAL_ARGUMENTS, key));
    return [kind, { known, knownPositional, elsewhere }];
  }),
);

function rulesFor(kind: string): OptionRules {
  const rules = RULES.get(kind);
  if (rules === undefined) {
    throw new Error(`normalizeConfig: no option list for metric type ${show(kind)} (add it to OPTION_KEYS)`);
  }
  return rules;
}

/** How an error names the metric before its name is validated. */
function metricLabel(kind: string, name: unknown): string {
  return `${kind} ${typeof name === 'string' && name !== '' ? name : show(name)}`;
}

/**
 * Reads the constructor arguments in either form and validates the common parts.
 * `sampleSuffix` (a counter's `_total`, an info's `_info`) belongs to the sample, not the family:
 * given in the name, it is stripped before the unit is appended, as Python's client does, so
 * `foo_total` with unit `seconds` is the family `foo_seconds`, not `foo_total_seconds`.
 */
export function normalizeConfig<L extends string, C extends MetricConfig<L>>(
  kind: string,
  args: readonly unknown[],
  reservedLabels: readonly string[] = [],
  sampleSuffix?: string,
): { common: NormalizedConfig<L>; options: C } {
  const rules = rulesFor(kind);
  let options: C;
  if (typeof args[0] === 'object' && args[0] !== null) {
    const given = args[0];
    checkOptions(metricLabel(kind, (given as { name?: unknown }).name), given, rules.known, {
      elsewhere: rules.elsewhere,
      hints: METRIC_HINTS,
    });
    options = given as C;
  } else {
    const extra = args[3];
    if (extra !== undefined && (typeof extra !== 'object' || extra === null)) {
      throw new TypeError(
        `${kind} ${show(args[0])}: the fourth argument must be an options object, got ${show(extra)}`,
      );
    }
    if (extra !== undefined) {
      checkOptions(`${metricLabel(kind, args[0])} (fourth argument)`, extra, rules.knownPositional, {
        elsewhere: rules.elsewhere,
        hints: POSITIONAL_HINTS,
      });
    }
    options = { ...(extra as object), name: args[0], help: args[1], labelNames: args[2] } as unknown as C;
  }
  const name = options.name;
  assertMetricName(name);
  let fullName = name;
  for (const prefix of [options.subsystem, options.namespace]) {
    if (prefix !== undefined && prefix !== '') {
      assertMetricName(prefix);
      fullName = `${prefix}_${fullName}`;
    }
  }
  if (sampleSuffix !== undefined && fullName.endsWith(sampleSuffix)) {
    fullName = fullName.slice(0, -sampleSuffix.length);
    if (fullName === '')
      throw new TypeError(
        `Invalid metric name ${show(name)}: nothing is left without the ${show(sampleSuffix)} suffix`,
      );
  }
  const unit = options.unit ?? '';
  if (unit !== '') {
    assertUnit(fullName, unit);
    if (!fullName.endsWith(`_${unit}`)) fullName = `${fullName}_${unit}`;
  }
  assertHelp(fullName, options.help);
  const labelNames = options.labelNames ?? [];
  assertLabelNames(fullName, labelNames, reservedLabels);
  const registry = options.registry;
  if (registry !== undefined && registry !== null && typeof (registry as Registry).registerMetric !== 'function') {
    throw new TypeError(`Metric ${fullName}: registry must be a Registry or null, got ${show(registry)}`);
  }
  const maxSeries = options.maxSeries;
  if (maxSeries !== undefined) assertMaxSeries(`${kind} ${fullName}`, 'maxSeries', maxSeries, labelNames.length);
  return {
    common: { name: fullName, help: options.help, labelNames: [...labelNames], unit, registry, maxSeries },
    options,
  };
}
