/** The V8 heap: its totals from `process.memoryUsage()` and each space from `v8.getHeapSpaceStatistics()`. */
import type { CollectedFamily, CollectedSample } from '../registry.js';
import type { Families, Part } from './families.js';

export class HeapMetrics implements Part {
  private readonly total: string;
  private readonly used: string;
  private readonly external: string;
  private readonly spaceTotal: string;
  private readonly spaceUsed: string;
  private readonly spaceAvailable: string;

  constructor(private readonly families: Families) {
    this.total = families.name('nodejs_heap_size_total_bytes');
    this.used = families.name('nodejs_heap_size_used_bytes');
    this.external = families.name('nodejs_external_memory_bytes');
    this.spaceTotal = families.name('nodejs_heap_space_size_total_bytes');
    this.spaceUsed = families.name('nodejs_heap_space_size_used_bytes');
    this.spaceAvailable = families.name('nodejs_heap_space_size_available_bytes');
  }

  collect(out: CollectedFamily[]): void {
    const f = this.families;
    const memory = process.memoryUsage();
    out.push(
      f.gauge(this.total, 'Process heap size from Node.js in bytes.', memory.heapTotal),
      f.gauge(this.used, 'Process heap size used from Node.js in bytes.', memory.heapUsed),
      f.gauge(this.external, 'Node.js external memory size in bytes.', memory.external),
    );
    const total: CollectedSample[] = [];
    const used: CollectedSample[] = [];
    const available: CollectedSample[] = [];
    // node:v8 is loaded by the first scrape rather than at import.
    for (const space of process.getBuiltinModule('node:v8').getHeapSpaceStatistics()) {
      // `new_space` is exposed as space="new", as prom-client does.
      const name = space.space_name.endsWith('_space') ? space.space_name.slice(0, -'_space'.length) : space.space_name;
      const labels = f.with({ space: name });
      total.push({ labels, value: space.space_size });
      used.push({ labels, value: space.space_used_size });
      available.push({ labels, value: space.space_available_size });
    }
    out.push(
      {
        name: this.spaceTotal,
        help: 'Process heap space size total from Node.js in bytes.',
        type: 'gauge',
        samples: total,
      },
      {
        name: this.spaceUsed,
        help: 'Process heap space size used from Node.js in bytes.',
        type: 'gauge',
        samples: used,
      },
      {
        name: this.spaceAvailable,
        help: 'Process heap space size available from Node.js in bytes.',
        type: 'gauge',
        samples: available,
      },
    );
  }
}
