/**
 * What the benchmark runs and how the table reads it. Each case runs per "lib" in a process of
 * its own. `target`: the ratio prom-client / prometric (higher is better for us) the issue asks for;
 * for a case with a `baseline`, the most ours may cost against our own baseline case (lower is better).
 */
export const LIBS = ['prometric', 'prom-client', 'pio'];
export const LIB_TITLES = {
  prometric: 'prometric',
  'prom-client': 'prom-client 15.1.3',
  pio: '@prometheus-io/client 0.16',
};
export const TIMED_VARIANTS = ['bare', 'wrapper', 'timed'];
/** The cluster cases' libraries: prometric's aggregateClusterMetrics() and prom-client's AggregatorRegistry. */
export const CLUSTER_LIBS = ['prometric', 'prom-client'];
/** The cases that put us side by side with prom-client only (scrape under load, scaling table). */
export const PAIR_LIBS = ['prometric', 'prom-client'];
/** The import-time case's runs: the empty baseline (`node` importing nothing) and each package. */
export const IMPORT_LIBS = ['empty', 'prometric', 'prom-client'];

/** The scaling table's sizes (series), per metric type. */
export const SCALING_SIZES = { counter: [1_000, 10_000, 100_000, 1_000_000], histogram: [1_000, 10_000, 100_000] };
const METRIC_TITLES = { counter: 'counters', histogram: 'histograms (11 buckets)' };
const SIZE_NAMES = { 1000: '1k', 10000: '10k', 100000: '100k', 1000000: '1M' };

/**
 * The scaling table's cells: per metric type, label layout (bench/cases/shared.js LAYOUTS) and size,
 * one case. Targets (ours): after-GC scrape ≤ 1.5x back to back; prom-client's after-GC scrape ≥ 5x
 * ours; heap per series ≤ ½ prom-client's (ratio ≥ 2).
 */
const SCALING_CASES = ['counter', 'histogram'].flatMap((metric) =>
  ['A', 'B'].flatMap((layout) =>
    SCALING_SIZES[metric].map((series) => ({
      id: `scaling.${metric}.${layout}.${SIZE_NAMES[series]}`,
      kind: 'scaling',
      libs: PAIR_LIBS,
      metric,
      layout,
      series,
      title: `${METRIC_TITLES[metric]}, ${series.toLocaleString('en-US')} series, layout ${layout}`,
      targets: { afterGc: 1.5, vsPeer: 5, heap: 2 },
    })),
  ),
);

/** The serialization floor of each scrape case's body (bench/cases/floor-scrape.js); ours ≤ 2x it. */
const FLOOR_SCRAPE_CASES = [
  {
    id: 'floor.scrape.counters.text',
    kind: 'scrape',
    libs: ['floor'],
    title:
      'serialization floor, 100,000 counters: pre-encoded label prefixes + hand-written digits ' +
      'straight into a byte buffer (text 0.0.4)',
  },
  {
    id: 'floor.scrape.counters.openmetrics',
    kind: 'scrape',
    libs: ['floor'],
    title: 'serialization floor, 100,000 counters, the same way (OpenMetrics)',
  },
  {
    id: 'floor.scrape.histograms.text',
    kind: 'scrape',
    libs: ['floor'],
    title: 'serialization floor, 10,000 histograms (11 buckets), the same way (text 0.0.4)',
  },
  {
    id: 'floor.scrape.histograms.openmetrics',
    kind: 'scrape',
    libs: ['floor'],
    title: 'serialization floor, 10,000 histograms (11 buckets), the same way (OpenMetrics)',
  },
];

