import { expect } from 'chai';
import { Gauge, GaugeInProgress, Registry } from '../../lib/index.js';
import { MODE } from './mode.js';

describe(`@GaugeInProgress [${MODE} decorators]`, () => {
  let registry: Registry;
  let inFlight: Gauge;
  beforeEach(() => {
    registry = new Registry();
    inFlight = new Gauge({ name: 'in_flight', help: 'g', registry });
  });

  it('is up while a sync call runs and down after it returns or throws', () => {
    const seen: number[] = [];
    class Svc {
      @GaugeInProgress(inFlight)
      run(fail: boolean): void {
        seen.push(inFlight.get());
        if (fail) throw new Error('x');
      }
    }
    new Svc().run(false);
    expect(() => new Svc().run(true)).to.throw('x');
    expect(seen).to.deep.equal([1, 1]);
    expect(inFlight.get()).to.equal(0);
  });

  it('stays up until a promise resolves or rejects', async () => {
    const settle: Array<() => void> = [];
    class Svc {
      @inFlight.trackInProgress()
      wait(ok: boolean): Promise<void> {
        return new Promise((resolve, reject) => settle.push(() => (ok ? resolve() : reject(new Error('r')))));
      }
    }
    const svc = new Svc();
    const a = svc.wait(true);
    const b = svc.wait(false);
    expect(inFlight.get()).to.equal(2);
    settle[0]!();
    await a;
    expect(inFlight.get()).to.equal(1);
    settle[1]!();
    await b.catch(() => undefined);
    expect(inFlight.get()).to.equal(0);
  });

  it('tracks per label set, from the arguments', async () => {
    const byQueue = new Gauge({ name: 'in_flight_by_queue', help: 'g', registry, labelNames: ['queue'] });
    class Worker {
      @GaugeInProgress(byQueue, { labels: ([queue]) => ({ queue: queue as string }) })
      async take(_queue: string, release: Promise<void>): Promise<void> {
        await release;
      }
    }
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const w = new Worker();
    const jobs = [w.take('a', gate), w.take('a', gate), w.take('b', gate)];
    expect(byQueue.labels('a').get()).to.equal(2);
    expect(byQueue.labels('b').get()).to.equal(1);
    release();
    await Promise.all(jobs);
    expect(byQueue.labels('a').get()).to.equal(0);
  });

  it('rejects a non-gauge', () => {
    expect(() => GaugeInProgress({ type: 'counter' } as never)).to.throw(TypeError, /needs a Gauge/);
  });
});
