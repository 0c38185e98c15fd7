/**
 * process_* metrics, named and described as prom-client (and client_python) expose them.
 *
 * CPU time comes from `process.cpuUsage()` on every platform: it is getrusage(2), the same kernel
 * counters as utime/stime of /proc/self/stat, in microseconds instead of 10 ms ticks.
 */
import type { CollectedFamily } from '../registry.js';
import type { Families, Part } from './families.js';
import { fallbackSource, type ProcessSource } from './process-fallback.js';
import { procfsSource } from './process-procfs.js';

/** procfs where there is one (read once per process: the start time and limit do not change). */
let cachedSource: ProcessSource | undefined;
function processSource(): ProcessSource {
  if (cachedSource === undefined) {
    try {
      cachedSource = process.platform === 'linux' ? procfsSource() : fallbackSource();
    } catch {
      cachedSource = fallbackSource();
    }
  }
  return cachedSource;
}

export class ProcessMetrics implements Part {
  private readonly cpuUser: string;
  private readonly cpuSystem: string;
  private readonly cpu: string;
  private readonly rss: string;
  private readonly virtual: string;
  private readonly heap: string;
  private readonly openFds: string;
  /** Families whose value never changes, built once. */
  private readonly startTime: CollectedFamily;
  private readonly maxFds: CollectedFamily | undefined;

  constructor(
    private readonly families: Families,
    private readonly source: ProcessSource = processSource(),
  ) {
    const name = (base: string) => families.name(base);
    this.cpuUser = name('process_cpu_user_seconds');
    this.cpuSystem = name('process_cpu_system_seconds');
    this.cpu = name('process_cpu_seconds');
    this.rss = name('process_resident_memory_bytes');
    this.virtual = name('process_virtual_memory_bytes');
    this.heap = name('process_heap_bytes');
    this.openFds = name('process_open_fds');
    this.startTime = families.gauge(
      name('process_start_time_seconds'),
      'Start time of the process since unix epoch in seconds.',
      source.startTime,
    );
    this.maxFds =
      source.maxFds === undefined
        ? undefined
        : families.gauge(name('process_max_fds'), 'Maximum number of open file descriptors.', source.maxFds);
  }

  collect(out: CollectedFamily[]): void {
    const f = this.families;
    const { user, system } = process.cpuUsage();
    out.push(
      f.counter(this.cpuUser, 'Total user CPU time spent in seconds.', user / 1e6),
      f.counter(this.cpuSystem, 'Total system CPU time spent in seconds.', system / 1e6),
      f.counter(this.cpu, 'Total user and system CPU time spent in seconds.', (user + system) / 1e6),
      this.startTime,
    );
    // Reading /proc needs a descriptor: a process out of them (EMFILE) still gets the rest of its
    // scrape, which is when process_max_fds matters most.
    const memory = attempt(this.source.memory);
    if (memory !== undefined) {
      out.push(f.gauge(this.rss, 'Resident memory size in bytes.', memory.rss));
      if (!Number.isNaN(memory.virtual))
        out.push(f.gauge(this.virtual, 'Virtual memory size in bytes.', memory.virtual));
      if (!Number.isNaN(memory.heap)) out.push(f.gauge(this.heap, 'Process heap size in bytes.', memory.heap));
    }
    const openFds = this.source.openFds && attempt(this.source.openFds);
    if (openFds !== undefined) out.push(f.gauge(this.openFds, 'Number of open file descriptors.', openFds));
    if (this.maxFds) out.push(this.maxFds);
  }
}

function attempt<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
