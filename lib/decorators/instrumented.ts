/**
 * `@Instrumented()`: a class decorator measuring every method of the class with three shared
 * metrics (calls by result, duration, calls in flight), and `@NotInstrumented`, the per-method
 * opt-out. Both work in either decorator mode. The metrics are made here (decorators sit above the
 * metric types); the method walk and wrapping are in instrument/class-methods.ts.
 */
import { Counter } from '../metrics/counter.js';
import { Gauge } from '../metrics/gauge.js';
import { Histogram } from '../metrics/histogram.js';
import type { NativeHistogramOptions } from '../metrics/native-buckets.js';
import { checkOptions } from '../options.js';
import { defaultRegistry, Registry } from '../registry.js';
import { show } from '../validation.js';
import { callMetricHooks, type CallMetrics } from '../instrument/call-metrics.js';
import { markNotInstrumented, measurableMethods, wrapClassMethods } from '../instrument/class-methods.js';

const DECORATOR = '@Instrumented';

/** The default metric names (before `prefix`). */
export const INSTRUMENTED_DEFAULT_NAMES: Readonly<Required<InstrumentedNames>> = Object.freeze({
  calls: 'method_calls_total',
  duration: 'method_duration_seconds',
  inFlight: 'method_calls_in_flight',
});

/** Names of the three metrics `@Instrumented` records into; each is prefixed with `prefix`. */
export interface InstrumentedNames {
  /** The calls Counter, labelled `class`, `method`, `result`. Default `method_calls_total`. */
  readonly calls?: string;
  /** The duration Histogram in seconds, labelled `class`, `method`. Default `method_duration_seconds`. */
  readonly duration?: string;
  /** The calls-in-flight Gauge, labelled `class`, `method`. Default `method_calls_in_flight`. */
  readonly inFlight?: string;
}

/** Options of {@link Instrumented}. */
export interface InstrumentedOptions {
  /** Prepended as is to every metric name (`'orders_'` gives `orders_method_calls_total`). Default `''`. */
  readonly prefix?: string;
  /** Metric names, each defaulting to {@link INSTRUMENTED_DEFAULT_NAMES}. */
  readonly names?: InstrumentedNames;
  /** Where the metrics are registered, and shared between classes. Default `defaultRegistry`. */
  readonly registry?: Registry;
  /** The `class` label value. Default: the class's name (required for an anonymous class). */
  readonly className?: string;
  /** Duration histogram bucket bounds, in seconds. Default `DEFAULT_BUCKETS`, or none with `native`. */
  readonly buckets?: readonly number[];
  /**
   * Make the duration histogram native (sparse, exponential): `true` for the defaults, or the
   * native histogram options. Without `buckets` it is native-only, as a Histogram's `native` option.
   */
  readonly native?: true | NativeHistogramOptions;
}

const OPTION_NAMES: readonly string[] = ['prefix', 'names', 'registry', 'className', 'buckets', 'native'];
const NAME_KEYS: readonly string[] = Object.keys(INSTRUMENTED_DEFAULT_NAMES);
const NAME_START = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** A class decorator usable in both TypeScript decorator modes. */
export interface InstrumentedClassDecorator {
  /** Standard (TC39) class decorator. */
  <C extends abstract new (...args: never[]) => unknown>(value: C, context: ClassDecoratorContext<C>): void;
  /** Legacy (`experimentalDecorators`) class decorator. */
  <C extends abstract new (...args: never[]) => unknown>(target: C): void;
}

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

/**
 * Measures every method of a class: own and inherited prototype methods (up to but excluding
 * `Object.prototype`), each call counted by `result` (`ok`, or `error` when it throws or its
 * promise rejects), its duration observed (async methods until they settle) and the calls in
 * flight tracked, all labelled by `class` and `method`. Not measured: the constructor, getters and
 * setters, static methods, symbol-named and generator methods, instance fields holding functions,
 * and methods marked {@link NotInstrumented}. Works in both decorator modes; the class stays the
 * same class (its methods are replaced on its prototype), method decorators on it keep working,
 * and reflect-metadata stored on the methods (NestJS routes) is kept.
 *
 * The metrics are made once per registry and names and shared by every class decorated with
 * them: `method_calls_total{class,method,result}`, `method_duration_seconds{class,method}` and
 * `method_calls_in_flight{class,method}` by default.
 *
 * ```ts
 * @Instrumented({ prefix: 'shop_' })
 * class Orders {
 *   async place(order: Order) { ... }        // measured
 *   @NotInstrumented health() { return 'ok'; } // not measured
 * }
 * ```
 */
