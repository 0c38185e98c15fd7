/** Info: constant key-value facts about the target (a version, a build), exposed as `<name>_info 1`. */
import { NO_LABELS } from '../labels.js';
import type { CollectOptions, Labels, Sample } from '../snapshot.js';
import { assertLabelName, isWellFormed, notWellFormed, show } from '../validation.js';
import { normalizeConfig, type ExtraOptions, type InfoConfig } from './config.js';

export type { InfoConfig } from './config.js';
import { Metric, type Definition } from './metric.js';
import { OWNER, Series } from './series.js';

/** A series' facts, as labels (private to this module). */
let factsOf: (child: InfoChild) => Labels;
let clearFacts: (child: InfoChild) => void;

/** One info series: its facts change only through info(). */
export class InfoChild extends Series {
  #facts: Labels = NO_LABELS;
  readonly #metric: Info<string>;

  /** @internal */
  get [OWNER](): Info<string> {
    return this.#metric;
  }

  static {
    factsOf = (child) => child.#facts;
    clearFacts = (child) => {
      child.#facts = NO_LABELS;
    };
  }

  /** @internal */
  constructor(slot: number, metric: Info<string>) {
    super(slot);
    this.#metric = metric;
  }

  /** Sets the facts, replacing earlier ones. Values are copied. */
  info(values: Readonly<Record<string, string>>): void {
    this.#facts = this.#metric.validFacts(values);
  }
}

/**
 * Constant information about the target, as a labeled series with value 1.
 *
 * ```ts
 * new Info('build', 'Build information').info({ version: '1.2', revision: 'abc123' });
 * // build_info{version="1.2",revision="abc123"} 1
 * ```
 */
export class Info<L extends string = never> extends Metric<L, InfoChild> {
  readonly type = 'info' as const;
  /** @internal */
  private readonly infoName = `${this.name}_info`;

  /**
   * Python-style: `(name, help, labelNames?, options?)`. Returns the metric already registered
   * under this name when its definition is identical; throws when it differs.
   */
  constructor(name: string, help: string, labelNames?: readonly L[], options?: ExtraOptions<InfoConfig<L>>);
  /** With one options object: `{ name, help, labelNames, registry, unit, ... }`. */
  constructor(config: InfoConfig<L>);
  constructor(...args: unknown[]) {
    // `_info` given in the name belongs to the sample, not the family.
    const { common } = normalizeConfig<L, InfoConfig<L>>('Info', args, [], '_info');
    // OpenMetrics: info families have no unit (parsers refuse a UNIT line on them).
    if (common.unit !== '')
      throw new TypeError(`Info ${common.name}: an info metric cannot have a unit, got ${show(common.unit)}`);
    super(common);
    return this.initialize();
  }

  /** Sets the facts of the info metric without labels. */
  info(values: Readonly<Record<string, string>>): void {
    this.only().info(values);
  }

  /**
   * @internal Validates info labels (names valid, not clashing with the metric's labels;
   * well-formed string values) and returns a copy of them.
   */
  validFacts(values: Readonly<Record<string, string>>): Labels {
    if (typeof values !== 'object' || values === null || Array.isArray(values)) {
      throw new TypeError(`Info ${this.name}: info() needs an object of label values, got ${show(values)}`);
    }
    const names = Object.keys(values);
    const facts: Record<string, string> = {};
    for (const name of names) {
      assertLabelName(this.name, name);
      if ((this.labelNames as readonly string[]).includes(name)) {
        throw new TypeError(`Info ${this.name}: info label ${show(name)} clashes with the metric's label names`);
      }
      const value = values[name];
      if (typeof value !== 'string') {
        throw new TypeError(`Info ${this.name}: info label ${show(name)} must be a string, got ${show(value)}`);
      }
      if (!isWellFormed(value)) throw notWellFormed(`Info ${this.name}: info label ${show(name)}`, value);
      facts[name] = value;
    }
    return Object.freeze(facts);
  }

  /** @internal The declared label names and every info label name in use. */
  override seriesLabelNames(): readonly string[] {
    const names = new Set<string>(this.labelNames);
    for (const child of this.children.values()) for (const name in factsOf(child)) names.add(name);
    return names.size === this.labelNames.length ? this.labelNames : [...names];
  }

  /** @internal */
  protected newChild(slot: number): InfoChild {
    return new InfoChild(slot, this as Info<string>);
  }

  /** @internal */
  protected resetChild(child: InfoChild): void {
    clearFacts(child);
  }

  /** @internal */
  protected override collectChild(child: InfoChild, labels: Labels, out: Sample[], _options: CollectOptions): void {
    out.push({ name: this.infoName, labels: { ...labels, ...factsOf(child) }, value: 1 });
  }

  /** @internal */
  protected extraDefinition(): Definition {
    return {};
  }

  /** @internal */
  sampleNames(): readonly string[] {
    return [this.name, this.infoName];
  }
}
