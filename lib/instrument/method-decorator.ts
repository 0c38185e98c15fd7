/**
 * One function that works as a method decorator in both TypeScript modes (legacy
 * `experimentalDecorators` and standard TC39) and as a plain function wrapper:
 *
 *   @decorator method() {}            // either decorator mode
 *   const wrapped = decorator(fn);    // a plain function
 *
 * The wrapper changes nothing the method does: `this`, arguments, the return value (the same
 * object, a promise included) and a thrown error (the same object) pass through. A returned
 * thenable is observed until it settles; a sync result gets no promise added. The wrapper keeps
 * the original's `name` and `length`, and the reflect-metadata entries stored on it, so framework
 * decorators (NestJS `@Get()`) work in either order.
 */
import { createRequire } from 'node:module';
import { settled } from './settled.js';

/**
 * Installs the reflect-metadata polyfill at import (TypeScript's emitted design:* metadata needs it).
 * Through require(): an ES import of this CommonJS file costs about three times the CPU (Node scans
 * its 64 KB for named exports first). An application bundled without node_modules, whose bundler did
 * not follow this require(), goes without ours: copyMetadata then copies what its own polyfill holds,
 * if it has one.
 */
function installReflectMetadata(): void {
  try {
    createRequire(import.meta.url)('reflect-metadata');
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code !== 'MODULE_NOT_FOUND') throw error;
  }
}
installReflectMetadata();

/** How a call ended: with a result or with an error. */
export type Outcome =
  | { readonly result: unknown; readonly error?: undefined }
  | { readonly error: unknown; readonly result?: undefined };

/** What a decorator does around each call. `start` runs before, `finish` once the call has settled. */
export interface CallHooks<S> {
  start(args: readonly unknown[]): S;
  finish(state: S, args: readonly unknown[], outcome: Outcome): void;
}

/** Where a decorator was applied, for error messages. */
export interface DecorationSite {
  /** `Orders.place`, `Orders.place (static)`, or the function's name. */
  readonly description: string;
}

/** A decorator usable in both decorator modes and on plain functions. */
export interface MethodDecorator {
  /** Standard (TC39) method decorator. */
  <F extends (...args: never[]) => unknown>(method: F, context: ClassMethodDecoratorContext): F;
  /** Legacy (`experimentalDecorators`) method decorator. */
  (target: object, propertyKey: string | symbol, descriptor: PropertyDescriptor): PropertyDescriptor;
  /** Wraps a plain function. */
  <F extends (...args: never[]) => unknown>(fn: F): F;
}

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

function describeLegacy(target: object, key: string | symbol): string {
  const isStatic = typeof target === 'function';
  const className = isStatic ? (target as AnyFunction).name : (target.constructor as AnyFunction | undefined)?.name;
  return `${className || '(anonymous class)'}.${String(key)}${isStatic ? ' (static)' : ''}`;
}

/**
 * The library's directory, to tell our own stack frames from the caller's: the parent of this
 * module's folder when the modules are files of their own (lib/instrument/, dist/instrument/), the
 * bundle's folder when bundled (dist/, or dist/ above a chunks/ folder).
 */
const OWN_DIRECTORY = ((): string => {
  const here = new URL('.', import.meta.url).href;
  return here.endsWith('/instrument/') || here.endsWith('/chunks/') ? new URL('..', here).href : here;
})();

/** The first stack frame outside this library: where a standard decorator was applied. */
function callerLocation(): string {
  const frames = (new Error().stack ?? '').split('\n').slice(1);
  // Skip our frames and the helpers tsc emits to apply decorators, to land in the class itself.
  const outside = frames.find(
    (f) =>
      !f.includes(OWN_DIRECTORY) &&
      !f.includes('node:internal') &&
      !/\b__(esDecorate|runInitializers|decorate)\b/.test(f),
  );
  return outside ? outside.trim().replace(/^at /, '') : 'unknown location';
}

function describeStandard(context: ClassMethodDecoratorContext): string {
  // Standard decorators are not told the class; name the method and where the class is defined.
  return `method ${String(context.name)}${context.static ? ' (static)' : ''} of the class at ${callerLocation()}`;
}

