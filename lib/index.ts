/** prometric: the public API. */

export { Registry, defaultRegistry, CollectionError, CollectionTimeoutError } from './registry.js';
export type {
  Collector,
  CollectorFunction,
  CollectorObject,
  CollectedFamily,
  CollectedSample,
  CollectCallOptions,
  RegistryOptions,
  StreamOptions,
} from './registry.js';
export { Metric, type Child } from './metrics/metric.js';
export type { Observer } from './instrument/series.js';
export { ObservingMetric } from './metrics/observing-metric.js';
export { Series } from './metrics/series.js';
export type { MetricConfig, ExtraOptions } from './metrics/config.js';
export { Counter, type CounterChild, type CounterConfig } from './metrics/counter.js';
export { Gauge, type GaugeChild, type GaugeConfig, type GaugeAggregation } from './metrics/gauge.js';
export { Histogram, type HistogramChild, type HistogramConfig } from './metrics/histogram.js';
export { Summary, type SummaryChild, type SummaryConfig } from './metrics/summary.js';
export { Info, type InfoChild, type InfoConfig } from './metrics/info.js';
export { Enum, type EnumChild, type EnumConfig } from './metrics/enum.js';
export { OVERFLOW_LABEL_VALUE } from './metrics/series-guard.js';
export { DEFAULT_BUCKETS, linearBuckets, exponentialBuckets } from './metrics/buckets.js';
export type { LabelValue, LabelValues, NamedLabelValues, PositionalLabelValues } from './labels.js';
export type { Exemplar, HistogramRow, HistogramRows, Labels, MetricFamily, MetricType, Sample } from './snapshot.js';
export type { BucketSpan, NativeHistogramPoint } from './native-histogram.js';
export type { NativeHistogramOptions } from './metrics/native-buckets.js';
export { negotiate, contentTypeFor, type Negotiated, type NegotiableFormat } from './exposition/negotiate.js';
export { ESCAPING_SCHEMES, type EscapingScheme } from './exposition/names.js';
export {
  CONTENT_TYPES,
  renderExposition,
  renderExpositionBytes,
  type ExpositionFormat,
  type RenderOptions,
} from './exposition/render.js';
export { TEXT_CONTENT_TYPE } from './exposition/text.js';
export { OPENMETRICS_CONTENT_TYPE } from './exposition/openmetrics.js';
export { PROTOBUF_CONTENT_TYPE } from './exposition/protobuf.js';
export type { TextExpositionFormat } from './exposition/render.js';
export {
  Timed,
  startTimer,
  CountExceptions,
  GaugeInProgress,
  Instrumented,
  NotInstrumented,
  INSTRUMENTED_DEFAULT_NAMES,
} from './decorators/index.js';
export type {
  TimedOptions,
  TimedMetric,
  EndTimer,
  CountExceptionsOptions,
  ErrorClass,
  GaugeInProgressOptions,
  MethodDecorator,
  Outcome,
  LabelSource,
  ExemplarSource,
  InstrumentedClassDecorator,
  InstrumentedNames,
  InstrumentedOptions,
  NotInstrumentedDecorator,
} from './decorators/index.js';
export { aggregateClusterMetrics } from './aggregation/cluster.js';
export { aggregateThreadMetrics } from './aggregation/threads.js';
export type { Aggregation, AggregatedWorker } from './aggregation/handle.js';
export type { AggregationOptions } from './aggregation/options.js';
export { PrometricWarning } from './warning.js';
export { exposeMetrics, metricsHandler } from './server/index.js';
export type {
  MetricsServer,
  MetricsRequestHandler,
  ExposeMetricsOptions,
  MetricsHandlerOptions,
  BasicAuthCredentials,
} from './server/index.js';
export { writeToTextfile } from './textfile.js';
export { pushToGateway, pushAddToGateway, deleteFromGateway, PushgatewayError } from './push/index.js';
export type { GatewayOptions, PushOptions, PushTlsOptions } from './push/index.js';
export { collectDefaultMetrics, disableDefaultMetrics } from './collectors/default-metrics.js';
export type { DefaultMetricsOptions } from './collectors/options.js';

// The default registry exposes the process and runtime metrics from import on, as Python's
// client does; disableDefaultMetrics() turns them off.
import { collectDefaultMetrics as startDefaultMetrics } from './collectors/default-metrics.js';
startDefaultMetrics();

// A worker whose primary (or main thread) aggregates reports to it from import on, with no code of its own.
import { startClusterReporting } from './aggregation/cluster.js';
import { startThreadReporting } from './aggregation/threads.js';
startClusterReporting();
startThreadReporting();
