/** Enum: which one of a fixed set of states something is in (OpenMetrics StateSet). */
import type { CollectOptions, Labels, Sample } from '../snapshot.js';
import { isWellFormed, notWellFormed, show } from '../validation.js';
import { normalizeConfig, type ExtraOptions, type EnumConfig } from './config.js';

export type { EnumConfig } from './config.js';
import { Metric, type Definition } from './metric.js';
import { OWNER, Series } from './series.js';

/** Index of a series' current state (private to this module). */
let currentOf: (child: EnumChild) => number;
let resetState: (child: EnumChild) => void;

/** One enum series: its state changes only through state(). */
export class EnumChild<S extends string = string> extends Series {
  #current = 0;
  readonly #metric: Enum<string, S>;

  /** @internal */
  get [OWNER](): Enum<string, S> {
    return this.#metric;
  }

  static {
    currentOf = (child) => child.#current;
    resetState = (child) => {
      child.#current = 0;
    };
  }

  /** @internal */
  constructor(slot: number, metric: Enum<string, S>) {
    super(slot);
    this.#metric = metric;
  }

  /** Moves to `state`, which must be one of the declared states. */
  state(state: S): void {
    this.#current = this.#metric.stateIndex(state);
  }

  /** The current state. */
  get(): S {
    return this.#metric.states[this.#current]!;
  }
}

/**
 * One series per state, valued 1 for the current state and 0 for the others; the state is a
 * label named like the metric.
 *
 * ```ts
 * const task = new Enum('task_state', 'State of the task', [], { states: ['starting', 'running', 'stopped'] });
 * task.state('running');
 * ```
 */
export class Enum<L extends string = never, S extends string = string> extends Metric<L, EnumChild<S>> {
  readonly type = 'stateset' as const;
  readonly states: readonly S[];
  /** @internal The declared label names and the state label, which is named like the metric. */
  private readonly allLabelNames: readonly string[];

  /**
   * Python-style: `(name, help, labelNames?, options?)`. Returns the metric already registered
   * under this name when its definition is identical; throws when it differs.
   */
  constructor(
    name: string,
    help: string,
    labelNames: readonly L[] | undefined,
    options: ExtraOptions<EnumConfig<L, S>>,
  );
  /** With one options object: `{ name, help, labelNames, registry, unit, ... }`. */
  constructor(config: EnumConfig<L, S>);
  constructor(...args: unknown[]) {
    const { common, options } = normalizeConfig<L, EnumConfig<L, S>>('Enum', args);
    if ((common.labelNames as readonly string[]).includes(common.name)) {
      throw new TypeError(`Enum ${common.name}: a label may not be named like the metric; that name holds the state`);
    }
    // OpenMetrics: stateset families have no unit (parsers refuse a UNIT line on them).
    if (common.unit !== '')
      throw new TypeError(`Enum ${common.name}: an enum cannot have a unit, got ${show(common.unit)}`);
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(common.name)) {
      throw new TypeError(`Enum ${common.name}: the name is used as the state's label name, so it may not contain ":"`);
    }
    super(common);
    const states = options.states;
    if (!Array.isArray(states) || states.length === 0) {
      throw new TypeError(`Enum ${this.name}: states must be a non-empty array of strings, got ${show(states)}`);
    }
    states.forEach((s, i) => {
      if (typeof s !== 'string')
        throw new TypeError(`Enum ${this.name}: state at index ${i} must be a string, got ${show(s)}`);
      if (!isWellFormed(s)) throw notWellFormed(`Enum ${this.name}: state at index ${i}`, s);
      if (states.indexOf(s) !== i) throw new TypeError(`Enum ${this.name}: state ${show(s)} is given twice`);
    });
    this.states = Object.freeze([...states]);
    this.allLabelNames = Object.freeze([...this.labelNames, this.name]);
    return this.initialize();
  }

  /** Moves the enum without labels to `state`. */
  state(state: S): void {
    this.only().state(state);
  }

  /** The current state of the enum without labels. */
  get(): S {
    return this.only().get();
  }

  /** @internal */
  stateIndex(state: unknown): number {
    const i = this.states.indexOf(state as S);
    if (i < 0) {
      throw new RangeError(`Enum ${this.name}: unknown state ${show(state)}; states are ${show(this.states)}`);
    }
    return i;
  }

  /** @internal */
  override seriesLabelNames(): readonly string[] {
    return this.allLabelNames;
  }

  /** @internal */
  protected newChild(slot: number): EnumChild<S> {
    return new EnumChild<S>(slot, this as unknown as Enum<string, S>);
  }

  /** @internal */
  protected resetChild(child: EnumChild<S>): void {
    resetState(child);
  }

  /** @internal */
  protected override collectChild(child: EnumChild<S>, labels: Labels, out: Sample[], _options: CollectOptions): void {
    const states = this.states;
    const current = currentOf(child);
    for (let i = 0; i < states.length; i++) {
      // The state label is named after the metric, as OpenMetrics' stateset has it.
      out.push({ name: this.name, labels: { ...labels, [this.name]: states[i]! }, value: i === current ? 1 : 0 });
    }
  }

  /** @internal */
  protected extraDefinition(): Definition {
    return { states: this.states };
  }

  /** @internal */
  sampleNames(): readonly string[] {
    return [this.name];
  }
}
