/**
 * Turns both constructor forms into one config: Python-style positional
 * `(name, help, labelNames?, options?)` and a single options object.
 */
import type { Registry } from '../registry.js';
import { assertHelp, assertLabelNames, assertMetricName, assertUnit, show } from '../validation.js';

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
}

/** The options object of the positional form: everything but name, help and labelNames. */
export type ExtraOptions<C> = Omit<C, 'name' | 'help' | 'labelNames'>;

export interface NormalizedConfig<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  readonly unit: string;
  readonly registry: Registry | null | undefined;
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
  let options: C;
  if (typeof args[0] === 'object' && args[0] !== null) {
    options = args[0] as C;
  } else {
    const extra = args[3];
    if (extra !== undefined && (typeof extra !== 'object' || extra === null)) {
      throw new TypeError(`${kind} ${show(args[0])}: the fourth argument must be an options object, got ${show(extra)}`);
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
    if (fullName === '') throw new TypeError(`Invalid metric name ${show(name)}: nothing is left without the ${show(sampleSuffix)} suffix`);
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
  return {
    common: { name: fullName, help: options.help, labelNames: [...labelNames], unit, registry },
    options,
  };
}
