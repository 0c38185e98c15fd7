/**
 * The active OpenTelemetry span's ids, for `exemplar: true` on @Timed and @CountExceptions.
 * `@opentelemetry/api` is an optional peer dependency: it is loaded on first use, synchronously
 * (createRequire), and its absence only means calls are recorded without an exemplar. The API
 * keeps its state on globalThis, so this copy sees the tracer provider and context manager the
 * application registered, whichever module format it imported the API in.
 */
import { createRequire } from 'node:module';
import type { Labels } from '../snapshot.js';

/** The part of `@opentelemetry/api` used here. */
export interface TraceApi {
  readonly trace: { getActiveSpan(): { spanContext(): SpanIds } | undefined };
  isSpanContextValid(context: SpanIds): boolean;
}

interface SpanIds {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
}

/** TraceFlags.SAMPLED: an unsampled span never reaches the tracing backend, so it makes no exemplar. */
const SAMPLED = 1;

const requireFromHere = createRequire(import.meta.url);
const loadFromNodeModules = (): TraceApi => requireFromHere('@opentelemetry/api') as TraceApi;

let load: () => TraceApi = loadFromNodeModules;
/** The loaded API, null when it is not installed, undefined until first asked for. */
let api: TraceApi | null | undefined;

/** Whether an error is "this module is not installed" (anything else is a real failure, rethrown). */
function isNotFound(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'MODULE_NOT_FOUND';
}

/** `@opentelemetry/api`, loaded once; null when it is not installed. */
function traceApi(): TraceApi | null {
  if (api === undefined) {
    try {
      api = load();
    } catch (error) {
      if (!isNotFound(error)) throw error;
      api = null;
    }
  }
  return api;
}

/**
 * `{ trace_id, span_id }` of the active span when it is valid and sampled; undefined without
 * one, or without `@opentelemetry/api` installed.
 */
export function activeSpanExemplar(): Labels | undefined {
  const otel = traceApi();
  const context = otel?.trace.getActiveSpan()?.spanContext();
  if (otel === null || context === undefined || !otel.isSpanContextValid(context)) return undefined;
  if ((context.traceFlags & SAMPLED) === 0) return undefined;
  return { trace_id: context.traceId, span_id: context.spanId };
}

/**
 * @internal A seam for specs: replaces how `@opentelemetry/api` is loaded (a loader that throws an
 * error with `code: 'MODULE_NOT_FOUND'` simulates its absence); no argument restores the real one.
 * The next use loads again.
 */
export function setTraceApiLoader(loader?: () => TraceApi): void {
  load = loader ?? loadFromNodeModules;
  api = undefined;
}
