/**
 * What keeps the event loop alive: libuv handles and requests by C++ class name, and async
 * resources by type, each with its total.
 *
 * prom-client names the totals `nodejs_active_{handles,requests,resources}_total` but types them
 * gauges, which `promtool check metrics` rejects (a non-counter with a `_total` suffix). The names
 * stay, for the dashboards that query them; the type is `unknown` (text format: untyped), which
 * PromQL treats the same and promtool accepts.
 *
 * `process._getActiveHandles()` aborts the process (a failed CHECK in Node's C++, which
 * `getActiveResourcesInfo()` guards against and it does not) when it meets a ref'd handle whose
 * object was just garbage collected: in practice, an event loop delay monitor created, never
 * enabled, and dropped. prom-client shares this; it is why the monitors here are enabled at once.
 */
import type { CollectedFamily } from '../registry.js';
import type { Families, Part } from './families.js';

/** Node's undocumented (but long-standing) lists of handles and requests; absent on other runtimes. */
interface ProcessInternals {
  _getActiveHandles?: () => unknown[];
  _getActiveRequests?: () => unknown[];
}

interface Kind {
  readonly name: string;
  readonly help: string;
  readonly totalName: string;
  readonly totalHelp: string;
  /** The type of each active item. */
  readonly list: () => readonly string[];
}

/** Class names of the objects, as prom-client groups handles and requests. */
function classNames(items: readonly unknown[]): string[] {
  const names: string[] = [];
  for (const item of items) {
    const name = (item as { constructor?: { name?: unknown } } | null)?.constructor?.name;
    if (typeof name === 'string') names.push(name);
  }
  return names;
}

export class ActiveResources implements Part {
  private readonly kinds: Kind[] = [];

  constructor(private readonly families: Families) {
    const internals = process as unknown as ProcessInternals;
    // prom-client's names and help texts, kept so that dashboards carry over.
    const add = (noun: string, help: string, totalHelp: string, list: () => string[]): void => {
      this.kinds.push({
        name: families.name(`nodejs_active_${noun}`),
        help,
        totalName: families.name(`nodejs_active_${noun}_total`),
        totalHelp,
        list,
      });
    };
    const handles = internals._getActiveHandles;
    const requests = internals._getActiveRequests;
    const resources =
      typeof process.getActiveResourcesInfo === 'function' ? () => process.getActiveResourcesInfo() : undefined;
    const kinds: Array<[noun: string, help: string, totalHelp: string, list: (() => string[]) | undefined]> = [
      [
        'resources',
        'Number of active resources that are currently keeping the event loop alive, grouped by async resource type.',
        'Total number of active resources.',
        resources,
      ],
      [
        'handles',
        'Number of active libuv handles grouped by handle type. Every handle type is C++ class name.',
        'Total number of active handles.',
        typeof handles === 'function' ? () => classNames(handles.call(process)) : undefined,
      ],
      [
        'requests',
        'Number of active libuv requests grouped by request type. Every request type is C++ class name.',
        'Total number of active requests.',
        typeof requests === 'function' ? () => classNames(requests.call(process)) : undefined,
      ],
    ];
    for (const [noun, help, totalHelp, list] of kinds) if (list !== undefined) add(noun, help, totalHelp, list);
  }

  collect(out: CollectedFamily[]): void {
    const f = this.families;
    for (const kind of this.kinds) {
      const items = kind.list();
      const counts = new Map<string, number>();
      for (const type of items) counts.set(type, (counts.get(type) ?? 0) + 1);
      out.push(f.labeled(kind.name, kind.help, 'gauge', 'type', counts), {
        name: kind.totalName,
        help: kind.totalHelp,
        type: 'unknown',
        samples: [{ labels: f.labels, value: items.length }],
      });
    }
  }
}
