/**
 * Where a decorator gets label values from: nothing (a metric without labels), a static object,
 * or a function of the call's arguments (and, once it has settled, its outcome).
 */
import type { LabelValues } from '../labels.js';
import { show } from '../validation.js';
import type { DecorationSite, Outcome } from './method-decorator.js';
import { SERIES_VERSION, seriesOf, type InstrumentedMetric } from './series.js';

/** Label values for a decorated call: fixed, or computed from the arguments and the outcome. */
export type LabelSource<L extends string> =
  | LabelValues<L>
  // biome-ignore lint/suspicious/noExplicitAny: the decorated method's arguments, as its callers passed them: any, as in its own signature
  | ((args: any[], outcome?: Outcome) => LabelValues<L>);

/** Finds the child (series) a call updates. */
export type ChildResolver<C> = (args: readonly unknown[], outcome?: Outcome) => C;

/**
 * Checks at decoration time that the metric's labels will have values, and returns how to find
 * the child for each call. A static label set is looked up once and cached until series are
 * removed from the metric.
 */
export function childResolver<L extends string, C>(
  decoratorName: string,
  metric: InstrumentedMetric<L, C>,
  labels: LabelSource<L> | undefined,
  site: DecorationSite,
): ChildResolver<C> {
  const names = metric.labelNames;
  if (labels === undefined) {
    if (names.length > 0) {
      throw new Error(
        `${decoratorName} on ${site.description}: metric ${metric.name} has labels [${names.join(', ')}] but no values were given; ` +
          `pass { labels: { ... } } or { labels: (args, outcome) => ({ ... }) }`,
      );
    }
    const child = seriesOf(metric, {} as LabelValues<L>);
    return () => child;
  }
  if (typeof labels === 'function') {
    if (names.length === 0)
      throw new Error(
        `${decoratorName} on ${site.description}: metric ${metric.name} has no labels, but a label function was given`,
      );
    return (args, outcome) => seriesOf(metric, labels([...args], outcome));
  }
  if (typeof labels !== 'object' || labels === null) {
    throw new TypeError(
      `${decoratorName} on ${site.description}: labels must be an object or a function, got ${show(labels)}`,
    );
  }
  const fixed = { ...labels } as LabelValues<L>;
  let child: C;
  try {
    child = seriesOf(metric, fixed);
  } catch (error) {
    throw new TypeError(`${decoratorName} on ${site.description}: ${(error as Error).message}`);
  }
  let version = metric[SERIES_VERSION]();
  return () => {
    if (metric[SERIES_VERSION]() !== version) {
      child = seriesOf(metric, fixed);
      version = metric[SERIES_VERSION]();
    }
    return child;
  };
}