export function Instrumented(options?: InstrumentedOptions): InstrumentedClassDecorator {
  // Written without parentheses, it is called with the class itself (and, in standard mode, a context).
  if (typeof options === 'function') {
    throw new TypeError(`${DECORATOR}: write it with parentheses, @Instrumented() or @Instrumented({ ... })`);
  }
  const resolved = resolveOptions(options ?? {});
  // Names, buckets and native options are checked now, where the decorator is written, by making
  // the metrics unregistered; the registered ones are made when a class is decorated.
  makeEachMetric(null, resolved.names, resolved);
  function decorate(...args: unknown[]): void {
    const [cls, context] = args;
    if (args.length === 2 && typeof context === 'object' && context !== null && 'kind' in context) {
      const { kind, name } = context as DecoratorContext;
      if (kind !== 'class') {
        throw new TypeError(`${DECORATOR} decorates classes, not a ${kind} (${String(name)}); use it on the class`);
      }
    } else if (args.length !== 1) {
      throw new TypeError(`${DECORATOR} decorates classes; use it on the class, not on a member`);
    }
    if (typeof cls !== 'function') throw new TypeError(`${DECORATOR}: expected a class, got ${show(cls)}`);
    instrumentClass(cls as AnyFunction, resolved);
  }
  return decorate as InstrumentedClassDecorator;
}

interface ResolvedOptions {
  readonly registry: Registry;
  readonly names: Readonly<Required<InstrumentedNames>>;
  readonly className: string | undefined;
  readonly buckets: readonly number[] | undefined;
  readonly native: true | NativeHistogramOptions | undefined;
}

/** Validates the options; every error names the decorator, the option and the value. */
function resolveOptions(options: unknown): ResolvedOptions {
  checkOptions(DECORATOR, options, OPTION_NAMES);
  const { prefix = '', names = {}, registry = defaultRegistry, className, buckets, native } = options;
  if (typeof prefix !== 'string' || (prefix !== '' && !NAME_START.test(prefix))) {
    throw new TypeError(
      `${DECORATOR}: option prefix must be a string that can start a metric name (${NAME_START.source}), ` +
        `got ${show(prefix)}`,
    );
  }
  checkOptions(`${DECORATOR}: option names`, names, NAME_KEYS);
  const full: Record<string, string> = {};
  for (const key of NAME_KEYS) {
    const name = names[key] ?? INSTRUMENTED_DEFAULT_NAMES[key as keyof InstrumentedNames];
    if (typeof name !== 'string' || name === '') {
      throw new TypeError(`${DECORATOR}: option names.${key} must be a non-empty string, got ${show(name)}`);
    }
    full[key] = `${prefix}${name}`;
  }
  if (!(registry instanceof Registry)) {
    throw new TypeError(
      `${DECORATOR}: option registry must be a Registry (the classes share the metrics through it), ` +
        `got ${show(registry)}`,
    );
  }
  if (className !== undefined && (typeof className !== 'string' || className === '')) {
    throw new TypeError(`${DECORATOR}: option className must be a non-empty string, got ${show(className)}`);
  }
  if (buckets !== undefined && !Array.isArray(buckets)) {
    throw new TypeError(`${DECORATOR}: option buckets must be an array of bounds in seconds, got ${show(buckets)}`);
  }
  if (native !== undefined && native !== true && (typeof native !== 'object' || native === null)) {
    throw new TypeError(`${DECORATOR}: option native must be true or native histogram options, got ${show(native)}`);
  }
  return {
    registry,
    names: full as Required<InstrumentedNames>,
    className: className as string | undefined,
    buckets: buckets as readonly number[] | undefined,
    native: native as true | NativeHistogramOptions | undefined,
  };
}

/**
 * Makes (or, through the registry's rule that an identical definition returns the registered
 * metric, finds) the three metrics. A metric of the same name defined otherwise is an error
 * naming the decorator.
 */
function makeMetrics(options: ResolvedOptions): CallMetrics {
  const { registry, names } = options;
  // A failed call changes nothing: the metrics it registered before failing are unregistered.
  const registeredBefore = new Set(registry.getMetrics());
  try {
    return makeEachMetric(registry, names, options);
  } catch (error) {
    for (const metric of registry.getMetrics()) if (!registeredBefore.has(metric)) registry.unregister(metric);
    throw error;
  }
}

