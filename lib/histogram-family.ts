/**
 * A histogram family in row form (see {@link HistogramRows}), whose plain samples are made only
 * when someone reads them: the formatters render from the rows, consumers of `samples` (the
 * `?name[]=` filter, users of `registry.collect()`) see the same samples as ever.
 */
import { formatBound } from './bounds.js';
import type { HistogramRows, MetricFamily, Sample } from './snapshot.js';

/** A histogram {@link MetricFamily} carrying its series as rows. */
export class HistogramFamily implements MetricFamily {
  readonly type = 'histogram' as const;
  #samples: Sample[] | undefined;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly unit: string,
    readonly histogram: HistogramRows,
  ) {}

  /** The rows expanded to samples (made on first read, then kept). */
  get samples(): readonly Sample[] {
    return (this.#samples ??= histogramSamples(this.name, this.histogram));
  }
}

/** Expands histogram rows to samples: per series its buckets, `_count`, `_sum` and, if collected, `_created`. */
export function histogramSamples(name: string, { bounds, rows, classic }: HistogramRows): Sample[] {
  const bucketName = `${name}_bucket`;
  const countName = `${name}_count`;
  const sumName = `${name}_sum`;
  const createdName = `${name}_created`;
  const le = bounds.map(formatBound);
  const buckets = classic === false ? 0 : le.length;
  const out: Sample[] = [];
  for (const { labels, cumulative, sum, created } of rows) {
    for (let i = 0; i < buckets; i++)
      out.push({ name: bucketName, labels: { ...labels, le: le[i]! }, value: cumulative[i]! });
    out.push({ name: countName, labels, value: cumulative[le.length - 1]! });
    out.push({ name: sumName, labels, value: sum });
    if (created !== undefined) out.push({ name: createdName, labels, value: created });
  }
  return out;
}
