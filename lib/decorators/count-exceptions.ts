/**
 * @CountExceptions: increments a Counter when the method throws or its promise rejects,
 * optionally only for given error classes (Python's `count_exceptions(exc)`).
 */
import type { CounterChild } from '../metrics/counter.js';
import type { Metric } from '../metrics/metric.js';
import { show } from '../validation.js';
import { childResolver, type LabelSource } from './label-source.js';
import { createMethodDecorator, type MethodDecorator } from './method-decorator.js';

/** A class of errors (anything `instanceof` works with). */
export type ErrorClass = abstract new (...args: any[]) => unknown;

/** Options of @CountExceptions and `counter.countExceptions()`. */
export interface CountExceptionsOptions<L extends string> {
  /** Count only errors that are instances of one of these classes. Default: every error. */
  readonly only?: readonly ErrorClass[];
  /** Label values: fixed, or from the call's arguments and outcome (`{ error }`). */
  readonly labels?: LabelSource<L>;
}

function validateOnly(where: string, only: unknown): readonly ErrorClass[] | undefined {
  if (only === undefined) return undefined;
  if (!Array.isArray(only) || only.some((c) => typeof c !== 'function')) {
    throw new TypeError(`${where}: "only" must be an array of error classes, got ${show(only)}`);
  }
  return [...only];
}

function matches(only: readonly ErrorClass[] | undefined, error: unknown): boolean {
  return only === undefined || only.some((cls) => error instanceof cls);
}

/**
 * Decorates a method (either decorator mode) or wraps a function so each thrown error or
 * rejected promise increments the counter. The error itself passes through untouched.
 */
export function CountExceptions<L extends string>(counter: Metric<L, CounterChild>, options: CountExceptionsOptions<L> = {}): MethodDecorator {
  if ((counter as { type?: unknown } | null)?.type !== 'counter') {
    throw new TypeError(`@CountExceptions: needs a Counter, got ${show((counter as { type?: unknown } | null)?.type ?? counter)}`);
  }
  const only = validateOnly(`@CountExceptions(${counter.name})`, options.only);
  return createMethodDecorator('@CountExceptions', (site) => {
    const resolve = childResolver<L, CounterChild>('@CountExceptions', counter, options.labels, site);
    return {
      start: () => undefined,
      finish(_state: undefined, args, outcome) {
        if ('error' in outcome && matches(only, outcome.error)) resolve(args, outcome).inc();
      },
    };
  });
}

/** @CountExceptions for one child: `counter.labels('x').countExceptions()`. */
export function countExceptionsChild(child: CounterChild, only: readonly ErrorClass[] | undefined): MethodDecorator {
  const classes = validateOnly('countExceptions()', only);
  return createMethodDecorator('countExceptions()', () => ({
    start: () => undefined,
    finish(_state: undefined, _args, outcome) {
      if ('error' in outcome && matches(classes, outcome.error)) child.inc();
    },
  }));
}
