import { expect } from 'chai';
import { Registry, collectDefaultMetrics, disableDefaultMetrics } from '../../lib/index.js';
import { Families } from '../../lib/collectors/families.js';
import { ProcessMetrics } from '../../lib/collectors/process.js';
import { fallbackSource } from '../../lib/collectors/process-fallback.js';
import { parseMaxFds, parseStartTime, parseStatus } from '../../lib/collectors/process-procfs.js';
import type { CollectedFamily } from '../../lib/index.js';
import { Scrape, countFds, getconf, readProc } from './support.js';

const linux = process.platform === 'linux';

/** Exposed name, type and HELP, as prom-client gives them. */
const PROCESS_FAMILIES: ReadonlyArray<readonly [string, string, string]> = [
  ['process_cpu_user_seconds_total', 'counter', 'Total user CPU time spent in seconds.'],
  ['process_cpu_system_seconds_total', 'counter', 'Total system CPU time spent in seconds.'],
  ['process_cpu_seconds_total', 'counter', 'Total user and system CPU time spent in seconds.'],
  ['process_start_time_seconds', 'gauge', 'Start time of the process since unix epoch in seconds.'],
  ['process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.'],
  ['process_virtual_memory_bytes', 'gauge', 'Virtual memory size in bytes.'],
  ['process_heap_bytes', 'gauge', 'Process heap size in bytes.'],
  ['process_open_fds', 'gauge', 'Number of open file descriptors.'],
  ['process_max_fds', 'gauge', 'Maximum number of open file descriptors.'],
];

describe('default metrics: process', () => {
  let registry: Registry;
  beforeEach(() => {
    registry = new Registry();
    collectDefaultMetrics({ registry });
  });
  afterEach(() => {
    disableDefaultMetrics(registry);
  });

  (linux ? it : it.skip)("has every process_* family with prom-client's name, type and help", async () => {
    const scrape = await Scrape.of(registry);
    for (const [name, type, help] of PROCESS_FAMILIES) {
      const family = scrape.family(name);
      expect(family.type, name).to.equal(type);
      expect(family.help, name).to.equal(help);
      expect(family.samples, name).to.have.length(1);
      expect(family.samples[0]!.name, name).to.equal(name);
      expect(family.samples[0]!.value, name).to.be.a('number').and.satisfy(Number.isFinite);
    }
  });

  it('counts CPU time since the process started, user + system = total', async () => {
    const before = process.cpuUsage();
    const scrape = await Scrape.of(registry);
    const after = process.cpuUsage();
    const user = scrape.value('process_cpu_user_seconds_total');
    const system = scrape.value('process_cpu_system_seconds_total');
    expect(user).to.be.within(before.user / 1e6, after.user / 1e6);
    expect(system).to.be.within(before.system / 1e6, after.system / 1e6);
    expect(scrape.value('process_cpu_seconds_total')).to.be.closeTo(user + system, 1e-9);
    const end = performance.now() + 30;
    while (performance.now() < end); // burn some CPU: the counter goes up
    expect((await Scrape.of(registry)).value('process_cpu_seconds_total')).to.be.above(user + system);
  });

  it('gives a start time within a few seconds of the real one', async () => {
    const start = (await Scrape.of(registry)).value('process_start_time_seconds');
    expect(Math.abs(start - (Date.now() / 1000 - process.uptime())), 'against process.uptime()').to.be.below(3);
    if (!linux) return;
    // From /proc with the tick rate getconf gives, independently of the collector's parsing.
    const stat = readProc('/proc/self/stat');
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const btime = Number(/^btime (\d+)/m.exec(readProc('/proc/stat'))![1]);
    expect(
      Math.abs(start - (btime + ticks / (await getconf('CLK_TCK')))),
      'against /proc/self/stat + btime',
    ).to.be.below(3);
  });

  (linux ? it : it.skip)('counts open descriptors as /proc/self/fd lists them', async () => {
    const before = countFds();
    const open = (await Scrape.of(registry)).value('process_open_fds');
    const after = countFds();
    expect([before, after]).to.include(open);
  });

  (linux ? it : it.skip)('gives the soft open-files limit of /proc/self/limits', async () => {
    const line = readProc('/proc/self/limits')
      .split('\n')
      .find((l) => l.startsWith('Max open files'))!;
    const soft = /^Max open files\s+(\S+)/.exec(line)![1]!;
    expect((await Scrape.of(registry)).value('process_max_fds')).to.equal(
      soft === 'unlimited' ? Infinity : Number(soft),
    );
  });

  (linux ? it : it.skip)('gives resident and virtual memory within 10% of /proc/self/statm', async () => {
    const pageSize = await getconf('PAGESIZE');
    const scrape = await Scrape.of(registry);
    const [size, resident] = readProc('/proc/self/statm').split(' ').map(Number) as [number, number];
    expect(scrape.value('process_resident_memory_bytes')).to.be.closeTo(resident * pageSize, resident * pageSize * 0.1);
    expect(scrape.value('process_virtual_memory_bytes')).to.be.closeTo(size * pageSize, size * pageSize * 0.1);
    expect(scrape.value('process_heap_bytes'))
      .to.be.above(1 << 20)
      .and.below(scrape.value('process_virtual_memory_bytes'));
  });
});

describe('default metrics: process, fallback without procfs', () => {
  it('exposes CPU, start time and resident memory from `process` alone', () => {
    const out: CollectedFamily[] = [];
    new ProcessMetrics(new Families('', {}), fallbackSource()).collect(out);
    const names = out.map((f) => (f.type === 'counter' ? `${f.name}_total` : f.name));
    expect(names).to.deep.equal([
      'process_cpu_user_seconds_total',
      'process_cpu_system_seconds_total',
      'process_cpu_seconds_total',
      'process_start_time_seconds',
      'process_resident_memory_bytes',
    ]);
    const value = (name: string) => out.find((f) => f.name === name)!.samples[0]!.value;
    expect(Math.abs(value('process_start_time_seconds') - (Date.now() / 1000 - process.uptime()))).to.be.below(1);
    const rss = process.memoryUsage.rss();
    expect(value('process_resident_memory_bytes')).to.be.closeTo(rss, rss * 0.1);
  });
});

describe('default metrics: procfs parsing', () => {
  it('reads the start time past a command name holding spaces and parentheses', () => {
    const fields = ['S', ...Array.from({ length: 18 }, () => '0'), '12345', '999'];
    expect(parseStartTime(`42 (a) b (c)) ${fields.join(' ')}`, 'cpu 1 2\nbtime 1700000000\n')).to.equal(
      1700000000 + 123.45,
    );
  });

  it('fails clearly without btime', () => {
    expect(() => parseStartTime('1 (x) S 0', 'cpu 1\n')).to.throw(/no start time/);
  });

  it('reads kB lines of /proc/self/status as bytes, NaN when absent', () => {
    const memory = parseStatus('Name:\tnode\nVmSize:\t  3060 kB\nVmRSS:\t    1612 kB\n');
    expect(memory).to.deep.equal({ rss: 1612 * 1024, virtual: 3060 * 1024, heap: NaN });
  });

  it('reads the soft open-files limit; unlimited is +Inf', () => {
    const limits = (soft: string) =>
      `Limit                     Soft Limit           Hard Limit           Units\nMax open files            ${soft}                20000                files\n`;
    expect(parseMaxFds(limits('1024'))).to.equal(1024);
    expect(parseMaxFds(limits('unlimited'))).to.equal(Infinity);
    expect(parseMaxFds('nothing')).to.equal(undefined);
  });
});