export const CASES = [
  { id: 'counter.inc', kind: 'ops', libs: LIBS, title: 'counter `inc()`, no labels' },
  {
    id: 'counter.labels-object',
    kind: 'ops',
    libs: LIBS,
    title: 'counter `labels({method, status}).inc()`',
    target: 4,
  },
  { id: 'counter.labels-positional', kind: 'ops', libs: LIBS, title: "counter `labels('GET', '200').inc()`" },
  {
    id: 'counter.inc-shortest',
    kind: 'ops',
    libs: LIBS,
    title: 'counter, label object, shortest form: ours `labels({…}).inc()`, theirs `inc({…})`',
  },
  { id: 'counter.bound', kind: 'ops', libs: LIBS, title: 'counter bound child `inc()`', target: 20 },
  // The cardinality guard sits on series creation only: a bound child of a metric at its limit costs as
  // `counter.bound` (ours only: neither peer has a guard).
  {
    id: 'counter.bound-guarded',
    kind: 'ops',
    libs: LIBS,
    title: 'counter bound child `inc()`, its metric at `maxSeries` (1000) and overflowing (ours only)',
  },
  {
    id: 'histogram.bound',
    kind: 'ops',
    libs: LIBS,
    title: 'histogram (11 buckets) bound child `observe(v)`',
    target: 10,
  },
  // The bound: at most 2x `histogram.bound` of ours. Neither peer has native histograms: n/a.
  {
    id: 'histogram.native-bound',
    kind: 'ops',
    libs: LIBS,
    title: 'native histogram (`native: true`, no classic buckets) bound child `observe(v)` (ours only)',
  },
  // An exemplar with each call: what it costs (ours only). The rows without one must not move.
  {
    id: 'counter.bound-exemplar',
    kind: 'ops',
    libs: LIBS,
    title: 'counter bound child `inc(1, { trace_id })` with an exemplar (ours only)',
  },
  {
    id: 'histogram.bound-exemplar',
    kind: 'ops',
    libs: LIBS,
    title: 'histogram (11 buckets) bound child `observe(v, { trace_id })` with an exemplar (ours only)',
  },
  {
    id: 'histogram.labels',
    kind: 'ops',
    libs: LIBS,
    title: "histogram (11 buckets) `labels('GET', '200').observe(v)`",
  },
  {
    id: 'summary.observe',
    kind: 'ops',
    libs: LIBS,
    title: 'summary `observe(v)`: ours count+sum; theirs default (7 quantiles, t-digest, always on)',
    target: 10,
  },
  {
    id: 'summary.quantiles',
    kind: 'ops',
    libs: LIBS,
    title: 'summary `observe(v)`, 3 quantiles: ours 10 min window × 5 slices; theirs all-time (its default)',
  },
  { id: 'timer.start-end', kind: 'ops', libs: LIBS, title: 'histogram `startTimer()` + `end()`, no labels' },
  { id: 'timed.sync', kind: 'timed', libs: TIMED_VARIANTS, title: '@Timed on a sync method', target: 1.5 },
  { id: 'timed.async', kind: 'timed', libs: TIMED_VARIANTS, title: '@Timed on an async method (awaited)' },
  { id: 'floor.f64-add', kind: 'ops', libs: ['floor'], title: 'floor: `Float64Array` slot `+= 1`' },
  { id: 'floor.map-get', kind: 'ops', libs: ['floor'], title: 'floor: `Map.get` of a short constant string key' },
  {
    id: 'floor.key-build-map-get',
    kind: 'ops',
    libs: ['floor'],
    title: 'floor: build a fresh 2-label key string (`+`) + `Map.get`',
  },
  { id: 'floor.nested-map-get', kind: 'ops', libs: ['floor'], title: 'floor: `Map.get` per label value, 2 levels' },
  {
    id: 'scrape.counters.text',
    kind: 'scrape',
    libs: LIBS,
    title: '100,000 counter series (100 metrics), text 0.0.4',
    target: 10,
    floor: 'floor.scrape.counters.text',
    floorTarget: 2,
  },
  {
    id: 'scrape.counters.openmetrics',
    kind: 'scrape',
    libs: LIBS,
    title: '100,000 counter series (100 metrics), OpenMetrics',
    target: 10,
    floor: 'floor.scrape.counters.openmetrics',
    floorTarget: 2,
  },
  {
    id: 'scrape.histograms.text',
    kind: 'scrape',
    libs: LIBS,
    title: '10,000 histogram series (10 metrics, 11 buckets), text 0.0.4',
    target: 10,
    floor: 'floor.scrape.histograms.text',
    floorTarget: 2,
  },
  {
    id: 'scrape.histograms.openmetrics',
    kind: 'scrape',
    libs: LIBS,
    title: '10,000 histogram series (10 metrics, 11 buckets), OpenMetrics',
    target: 10,
    floor: 'floor.scrape.histograms.openmetrics',
    floorTarget: 2,
  },
  // Neither peer writes protobuf: their cells read n/a, as bench/cases/prom.js has no such case. (With
  // libs: ['prometric'] the case would run but have no row: the tables list the cases of all LIBS.)
  {
    id: 'scrape.counters.protobuf',
    kind: 'scrape',
    libs: LIBS,
    title: '100,000 counter series (100 metrics), protobuf (ours only)',
  },
  {
    id: 'scrape.histograms.protobuf',
    kind: 'scrape',
    libs: LIBS,
    title: '10,000 histogram series (10 metrics, 11 buckets), protobuf (ours only)',
  },
  {
    id: 'scrape.default-metrics',
    kind: 'scrape',
    libs: LIBS,
    title: 'default metrics: collect + render one scrape (text)',
  },
  { id: 'heap.counter', kind: 'heap', libs: LIBS, title: 'heap per counter series, 2 labels', target: 2 },
  {
    id: 'heap.histogram',
    kind: 'heap',
    libs: LIBS,
    title: 'heap per histogram series, 2 labels, 11 buckets',
    target: 2,
  },
  // A primary forks 4 workers (node:cluster), each with 10,000 series of its own (bench/cluster/).
  {
    id: 'cluster.scrape',
    kind: 'cluster',
    libs: CLUSTER_LIBS,
    title: 'Cluster scrape at the primary, 4 workers x 10,000 series (text 0.0.4; ms/scrape · MB/s)',
  },
  // The bound: a worker's bound inc at most 2x our single-process bound inc (counter.bound), same run.
  {
    id: 'cluster.bound-inc',
    kind: 'cluster',
    libs: CLUSTER_LIBS,
    title: 'Bound inc in an aggregated cluster worker (ns/op)',
    baseline: 'counter.bound',
    target: 2,
  },
  // As a request handler calls it: one inc per synchronous run, so each run's end (where an eager
  // worker sends what the run wrote) is counted. Compared with the same loop in a plain process.
  {
    id: 'cluster.bound-inc-per-run',
    kind: 'cluster',
    libs: CLUSTER_LIBS,
    title: 'Bound inc in an aggregated cluster worker, one per synchronous run (`inc(); await null`; ns/op)',
    baseline: 'counter.bound-per-run',
  },
  // The baseline of the row above (a row of its own would repeat it); in a plain process, nothing aggregating.
  {
    id: 'counter.bound-per-run',
    kind: 'ops',
    libs: CLUSTER_LIBS,
    title: 'counter bound child `inc()`, one per synchronous run',
  },
  ...FLOOR_SCRAPE_CASES,
  // A service with the 18.5 MB registry (both scrape cases' families) serving /metrics and /ping in one
  // process, a client pinging while it scrapes (bench/load/). Targets are ours, absolute.
  {
    id: 'load.scrape',
    kind: 'load',
    libs: PAIR_LIBS,
    title: 'scrape under load: 100,000 counter + 10,000 histogram series (18.5 MB, text), /ping every 2 ms',
    targets: { medianBlockMs: 20, worstBlockMs: 40, p99Ratio: 3 },
  },
  ...SCALING_CASES,
  // CPU time of importing the package in a fresh process, less the empty baseline's (bench/import-probe.js).
  {
    id: 'import.cpu',
    kind: 'import',
    libs: IMPORT_LIBS,
    title: 'import time: CPU (user + system) of `await import(package)` in a fresh process, less an empty one',
    target: 1,
  },
];

export function caseById(id) {
  const found = CASES.find((c) => c.id === id);
  if (!found) throw new Error(`unknown case ${id}`);
  return found;
}
