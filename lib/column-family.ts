/**
 * A counter or gauge family in column form (see {@link SeriesColumns}), whose plain samples are
 * made only when someone reads them: the formatters render from the columns, consumers of
 * `samples` (the `?name[]=` filter, users of `registry.collect()`) see the same samples as ever.
 */
import type { MetricFamily, Sample, SeriesColumns } from './snapshot.js';

/** A counter or gauge {@link MetricFamily} carrying its series as columns. */
export class ColumnFamily implements MetricFamily {
  #samples: Sample[] | undefined;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge',
    readonly unit: string,
    readonly columns: SeriesColumns,
  ) {}

  /** The columns expanded to samples (made on first read, then kept). */
  get samples(): readonly Sample[] {
    return (this.#samples ??= columnSamples(this.name, this.type, this.columns));
  }
}

/** Expands columns to samples: a counter's `_total` (with its exemplar) and `_created`, a gauge's value. */
export function columnSamples(name: string, type: 'counter' | 'gauge', columns: SeriesColumns): Sample[] {
  const { labels, values, created, exemplars } = columns;
  const valueName = type === 'counter' ? `${name}_total` : name;
  const createdName = `${name}_created`;
  const out: Sample[] = [];
  for (let i = 0; i < labels.length; i++) {
    const exemplar = exemplars?.[i];
    const sample = { name: valueName, labels: labels[i]!, value: values[i]! };
    out.push(exemplar === undefined ? sample : { ...sample, exemplar });
    if (created !== undefined) out.push({ name: createdName, labels: labels[i]!, value: created[i]! });
  }
  return out;
}
