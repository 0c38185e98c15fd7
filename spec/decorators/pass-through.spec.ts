import { expect } from 'chai';
import {
  CountExceptions,
  Counter,
  Gauge,
  GaugeInProgress,
  Histogram,
  Registry,
  Summary,
  Timed,
} from '../../lib/index.js';
import { MODE } from './mode.js';

describe(`decorated methods behave as before [${MODE} decorators]`, () => {
  const registry = new Registry();
  const h = new Histogram({ name: 'pt_seconds', help: 'h', registry });
  const s = new Summary({ name: 'pt_summary_seconds', help: 's', registry });
  const errors = new Counter({ name: 'pt_errors', help: 'c', registry });
  const inFlight = new Gauge({ name: 'pt_in_flight', help: 'g', registry });

  afterEach(() => registry.resetMetrics());

  it('passes this, the arguments and the very return value through', () => {
    const result = { some: 'object' };
    let seenThis: unknown;
    let seenArgs: unknown[] = [];
    class Svc {
      @Timed(h)
      @CountExceptions(errors)
      @GaugeInProgress(inFlight)
      call(...args: unknown[]): object {
        seenThis = this;
        seenArgs = args;
        return result;
      }
    }
    const svc = new Svc();
    const arg = { a: 1 };
    expect(svc.call(arg, 2, undefined)).to.equal(result);
    expect(seenThis).to.equal(svc);
    expect(seenArgs).to.have.length(3);
    expect(seenArgs[0]).to.equal(arg);
  });

  it('rethrows the same error object with the same stack', () => {
    const error = new RangeError('boom');
    const stack = error.stack;
    class Svc {
      @Timed(h)
      @CountExceptions(errors)
      fail(): never {
        throw error;
      }
    }
    let caught: unknown;
    try {
      new Svc().fail();
    } catch (e) {
      caught = e;
    }
    expect(caught).to.equal(error);
    expect((caught as Error).stack).to.equal(stack);
    expect(errors.get()).to.equal(1);
  });

  it('returns the same promise and rejects with the same error object', async () => {
    const error = new Error('async boom');
    class Svc {
      @CountExceptions(errors)
      @Timed(h)
      async fail(): Promise<never> {
        throw error;
      }
    }
    const caught = await new Svc().fail().catch((e: unknown) => e);
    expect(caught).to.equal(error);
    const promise = Promise.resolve(42);
    const returnsPromise = Timed(h)(() => promise);
    expect(returnsPromise()).to.equal(promise);
  });

  it('adds no promise to a sync method', () => {
    class Svc {
      @Timed(h)
      @GaugeInProgress(inFlight)
      sync(): number {
        return 7;
      }
    }
    const value = new Svc().sync();
    expect(value).to.equal(7);
    expect(h.only().count()).to.equal(1);
    expect(inFlight.get()).to.equal(0);
  });

  it('measures a thenable until it settles, and returns the same thenable', async () => {
    let resolveIt!: (v: string) => void;
    const settled = new Promise<string>((resolve) => (resolveIt = resolve));
    const thenable = {
      // biome-ignore lint/suspicious/noThenProperty: a thenable that is not a promise is what is tested
      then(onFulfilled: (v: string) => unknown, onRejected?: (e: unknown) => unknown) {
        return settled.then(onFulfilled, onRejected);
      },
    };
    class Svc {
      @Timed(s)
      @GaugeInProgress(inFlight)
      query(): typeof thenable {
        return thenable;
      }
    }
    const returned = new Svc().query();
    expect(returned).to.equal(thenable);
    const consumed = Promise.resolve(returned);
    expect(inFlight.get()).to.equal(1);
    await new Promise((r) => setTimeout(r, 5));
    expect(s.only().count()).to.equal(0); // not settled yet
    resolveIt('rows');
    expect(await consumed).to.equal('rows');
    expect(inFlight.get()).to.equal(0);
    expect(s.only().count()).to.equal(1);
  });

  it('does not run a lazy thenable twice (a query builder executes on then)', async () => {
    let executions = 0;
    class Query {
      // biome-ignore lint/suspicious/noThenProperty: a lazy query builder is a thenable
      then(onFulfilled: (v: string) => unknown, onRejected?: (e: unknown) => unknown) {
        executions++;
        return Promise.resolve('rows').then(onFulfilled, onRejected);
      }
    }
    class Repo {
      @Timed(s)
      @CountExceptions(errors)
      find(): Query {
        return new Query();
      }
    }
    expect(await new Repo().find()).to.equal('rows');
    expect(executions).to.equal(1);
    expect(s.only().count()).to.equal(1);
  });

  it('counts a lazy thenable that rejects, passing the same error on', async () => {
    const error = new Error('query failed');
    // biome-ignore lint/suspicious/noThenProperty: a thenable that is not a promise is what is tested
    const failing = { then: (_ok: unknown, ko: (e: unknown) => unknown) => Promise.reject(error).then(undefined, ko) };
    const find = CountExceptions(errors)(() => failing);
    const caught = await Promise.resolve(find()).catch((e: unknown) => e);
    expect(caught).to.equal(error);
    expect(errors.get()).to.equal(1);
  });

  it('keeps the name and length of the method', () => {
    class Svc {
      @Timed(h)
      @CountExceptions(errors)
      threeArgs(_a: number, _b: string, _c: boolean): void {}
    }
    expect(Svc.prototype.threeArgs.name).to.equal('threeArgs');
    expect(Svc.prototype.threeArgs.length).to.equal(3);
  });

  it('works on static methods', () => {
    // biome-ignore lint/complexity/noStaticOnlyClass: what is tested is a decorated static method
    class Util {
      static base = 10;
      @Timed(h)
      static add(x: number): number {
        // biome-ignore lint/complexity/noThisInStatic: `this` must reach the class through the wrapper
        return this.base + x;
      }
    }
    expect(Util.add(5)).to.equal(15);
    expect(h.only().count()).to.equal(1);
  });

  it('works on inherited and overridden methods (each decorated method counts its own calls)', () => {
    const parentCalls = new Counter({ name: 'pt_parent_errors', help: 'c', registry });
    class Base {
      @Timed(h)
      greet(name: string): string {
        return `hello ${name}`;
      }
      @CountExceptions(parentCalls)
      check(): void {
        throw new Error('base');
      }
    }
    class Child extends Base {
      @Timed(s)
      override greet(name: string): string {
        return `${super.greet(name)}!`;
      }
    }
    class Inheritor extends Base {}
    expect(new Child().greet('ann')).to.equal('hello ann!');
    expect(new Inheritor().greet('bob')).to.equal('hello bob');
    expect(() => new Inheritor().check()).to.throw('base');
    expect(h.only().count()).to.equal(2); // Base.greet ran twice: via super and via inheritance
    expect(s.only().count()).to.equal(1);
    expect(parentCalls.get()).to.equal(1);
  });

  it('stacks in any order with the same result', async () => {
    class A {
      @Timed(h)
      @CountExceptions(errors)
      @GaugeInProgress(inFlight)
      async run(fail: boolean): Promise<string> {
        if (fail) throw new Error('f');
        return 'a';
      }
    }
    class B {
      @GaugeInProgress(inFlight)
      @CountExceptions(errors)
      @Timed(h)
      async run(fail: boolean): Promise<string> {
        if (fail) throw new Error('f');
        return 'b';
      }
    }
    for (const svc of [new A(), new B()]) {
      await svc.run(false);
      await svc.run(true).catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 0));
    expect(h.only().count()).to.equal(4);
    expect(errors.get()).to.equal(2);
    expect(inFlight.get()).to.equal(0);
  });

  it('a metric update that fails never changes what the method does; it becomes a warning', async () => {
    const byUser = new Counter({ name: 'pt_by_user', help: 'c', registry, labelNames: ['user'] });
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    class Svc {
      @CountExceptions(byUser, { labels: () => ({ user: undefined as unknown as string }) })
      fail(): void {
        throw new Error('original');
      }
    }
    try {
      expect(() => new Svc().fail()).to.throw('original');
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.join('\n')).to.match(/fail.*pt_by_user.*missing label "user"/s);
  });
});
