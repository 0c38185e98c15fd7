/**
 * The hooks `@Instrumented` runs around one method's calls (the RED metrics): the call counted by
 * result (`ok` or `error`), its duration observed, and the calls in flight. Over the series
 * interfaces, so that this sits below the metric types as the other instruments do.
 */
import { now, secondsSince } from './clock.js';
import { childResolver, type ChildResolver } from './label-source.js';
import type { CallHooks, DecorationSite } from './method-decorator.js';
import type { Incrementable, InstrumentedMetric, Observer, UpDown } from './series.js';

/** The three shared metrics, labelled `class`, `method` (and `result` for the calls). */
export interface CallMetrics {
  readonly calls: InstrumentedMetric<'class' | 'method' | 'result', Incrementable>;
  readonly duration: InstrumentedMetric<'class' | 'method', Observer>;
  readonly inFlight: InstrumentedMetric<'class' | 'method', UpDown>;
}

/** What a call holds from start to finish: when it started, and the in-flight series it raised. */
interface CallState {
  readonly start: number;
  readonly inFlight: UpDown;
}

/**
 * The hooks for one method. Its series are looked up once here and again only after series were
 * removed from a metric (`clear()`, `remove()`); the in-flight series lowered is the one raised.
 */
export function callMetricHooks(
  decoratorName: string,
  metrics: CallMetrics,
  className: string,
  methodName: string,
  site: DecorationSite,
): CallHooks<CallState> {
  const labels = { class: className, method: methodName };
  const ok: ChildResolver<Incrementable> = childResolver(
    decoratorName,
    metrics.calls,
    { ...labels, result: 'ok' },
    site,
  );
  const failed: ChildResolver<Incrementable> = childResolver(
    decoratorName,
    metrics.calls,
    { ...labels, result: 'error' },
    site,
  );
  const duration = childResolver(decoratorName, metrics.duration, labels, site);
  const inFlight = childResolver(decoratorName, metrics.inFlight, labels, site);
  const none: readonly unknown[] = [];
  return {
    start(): CallState {
      const series = inFlight(none);
      series.inc();
      return { start: now(), inFlight: series };
    },
    finish(state, _args, outcome) {
      const seconds = secondsSince(state.start);
      duration(none).observe(seconds);
      ('error' in outcome ? failed : ok)(none).inc();
      state.inFlight.dec();
    },
  };
}
