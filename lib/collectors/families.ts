/**
 * What every default-metrics part shares: the prefixed names and constant labels of one
 * `collectDefaultMetrics` call, and the shape of a part.
 */
import type { CollectedFamily, CollectedSample } from '../registry.js';

/** Label values as the registry's collectors give them. */
export type SampleLabels = Readonly<Record<string, string>>;

/** One concern of the default metrics (process, heap, GC, ...). */
export interface Part {
  /**
   * Appends this part's families to `out`. A part that must wait (the event loop lag) pushes its
   * family at once, fills it in later and returns a promise, so the order of families stays fixed.
   */
  collect(out: CollectedFamily[]): void | Promise<void>;
  /** Releases whatever the part started (monitors, observers). */
  stop?(): void;
}

/** A family whose samples a part fills in after pushing it. */
export interface PendingFamily extends CollectedFamily {
  readonly samples: CollectedSample[];
}

/** Builds families with the prefix and constant labels of one `collectDefaultMetrics` call. */
export class Families {
  constructor(
    private readonly prefix: string,
    /** The `labels` option, added to every sample. */
    readonly labels: SampleLabels,
  ) {}

  /** The exposed name of a default metric. */
  name(base: string): string {
    return this.prefix + base;
  }

  /** A gauge with one sample. */
  gauge(name: string, help: string, value: number): CollectedFamily {
    return { name, help, type: 'gauge', samples: [{ labels: this.labels, value }] };
  }

  /** A counter with one sample; `name` is the family name, without `_total`. */
  counter(name: string, help: string, value: number): CollectedFamily {
    return { name, help, type: 'counter', samples: [{ name: `${name}_total`, labels: this.labels, value }] };
  }

  /** A family with one sample per entry of `values`, told apart by the label `label`. */
  labeled(
    name: string,
    help: string,
    type: 'gauge',
    label: string,
    values: ReadonlyMap<string, number>,
  ): CollectedFamily {
    const samples: CollectedSample[] = [];
    for (const [key, value] of values) samples.push({ labels: this.with({ [label]: key }), value });
    return { name, help, type, samples };
  }

  /** The labels of one sample: `extra` and the constant labels. */
  with(extra: SampleLabels): SampleLabels {
    return { ...extra, ...this.labels };
  }
}
