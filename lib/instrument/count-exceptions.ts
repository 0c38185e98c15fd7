/**
 * Counting errors: increments a counter series when a call throws or its promise rejects,
 * optionally only for given error classes (Python's `count_exceptions(exc)`). One implementation
 * serves `@CountExceptions`, `counter.countExceptions()` and `child.countExceptions()`.
 */
import { checkOptions } from '../options.js';
import type { Labels } from '../snapshot.js';
import { show } from '../validation.js';
import { callExemplar, type ExemplarSource } from './exemplar-source.js';
import { childResolver, type LabelSource } from './label-source.js';
import { createMethodDecorator, type MethodDecorator } from './method-decorator.js';
import { expectMetricType, type Incrementable, type InstrumentedMetric } from './series.js';

/** A class of errors: `Error` itself or a subclass of it. */
export type ErrorClass = abstract new (...args: never[]) => Error;

/** Options of @CountExceptions and `counter.countExceptions()`. */
export interface CountExceptionsOptions<L extends string> {
  /**
   * Count only errors that are instances of one of these classes (each `Error` or a subclass;
   * anything else is refused when the decorator is made). Default: every error.
   */
  readonly only?: readonly ErrorClass[];
  /** Label values: fixed, or from the call's arguments and outcome (`{ error }`). */
  readonly labels?: LabelSource<L>;
  /**
   * An exemplar for each counted error: `true` for the active OpenTelemetry span's `trace_id`
   * and `span_id`, or a function of the call (`outcome.error`) returning labels.
   */
  readonly exemplar?: ExemplarSource;
}

/** The option names @CountExceptions knows: a misspelt one would silently count every error. */
const OPTION_NAMES: readonly string[] = ['only', 'labels', 'exemplar'];

function validateOptions(where: string, options: unknown): void {
  checkOptions(where, options, OPTION_NAMES);
}

/**
 * Error itself or a class whose prototype chain includes Error.prototype. Anything else in
 * `only` would never match (an arrow function even makes `instanceof` throw at every call).
 */
function isErrorClass(value: unknown): boolean {
  if (value === Error) return true;
  if (typeof value !== 'function') return false;
  const prototype: unknown = value.prototype;
  return (
    typeof prototype === 'object' &&
    prototype !== null &&
    Object.prototype.isPrototypeOf.call(Error.prototype, prototype)
  );
}

function validateOnly(where: string, only: unknown): readonly ErrorClass[] | undefined {
  if (only === undefined) return undefined;
  if (!Array.isArray(only)) {
    throw new TypeError(`${where}: "only" must be an array of error classes, got ${show(only)}`);
  }
  if (only.length === 0) {
    throw new TypeError(`${where}: "only" is empty, so no error would ever be counted; omit it to count every error`);
  }
  only.forEach((cls: unknown, i) => {
    if (!isErrorClass(cls)) {
      throw new TypeError(`${where}: "only[${i}]" must be an error class (Error or a subclass), got ${show(cls)}`);
    }
  });
  return [...(only as ErrorClass[])];
}

function matches(only: readonly ErrorClass[] | undefined, error: unknown): boolean {
  return only === undefined || only.some((cls) => error instanceof cls);
}

/**
 * Decorates a method (either decorator mode) or wraps a function so each thrown error or
 * rejected promise increments the counter. The error itself passes through untouched.
 */
export function countCallErrors<L extends string>(
  counter: InstrumentedMetric<L, Incrementable>,
  options: CountExceptionsOptions<L> = {},
): MethodDecorator {
  expectMetricType('@CountExceptions', counter, 'counter', 'a Counter');
  const where = `@CountExceptions(${counter.name})`;
  validateOptions(where, options);
  const only = validateOnly(where, options.only);
  if (options.exemplar !== undefined) return countCallErrorsWithExemplar(counter, options, where, only);
  return createMethodDecorator('@CountExceptions', (site) => {
    const resolve = childResolver<L, Incrementable>('@CountExceptions', counter, options.labels, site);
    return {
      start: () => undefined,
      finish(_state: undefined, args, outcome) {
        if ('error' in outcome && matches(only, outcome.error)) resolve(args, outcome).inc();
      },
    };
  });
}

/**
 * countCallErrors() with an exemplar per counted error, kept apart so that calls without one do
 * exactly what they did: the exemplar's labels are taken when the call starts (the span active
 * then) and attached when its error is counted.
 */
function countCallErrorsWithExemplar<L extends string>(
  counter: InstrumentedMetric<L, Incrementable>,
  options: CountExceptionsOptions<L>,
  where: string,
  only: readonly ErrorClass[] | undefined,
): MethodDecorator {
  const exemplar = callExemplar(where, options.exemplar);
  return createMethodDecorator('@CountExceptions', (site) => {
    const resolve = childResolver<L, Incrementable>('@CountExceptions', counter, options.labels, site);
    return {
      start: exemplar.atStart,
      finish(started: Labels | undefined, args, outcome) {
        if ('error' in outcome && matches(only, outcome.error)) {
          resolve(args, outcome).inc(1, exemplar.atFinish(started, args, outcome));
        }
      },
    };
  });
}

/** The same for one series: `counter.labels('x').countExceptions()`; `metric` names the counter in errors. */
export function countSeriesErrors(
  child: Incrementable,
  only: readonly ErrorClass[] | undefined,
  metric: string,
): MethodDecorator {
  const classes = validateOnly(`countExceptions() on ${metric}`, only);
  return createMethodDecorator('countExceptions()', () => ({
    start: () => undefined,
    finish(_state: undefined, _args, outcome) {
      if ('error' in outcome && matches(classes, outcome.error)) child.inc();
    },
  }));
}