/** Copies reflect-metadata entries kept on the original function onto the wrapper. */
export function copyMetadata(from: object, to: object): void {
  const reflect = Reflect as unknown as {
    getOwnMetadataKeys?(target: object): unknown[];
    getOwnMetadata?(key: unknown, target: object): unknown;
    defineMetadata?(key: unknown, value: unknown, target: object): void;
  };
  if (!reflect.getOwnMetadataKeys || !reflect.getOwnMetadata || !reflect.defineMetadata) return;
  for (const key of reflect.getOwnMetadataKeys(from)) {
    reflect.defineMetadata(key, reflect.getOwnMetadata(key, from), to);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Metric updates must never change what the method does; a failure there (a label function
 * that throws, say) is reported as a process warning instead.
 */
function reportHookFailure(site: DecorationSite, error: unknown): void {
  // The global, not an import of node:process: making that module's ES namespace reads every
  // property of process, which sets up its stdio streams, among others.
  process.emitWarning(
    `prometric: updating the metric for ${site.description} failed: ${error instanceof Error ? error.message : String(error)}`,
    'PrometricWarning',
  );
}

/**
 * A thenable that is not a native promise may be lazy: calling `then` can run it (a query
 * builder executes on `then`). So instead of subscribing, we wrap `then` on the object itself:
 * the outcome is seen when the caller consumes it, and nothing runs twice. A frozen thenable
 * cannot be wrapped; it is observed by subscribing, as a promise is.
 */
function observeThenable(
  thenable: PromiseLike<unknown>,
  settle: (outcome: Outcome) => void,
  site: DecorationSite,
): void {
  let settled = false;
  const once = (outcome: Outcome): void => {
    if (settled) return;
    settled = true;
    settle(outcome);
  };
  const originalThen = thenable.then;
  const wrappedThen = function (
    this: unknown,
    onFulfilled?: (value: unknown) => unknown,
    onRejected?: (error: unknown) => unknown,
  ): unknown {
    return originalThen.call(
      this,
      (value: unknown) => {
        once({ result: value });
        return typeof onFulfilled === 'function' ? onFulfilled(value) : value;
      },
      (error: unknown) => {
        once({ error });
        if (typeof onRejected === 'function') return onRejected(error);
        throw error;
      },
    );
  };
  try {
    Object.defineProperty(thenable, 'then', {
      value: wrappedThen,
      configurable: true,
      writable: true,
      enumerable: false,
    });
  } catch {
    try {
      thenable.then(
        (value) => once({ result: value }),
        (error) => once({ error }),
      );
    } catch (error) {
      reportHookFailure(site, error);
    }
  }
}

/**
 * On our wrappers: tells one that another of ours wraps it (stacked decorators), so that only the
 * outermost reports a settled call, once every decorator of the call has recorded.
 */
const NESTED = Symbol('prometric.nested');

/** Wraps `original` with the hooks, keeping name, length and metadata. */
export function wrapFunction<S>(original: AnyFunction, hooks: CallHooks<S>, site: DecorationSite): AnyFunction {
  let outermost = true;
  (original as { [NESTED]?: () => void })[NESTED]?.();
  const finish = (state: S, args: readonly unknown[], outcome: Outcome): void => {
    try {
      hooks.finish(state, args, outcome);
    } catch (error) {
      reportHookFailure(site, error);
    }
  };
  // The caller subscribes to the promise only after we return it, so our reaction runs before the
  // caller's: the settled listener acts before the caller resumes. Stacked decorators' reactions
  // run inner first: the outermost one tells it, when all of them have recorded.
  const finishSettled = (state: S, args: readonly unknown[], outcome: Outcome): void => {
    finish(state, args, outcome);
    if (!outermost) return;
    try {
      settled();
    } catch (error) {
      reportHookFailure(site, error);
    }
  };
  const wrapper = function (this: unknown, ...args: unknown[]): unknown {
    let state: S;
    try {
      state = hooks.start(args);
    } catch (error) {
      reportHookFailure(site, error);
      return original.apply(this, args);
    }
    let result: unknown;
    try {
      result = original.apply(this, args);
    } catch (error) {
      finish(state, args, { error });
      throw error;
    }
    if (result instanceof Promise) {
      // Observing a promise runs nothing again; the caller gets the very same object.
      result.then(
        (value) => finishSettled(state, args, { result: value }),
        (error) => finishSettled(state, args, { error }),
      );
      return result;
    }
    if (isThenable(result)) {
      observeThenable(result, (outcome) => finishSettled(state, args, outcome), site);
      return result;
    }
    finish(state, args, { result });
    return result;
  };
  Object.defineProperty(wrapper, 'name', { value: original.name, configurable: true });
  Object.defineProperty(wrapper, 'length', { value: original.length, configurable: true });
  Object.defineProperty(wrapper, NESTED, { value: () => (outermost = false) });
  copyMetadata(original, wrapper);
  return wrapper;
}

/**
 * Builds a decorator. `prepare` runs once where the decorator is applied (at class definition
 * time), validates, and returns the hooks; an error it throws names the decoration site.
 */
export function createMethodDecorator<S>(
  decoratorName: string,
  prepare: (site: DecorationSite) => CallHooks<S>,
): MethodDecorator {
  const build = (original: unknown, site: DecorationSite): AnyFunction => {
    if (typeof original !== 'function') {
      throw new TypeError(
        `${decoratorName} on ${site.description}: can only decorate a method or function, got ${typeof original}`,
      );
    }
    return wrapFunction(original as AnyFunction, prepare(site), site);
  };
  function decorator(...args: unknown[]): unknown {
    const [first, second, third] = args;
    if (args.length === 1) {
      const fn = first as AnyFunction;
      return build(fn, { description: `function ${(typeof fn === 'function' && fn.name) || '(anonymous)'}` });
    }
    if (args.length === 2 && typeof second === 'object' && second !== null && 'kind' in second) {
      const context = second as ClassMethodDecoratorContext;
      if (context.kind !== 'method') {
        throw new TypeError(`${decoratorName} decorates methods, not a ${context.kind} (${String(context.name)})`);
      }
      return build(first, { description: describeStandard(context) });
    }
    if (args.length === 3 && typeof third === 'object' && third !== null) {
      const descriptor = third as PropertyDescriptor;
      const site = { description: describeLegacy(first as object, second as string | symbol) };
      descriptor.value = build(descriptor.value, site);
      return descriptor;
    }
    throw new TypeError(`${decoratorName}: apply it to a method, or call it on a function`);
  }
  return decorator as MethodDecorator;
}
