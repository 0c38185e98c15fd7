/**
 * What a series leaves behind when its worker exits, when the worker resets it, or when the
 * worker removes it: counts and sums are kept (added to what earlier ones left), so that the
 * aggregate of counters, histograms and summaries never goes down; a gauge's last value is kept
 * per its `aggregate` mode, except in the `live` modes, which forget exited workers.
 */
import type { Retired } from './combine.js';
import { addExact } from './exact-sum.js';
import { addNativePoints } from './native-merge.js';
import type {
  CounterState,
  FamilyDefinition,
  GaugeState,
  HistogramState,
  SeriesState,
  SummaryState,
} from './report.js';

/** Whether `next` starts over from `previous` (a reset, or a new series under the same labels). */
export function isReset(type: string, previous: SeriesState, next: SeriesState): boolean {
  if (type === 'counter') {
    const [a, b] = [previous as CounterState, next as CounterState];
    return a.created !== b.created || b.value < a.value;
  }
  if (type === 'histogram') {
    const [a, b] = [previous as HistogramState, next as HistogramState];
    return a.created !== b.created || (b.cumulative.at(-1) ?? 0) < (a.cumulative.at(-1) ?? 0);
  }
  if (type === 'summary') {
    const [a, b] = [previous as SummaryState, next as SummaryState];
    return a.created !== b.created || b.count < a.count;
  }
  return false;
}

/**
 * Adds `state` of worker `source` to what the family's series left (`into`, by key). `exited`
 * says the worker is gone, which is when a gauge's value is kept.
 */
export function retire(
  into: Map<string, Retired>,
  definition: FamilyDefinition,
  source: string,
  state: SeriesState,
  exited: boolean,
): void {
  let r = into.get(state.key);
  const fresh = (): Retired => ({
    labels: state.labels,
    value: 0,
    created: Infinity,
    valueParts: [],
    sumParts: [],
    changedAt: -Infinity,
  });
  switch (definition.type) {
    case 'counter': {
      const s = state as CounterState;
      r ??= fresh();
      addExact(r.valueParts, s.value);
      r.created = Math.min(r.created, s.created);
      break;
    }
    case 'histogram': {
      const s = state as HistogramState;
      r ??= fresh();
      const cumulative = r.cumulative ?? s.cumulative.map(() => 0);
      for (let i = 0; i < cumulative.length; i++) cumulative[i]! += s.cumulative[i] ?? 0;
      r.cumulative = cumulative;
      addExact(r.sumParts, s.sum);
      r.created = Math.min(r.created, s.created);
      if (s.native !== undefined) {
        r.native = addNativePoints(
          r.native === undefined ? [s.native] : [r.native, s.native],
          definition.maxBuckets ?? 0,
        );
      }
      break;
    }
    case 'summary': {
      const s = state as SummaryState;
      r ??= fresh();
      r.value += s.count;
      addExact(r.sumParts, s.sum);
      r.created = Math.min(r.created, s.created);
      // Its observations stay in the quantiles until their slices would have left the window.
      if (s.window !== undefined) r.window = [...(r.window ?? []), ...s.window];
      break;
    }
    case 'gauge': {
      const mode = definition.aggregate ?? 'sum';
      if (!exited || mode.startsWith('live')) return;
      const s = state as GaugeState;
      if (mode === 'all') {
        r ??= { ...fresh(), byWorker: new Map() };
        r.byWorker?.set(source, s.value);
      } else if (r === undefined) {
        r = { ...fresh(), value: s.value, changedAt: s.changedAt };
      } else if (mode === 'sum') {
        r.value += s.value;
      } else if (mode === 'min') {
        r.value = Math.min(r.value, s.value);
      } else if (mode === 'max') {
        r.value = Math.max(r.value, s.value);
      } else if (s.changedAt > r.changedAt) {
        r.value = s.value;
        r.changedAt = s.changedAt;
      }
      break;
    }
    default:
      return; // Info and enum series of an exited worker are its own: they go with it.
  }
  into.set(state.key, r);
}

/** Drops quantile slices that have left the window by `now`, so what exited workers left stays small. */
export function dropExpired(retired: Iterable<Retired>, now: number): void {
  for (const r of retired) {
    if (r.window !== undefined) r.window = r.window.filter((slice) => slice.expiresAt > now);
  }
}
