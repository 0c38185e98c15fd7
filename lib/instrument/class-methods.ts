/**
 * Wrapping every method of a class at once (what `@Instrumented` does), in either decorator mode:
 * which prototype methods count, the per-method opt-out mark, and the descriptor replacement.
 *
 * The class itself is never replaced, only methods on its prototype: `instanceof`, the class name,
 * static members and framework registrations (NestJS DI and routes) keep pointing at the same class.
 * Inherited methods get a wrapper on the decorated class's own prototype, so the base class is
 * unchanged for its other subclasses and its own instances.
 */
import { type CallHooks, copyMetadata, type DecorationSite, wrapFunction } from './method-decorator.js';

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

/** The reflect-metadata key of the opt-out mark; reflect-metadata entries are copied onto our wrappers. */
const OPT_OUT = Symbol('prometric.notInstrumented');

/** Marked functions, for when reflect-metadata is not loaded (a bundle without it). */
const optedOutFunctions = new WeakSet<object>();

/** Legacy mode only: opt-outs by prototype and key, whatever wrappers other decorators put around the method. */
const optedOutKeys = new WeakMap<object, Set<string | symbol>>();

/** Each class-level wrapper to the function it wraps, so that a subclass measures an inherited method once. */
const classWrapped = new WeakMap<object, AnyFunction>();

interface MetadataApi {
  defineMetadata?(key: unknown, value: unknown, target: object): void;
  getMetadata?(key: unknown, target: object): unknown;
}

/** Marks a method function as not to be measured by a class decorator. */
export function markNotInstrumented(method: object, prototype?: object, key?: string | symbol): void {
  optedOutFunctions.add(method);
  // Kept as metadata too: a method decorator applied after this one copies it onto its wrapper.
  (Reflect as MetadataApi).defineMetadata?.(OPT_OUT, true, method);
  if (prototype !== undefined && key !== undefined) {
    let keys = optedOutKeys.get(prototype);
    if (keys === undefined) optedOutKeys.set(prototype, (keys = new Set()));
    keys.add(key);
  }
}

function isOptedOut(method: object, owner: object, key: string): boolean {
  return (
    optedOutFunctions.has(method) ||
    (Reflect as MetadataApi).getMetadata?.(OPT_OUT, method) === true ||
    optedOutKeys.get(owner)?.has(key) === true
  );
}

const GENERATOR_PROTOTYPES: readonly object[] = [
  Object.getPrototypeOf(function* () {}) as object,
  Object.getPrototypeOf(async function* () {}) as object,
];

/** A method the class decorator measures: found on the prototype chain, by name. */
export interface ClassMethod {
  readonly name: string;
  /** The function found, nearest the class first. */
  readonly method: AnyFunction;
  /** The prototype the method was found on. */
  readonly owner: object;
  readonly descriptor: PropertyDescriptor;
}

/**
 * The methods to measure: own and inherited prototype methods with string names, nearest
 * definition first, up to but excluding Object.prototype. Left out: the constructor, getters and
 * setters (never invoked here), symbol-named methods, generator methods (a call returns before any
 * of their work runs), and methods marked with {@link markNotInstrumented}.
 */
export function measurableMethods(cls: AnyFunction): ClassMethod[] {
  const found: ClassMethod[] = [];
  const seen = new Set<string>(['constructor']);
  for (
    let owner: object | null = cls.prototype as object;
    owner !== null && owner !== Object.prototype;
    owner = Object.getPrototypeOf(owner) as object | null
  ) {
    for (const name of Object.getOwnPropertyNames(owner)) {
      if (seen.has(name)) continue;
      seen.add(name);
      const descriptor = Object.getOwnPropertyDescriptor(owner, name)!;
      const method: unknown = descriptor.value;
      if (typeof method !== 'function') continue;
      if (GENERATOR_PROTOTYPES.includes(Object.getPrototypeOf(method) as object)) continue;
      if (isOptedOut(method, owner, name)) continue;
      found.push({ name, method: method as AnyFunction, owner, descriptor });
    }
  }
  return found;
}

/**
 * Replaces each method on the class's own prototype with a wrapper running the hooks `hooksFor`
 * gives for it. An inherited method's wrapper calls the method the parent prototype holds at call
 * time (as a plain inherited call would; a stub put on the base class is seen), or, when that is
 * itself a class-level wrapper of a decorated base class, what that wrapper wraps: one call, one
 * measurement, labelled with the decorated class.
 */
export function wrapClassMethods<S>(
  cls: AnyFunction,
  methods: readonly ClassMethod[],
  hooksFor: (method: ClassMethod) => CallHooks<S>,
  siteFor: (method: ClassMethod) => DecorationSite,
): void {
  const prototype = cls.prototype as Record<string, unknown>;
  for (const found of methods) {
    const own = found.owner === prototype;
    if (own && found.descriptor.configurable === false && found.descriptor.writable === false) continue;
    const target = own ? found.method : inheritedCall(prototype, found);
    const wrapper = wrapFunction(target, hooksFor(found), siteFor(found));
    classWrapped.set(wrapper, target);
    Object.defineProperty(prototype, found.name, {
      value: wrapper,
      writable: found.descriptor.writable,
      enumerable: found.descriptor.enumerable,
      configurable: found.descriptor.configurable,
    });
  }
}

/** A function calling the inherited method, looked up on the parent prototype at each call. */
function inheritedCall(prototype: object, found: ClassMethod): AnyFunction {
  const parent = Object.getPrototypeOf(prototype) as Record<string, unknown>;
  const { name } = found;
  const call = function (this: unknown, ...args: unknown[]): unknown {
    const method = parent[name] as AnyFunction;
    return (classWrapped.get(method) ?? method).apply(this, args);
  };
  // Name, length and metadata as the inherited method's, for the wrapper to copy.
  Object.defineProperty(call, 'name', { value: found.method.name, configurable: true });
  Object.defineProperty(call, 'length', { value: found.method.length, configurable: true });
  copyMetadata(found.method, call);
  return call;
}