function makeEachMetric(
  registry: Registry | null,
  names: Readonly<Required<InstrumentedNames>>,
  options: ResolvedOptions,
): CallMetrics {
  const describe = (what: string): string =>
    `${DECORATOR}: cannot make the ${what} metric (check options names, prefix, buckets, native)`;
  const calls = withContext(describe('calls'), () => {
    const help = 'Calls of methods measured by @Instrumented, by class, method and result (ok or error).';
    return new Counter({ name: names.calls, help, labelNames: ['class', 'method', 'result'], registry });
  });
  const duration = withContext(describe('duration'), () => {
    const help = 'Duration of calls of methods measured by @Instrumented, in seconds (async ones until they settle).';
    return new Histogram({
      name: names.duration,
      help,
      labelNames: ['class', 'method'],
      registry,
      ...(options.buckets === undefined ? {} : { buckets: options.buckets }),
      ...(options.native === undefined ? {} : { native: options.native }),
    });
  });
  const inFlight = withContext(describe('in-flight'), () => {
    const help = 'Calls of methods measured by @Instrumented that have started and not yet settled.';
    return new Gauge({ name: names.inFlight, help, labelNames: ['class', 'method'], registry });
  });
  return { calls, duration, inFlight };
}

/** Runs `make`; an error it throws comes out as an error of the same kind, its message prefixed with `context`. */
function withContext<T>(context: string, make: () => T): T {
  try {
    return make();
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    const Class = error instanceof RangeError ? RangeError : error instanceof TypeError ? TypeError : Error;
    throw new Class(`${context}: ${error.message}`, { cause: error });
  }
}

/** Makes (or finds) the metrics once the class is known to be measurable, then wraps its methods. */
function instrumentClass(cls: AnyFunction, options: ResolvedOptions): void {
  const className = options.className ?? cls.name;
  if (className === '') {
    throw new TypeError(`${DECORATOR}: the class has no name; give one with the className option`);
  }
  const metrics = makeMetrics(options);
  wrapClassMethods(
    cls,
    measurableMethods(cls),
    (method) => callMetricHooks(DECORATOR, metrics, className, method.name, siteOf(className, method.name)),
    (method) => siteOf(className, method.name),
  );
}

function siteOf(className: string, methodName: string): { description: string } {
  return { description: `${className}.${methodName}` };
}

/** A method decorator usable bare (`@NotInstrumented`) or called (`@NotInstrumented()`), in both modes. */
export interface NotInstrumentedDecorator {
  /** Standard (TC39) method decorator. */
  <F extends (...args: never[]) => unknown>(method: F, context: ClassMethodDecoratorContext): F;
  /** Legacy (`experimentalDecorators`) method decorator. */
  (target: object, propertyKey: string | symbol, descriptor: PropertyDescriptor): PropertyDescriptor;
  /** `@NotInstrumented()`: the decorator itself. */
  (): NotInstrumentedDecorator;
}

/**
 * Leaves one method out of its class's {@link Instrumented} measurement (and out of that of
 * subclasses that inherit it). Use it bare or called: `@NotInstrumented` or `@NotInstrumented()`.
 * Other decorators on the method are unaffected, in whichever order they are listed.
 */
export const NotInstrumented: NotInstrumentedDecorator = function NotInstrumented(...args: unknown[]): unknown {
  const [first, second, third] = args;
  if (args.length === 0) return NotInstrumented;
  if (args.length === 2 && typeof second === 'object' && second !== null && 'kind' in second) {
    const context = second as ClassMethodDecoratorContext;
    if (context.kind !== 'method') {
      throw new TypeError(`@NotInstrumented marks methods, not a ${context.kind} (${String(context.name)})`);
    }
    if (context.static) {
      throw new TypeError(
        `@NotInstrumented on static method ${String(context.name)}: static methods are never measured`,
      );
    }
    if (typeof first === 'function') markNotInstrumented(first);
    return first;
  }
  if (args.length === 3 && typeof third === 'object' && third !== null) {
    const descriptor = third as PropertyDescriptor;
    const key = second as string | symbol;
    if (typeof first === 'function') {
      throw new TypeError(
        `@NotInstrumented on static method ${first.name}.${String(key)}: static methods are never measured`,
      );
    }
    if (typeof descriptor.value !== 'function') {
      throw new TypeError(`@NotInstrumented marks methods, not an accessor or field (${String(key)})`);
    }
    markNotInstrumented(descriptor.value as object, first as object, key);
    return descriptor;
  }
  throw new TypeError('@NotInstrumented: apply it to a method');
} as NotInstrumentedDecorator;
