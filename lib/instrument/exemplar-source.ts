/** The `exemplar` option of @Timed and @CountExceptions: where a decorated call's exemplar labels come from. */
import type { Labels } from '../snapshot.js';
import { show } from '../validation.js';
import type { Outcome } from './method-decorator.js';
import { activeSpanExemplar } from './opentelemetry.js';

/**
 * Exemplar labels for a decorated call: `true` takes `trace_id` and `span_id` from the active
 * OpenTelemetry span (when `@opentelemetry/api` is installed and the span is sampled), a function
 * computes them from the call's arguments and outcome; undefined from it means no exemplar.
 */
export type ExemplarSource =
  | true
  // biome-ignore lint/suspicious/noExplicitAny: the decorated method's arguments, as its callers passed them
  | ((args: any[], outcome: Outcome) => Labels | undefined);

/** Exemplar labels of one call: taken when it starts (the span active then), then given its outcome. */
export interface CallExemplar {
  atStart(): Labels | undefined;
  atFinish(started: Labels | undefined, args: readonly unknown[], outcome: Outcome): Labels | undefined;
}

const fromActiveSpan: CallExemplar = {
  atStart: activeSpanExemplar,
  atFinish: (started) => started,
};

/** Checks the option when the decorator is made; `where` names the decorator and metric in errors. */
export function callExemplar(where: string, source: unknown): CallExemplar {
  if (source === true) return fromActiveSpan;
  if (typeof source === 'function') {
    const labelsOf = source as (args: readonly unknown[], outcome: Outcome) => Labels | undefined;
    return { atStart: () => undefined, atFinish: (_started, args, outcome) => labelsOf(args, outcome) };
  }
  throw new TypeError(
    `${where}: "exemplar" must be true (the active OpenTelemetry span) or a function of the call returning ` +
      `exemplar labels, got ${show(source)}`,
  );
}
