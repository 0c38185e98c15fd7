import { expect } from 'chai';
import sinon from 'sinon';
import { Gauge, Histogram, Registry, Summary, Timed } from '../../lib/index.js';
import { MODE } from './mode.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe(`@Timed [${MODE} decorators]`, () => {
  let registry: Registry;
  beforeEach(() => {
    registry = new Registry();
  });

  it('observes a sync call into a Histogram, in seconds', () => {
    const h = new Histogram({ name: 'sync_seconds', help: 'h', registry, buckets: [0.001, 1] });
    class Svc {
      @Timed(h)
      spin(ms: number): number {
        const end = performance.now() + ms;
        while (performance.now() < end);
        return ms;
      }
    }
    new Svc().spin(5);
    const child = h.only();
    expect(child.count()).to.equal(1);
    expect(child.sum()).to.be.within(0.004, 1);
    expect(child.counts[0]).to.equal(0); // 5 ms is above the 1 ms bucket
  });

  it('times an async method until its promise settles', async () => {
    const s = new Summary({ name: 'async_seconds', help: 's', registry });
    class Svc {
      @Timed(s)
      async load(): Promise<string> {
        await tick(30);
        return 'ok';
      }
    }
    const pending = new Svc().load();
    expect(s.only().count()).to.equal(0);
    expect(await pending).to.equal('ok');
    await tick(0);
    expect(s.only().count()).to.equal(1);
    expect(s.only().sum()).to.be.greaterThanOrEqual(0.025);
  });

  it('times a rejected promise too', async () => {
    const h = new Histogram({ name: 'rejects_seconds', help: 'h', registry });
    class Svc {
      @Timed(h)
      async fail(): Promise<never> {
        await tick(5);
        throw new Error('nope');
      }
    }
    const error = await new Svc().fail().catch((e: unknown) => e);
    expect((error as Error).message).to.equal('nope');
    await tick(0);
    expect(h.only().count()).to.equal(1);
  });

  it('sets a Gauge to the last duration (Python Gauge.time())', async () => {
    const g = new Gauge({ name: 'last_run_seconds', help: 'g', registry });
    class Job {
      @g.time()
      async run(): Promise<void> {
        await tick(20);
      }
    }
    await new Job().run();
    await tick(0);
    expect(g.get()).to.be.within(0.015, 5);
  });

  it('supports histogram.time() and summary.time() in Python style, also on a plain function', async () => {
    const h = new Histogram({ name: 'py_hist_seconds', help: 'h', registry });
    const s = new Summary({ name: 'py_summary_seconds', help: 's', registry });
    class Svc {
      @h.time()
      @s.time()
      handle(x: number): number {
        return x + 1;
      }
    }
    expect(new Svc().handle(1)).to.equal(2);
    const timed = s.time()((a: number, b: number) => a * b);
    expect(timed(3, 4)).to.equal(12);
    expect(h.only().count()).to.equal(1);
    expect(s.only().count()).to.equal(2);
  });

  it('measures with a monotonic clock: a wall-clock jump backwards does not matter', () => {
    const h = new Histogram({ name: 'mono_seconds', help: 'h', registry });
    const clock = sinon.useFakeTimers({ now: Date.now(), toFake: ['Date'] });
    try {
      class Svc {
        @Timed(h)
        jump(): void {
          clock.setSystemTime(Date.now() - 3_600_000); // the wall clock goes back an hour
        }
      }
      new Svc().jump();
    } finally {
      clock.restore();
    }
    expect(h.only().sum()).to.be.within(0, 1);
  });

  it('startTimer() returns an end function that records once and is Disposable', () => {
    const h = new Histogram({ name: 'block_seconds', help: 'h', registry, labelNames: ['step'] });
    {
      using _timer = h.startTimer({ step: 'parse' });
    }
    const end = h.startTimer();
    const seconds = end({ step: 'save' });
    expect(seconds).to.be.at.least(0);
    expect(end({ step: 'save' })).to.equal(seconds); // a second end records nothing more
    expect(h.labels('parse').count()).to.equal(1);
    expect(h.labels('save').count()).to.equal(1);
  });

  it('child.time() and child.startTimer() record into that series', () => {
    const h = new Histogram({ name: 'child_seconds', help: 'h', registry, labelNames: ['route'] });
    const child = h.labels({ route: '/a' });
    const f = child.time()(() => 'x');
    expect(f()).to.equal('x');
    child.startTimer()();
    expect(child.count()).to.equal(2);
  });

  it('rejects metrics that cannot hold durations', () => {
    expect(() => Timed({ type: 'counter' } as never)).to.throw(TypeError, /Histogram, Summary or Gauge/);
  });
});
