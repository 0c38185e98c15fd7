import 'reflect-metadata';
import { expect } from 'chai';
import {
  Counter,
  Gauge,
  Histogram,
  INSTRUMENTED_DEFAULT_NAMES,
  Instrumented,
  NotInstrumented,
  Registry,
  Timed,
} from '../../lib/index.js';
import { listenToSettled } from '../../lib/instrument/settled.js';
import { MODE } from './mode.js';

/** Every sample of the text exposition as `name{labels}` to value (label values here hold no `,` or `}`). */
async function samples(registry: Registry): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const line of (await registry.metrics()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

/** The samples whose key contains every given fragment. */
function matching(all: Map<string, number>, ...fragments: string[]): Record<string, number> {
  return Object.fromEntries([...all].filter(([key]) => fragments.every((f) => key.includes(f))));
}

/** The calls counted so far (every measured method's series exist from decoration on, at 0). */
function counted(all: Map<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(matching(all, 'method_calls_total')).filter(([, value]) => value !== 0));
}

/** A metadata-writing method decorator for either mode, as a framework's route decorator is. */
// biome-ignore lint/suspicious/noExplicitAny: a decorator for both modes returns what each mode expects
function Route(path: string): (...args: any[]) => any {
  return (...args: unknown[]): unknown => {
    if (args.length === 2) {
      Reflect.defineMetadata('route:path', path, args[0] as object);
      return args[0];
    }
    const descriptor = args[2] as PropertyDescriptor;
    Reflect.defineMetadata('route:path', path, descriptor.value as object);
    return descriptor;
  };
}

const calls = (cls: string, method: string, result: string): string =>
  `method_calls_total{class="${cls}",method="${method}",result="${result}"}`;
const count = (cls: string, method: string): string =>
  `method_duration_seconds_count{class="${cls}",method="${method}"}`;
const inFlight = (cls: string, method: string): string => `method_calls_in_flight{class="${cls}",method="${method}"}`;

describe(`@Instrumented [${MODE} decorators]`, () => {
  let registry: Registry;
  beforeEach(() => {
    registry = new Registry();
  });

  const metric = <M>(name: string): M => registry.getMetric(name) as M;

  describe('sync methods', () => {
    it('counts calls by result, observes each duration and is in flight only during the call', async () => {
      const seenInFlight: number[] = [];
      @Instrumented({ registry })
      class Prices {
        quote(amount: number): number {
          seenInFlight.push(metric<Gauge<string>>('method_calls_in_flight').labels('Prices', 'quote').get());
          if (amount < 0) throw new RangeError('negative');
          return amount * 2;
        }
      }
      const prices = new Prices();
      expect(prices.quote(1)).to.equal(2);
      expect(prices.quote(2)).to.equal(4);
      expect(() => prices.quote(-1)).to.throw(RangeError, 'negative');
      expect(seenInFlight).to.deep.equal([1, 1, 1]);
      const all = await samples(registry);
      expect(all.get(calls('Prices', 'quote', 'ok'))).to.equal(2);
      expect(all.get(calls('Prices', 'quote', 'error'))).to.equal(1);
      expect(all.get(count('Prices', 'quote'))).to.equal(3);
      expect(all.get(inFlight('Prices', 'quote'))).to.equal(0);
    });

    it('passes this, the arguments, the result and the error through, the same objects', () => {
      const result = { total: 3 };
      const failure = new Error('boom');
      const seen: unknown[] = [];
      @Instrumented({ registry })
      class Cart {
        add(...args: unknown[]): object {
          seen.push(this, ...args);
          return result;
        }
        fail(): never {
          throw failure;
        }
      }
      const cart = new Cart();
      const arg = { sku: 'x' };
      expect(cart.add(arg, 2)).to.equal(result);
      expect(seen).to.have.length(3);
      expect(seen[0]).to.equal(cart);
      expect(seen[1]).to.equal(arg);
      expect(seen[2]).to.equal(2);
      let caught: unknown;
      try {
        cart.fail();
      } catch (error) {
        caught = error;
      }
      expect(caught).to.equal(failure);
    });

    it('keeps each wrapped method its name and length', () => {
      @Instrumented({ registry })
      class Svc {
        run(_a: number, _b: number): void {}
      }
      expect(Svc.prototype.run.name).to.equal('run');
      expect(Svc.prototype.run.length).to.equal(2);
    });
  });

  describe('async methods', () => {
    it('are in flight and uncounted until they settle, then counted by result', async () => {
      const settle: Array<() => void> = [];
      @Instrumented({ registry })
      class Jobs {
        run(ok: boolean): Promise<string> {
          return new Promise((resolve, reject) => settle.push(() => (ok ? resolve('done') : reject(new Error('no')))));
        }
      }
      const jobs = new Jobs();
      const good = jobs.run(true);
      const bad = jobs.run(false);
      let all = await samples(registry);
      expect(all.get(inFlight('Jobs', 'run'))).to.equal(2);
      expect(all.get(calls('Jobs', 'run', 'ok'))).to.equal(0);
      expect(all.get(calls('Jobs', 'run', 'error'))).to.equal(0);
      expect(all.get(count('Jobs', 'run'))).to.equal(0);

      settle[0]!();
      expect(await good).to.equal('done');
      all = await samples(registry);
      expect(all.get(inFlight('Jobs', 'run'))).to.equal(1);
      expect(all.get(calls('Jobs', 'run', 'ok'))).to.equal(1);

      settle[1]!();
      const error = await bad.catch((e: unknown) => e);
      expect((error as Error).message).to.equal('no');
      all = await samples(registry);
      expect(all.get(inFlight('Jobs', 'run'))).to.equal(0);
      expect(all.get(calls('Jobs', 'run', 'error'))).to.equal(1);
      expect(all.get(count('Jobs', 'run'))).to.equal(2);
    });

    it('returns the very promise the method made and times it until it settles', async () => {
      let made: Promise<void> | undefined;
      @Instrumented({ registry })
      class Slow {
        wait(ms: number): Promise<void> {
          made = new Promise((resolve) => setTimeout(resolve, ms));
          return made;
        }
      }
      const returned = new Slow().wait(30);
      expect(returned).to.equal(made);
      await returned;
      const all = await samples(registry);
      // A lower bound only: the wait is at least 30 ms whatever the machine's load.
      expect(all.get('method_duration_seconds_sum{class="Slow",method="wait"}')).to.be.at.least(0.025);
    });
  });

  describe('async methods, settling', () => {
    it('has recorded when the caller resumes; the settle hook is told once, after all decorators', async () => {
      const timed = new Histogram({ name: 'settle_seconds', help: 'h', registry });
      const seenAtSettle: number[][] = [];
      @Instrumented({ registry })
      class Svc {
        @Timed(timed)
        async run(): Promise<string> {
          await new Promise((resolve) => setImmediate(resolve));
          return 'ran';
        }
      }
      const ok = (): number => metric<Counter<string>>('method_calls_total').labels('Svc', 'run', 'ok').get();
      listenToSettled(() => seenAtSettle.push([ok(), timed.only().count()]));
      try {
        expect(await new Svc().run()).to.equal('ran');
        expect(ok()).to.equal(1);
      } finally {
        listenToSettled(undefined);
      }
      expect(seenAtSettle).to.deep.equal([[1, 1]]);
    });

    it('measures a thenable that is not a promise once it is consumed, returning the same object', async () => {
      const thenable = {
        // biome-ignore lint/suspicious/noThenProperty: a thenable that is not a promise is what is tested
        then(onFulfilled: (v: string) => unknown, onRejected?: (e: unknown) => unknown) {
          return Promise.reject(new Error('rows gone')).then(onFulfilled, onRejected);
        },
      };
      @Instrumented({ registry })
      class Repo {
        find(): typeof thenable {
          return thenable;
        }
      }
      const returned = new Repo().find();
      expect(returned).to.equal(thenable);
      const error = await Promise.resolve(returned).catch((e: unknown) => e);
      expect((error as Error).message).to.equal('rows gone');
      const all = await samples(registry);
      expect(counted(all)).to.deep.equal({ [calls('Repo', 'find', 'error')]: 1 });
      expect(all.get(inFlight('Repo', 'find'))).to.equal(0);
    });
  });

  describe('which methods are measured', () => {
    it('measures inherited methods on the decorated class only, labelled with its name, once', async () => {
      class Base {
        hello(): string {
          return 'base hello';
        }
        greet(): string {
          return 'base greet';
        }
      }
      const baseHello = Base.prototype.hello;
      @Instrumented({ registry })
      class Child extends Base {
        override greet(): string {
          return `child ${super.greet()}`;
        }
      }
      expect(new Child().hello()).to.equal('base hello');
      expect(new Child().greet()).to.equal('child base greet');
      expect(new Base().hello()).to.equal('base hello');
      // The base class is unchanged: its own instances and other subclasses are not measured.
      expect(Base.prototype.hello).to.equal(baseHello);
      expect(Object.hasOwn(Child.prototype, 'hello')).to.equal(true);
      const all = await samples(registry);
      expect(counted(all)).to.deep.equal({
        [calls('Child', 'greet', 'ok')]: 1,
        [calls('Child', 'hello', 'ok')]: 1,
      });
    });

    it('an inherited method of a decorated base counts once, for the class it was called on', async () => {
      @Instrumented({ registry })
      class Repo {
        find(): string {
          return 'found';
        }
      }
      @Instrumented({ registry })
      class UserRepo extends Repo {}
      expect(new UserRepo().find()).to.equal('found');
      expect(new Repo().find()).to.equal('found');
      const all = await samples(registry);
      expect(counted(all)).to.deep.equal({
        [calls('Repo', 'find', 'ok')]: 1,
        [calls('UserRepo', 'find', 'ok')]: 1,
      });
    });

    it('an inherited method is looked up at call time, as a plain inherited call is', async () => {
      class Base {
        value(): number {
          return 1;
        }
      }
      @Instrumented({ registry })
      class Child extends Base {}
      const original = Base.prototype.value;
      Base.prototype.value = () => 2;
      try {
        expect(new Child().value()).to.equal(2);
      } finally {
        Base.prototype.value = original;
      }
      expect((await samples(registry)).get(calls('Child', 'value', 'ok'))).to.equal(1);
    });

    it('leaves out @NotInstrumented methods, bare or called, here and in subclasses', async () => {
      @Instrumented({ registry })
      class Svc {
        work(): string {
          return 'w';
        }
        @NotInstrumented
        health(): string {
          return 'ok';
        }
        @NotInstrumented()
        ready(): boolean {
          return true;
        }
      }
      @Instrumented({ registry })
      class Sub extends Svc {}
      const health = Svc.prototype.health;
      expect(new Svc().health()).to.equal('ok');
      expect(new Svc().ready()).to.equal(true);
      expect(new Sub().health()).to.equal('ok');
      expect(new Svc().work()).to.equal('w');
      expect(Object.hasOwn(Sub.prototype, 'health')).to.equal(false);
      expect(Svc.prototype.health).to.equal(health);
      const all = await samples(registry);
      expect(Object.keys(matching(all, 'method_calls_total', 'result="ok"'))).to.deep.equal([
        calls('Svc', 'work', 'ok'),
        calls('Sub', 'work', 'ok'),
      ]);
      expect(counted(all)).to.deep.equal({ [calls('Svc', 'work', 'ok')]: 1 });
    });

    it('@NotInstrumented holds beside a method decorator, in either order; that decorator still records', async () => {
      const timed = new Histogram({ name: 'timed_seconds', help: 'h', registry });
      @Instrumented({ registry })
      class Svc {
        @NotInstrumented
        @Timed(timed)
        outer(): number {
          return 1;
        }
        @Timed(timed)
        @NotInstrumented
        inner(): number {
          return 2;
        }
      }
      expect(new Svc().outer() + new Svc().inner()).to.equal(3);
      expect(timed.only().count()).to.equal(2);
      expect(matching(await samples(registry), 'method_calls_total')).to.deep.equal({});
    });

    it('leaves the constructor, getters, setters, static, symbol-named and generator methods untouched', async () => {
      let getterCalls = 0;
      const iterate = Symbol('iterate');
      @Instrumented({ registry })
      class Account {
        static made = 0;
        #balance = 0;
        constructor() {
          Account.made++;
        }
        get balance(): number {
          getterCalls++;
          return this.#balance;
        }
        set balance(value: number) {
          this.#balance = value;
        }
        static open(): Account {
          return new Account();
        }
        [iterate](): number {
          return 1;
        }
        *entries(): Generator<number> {
          yield this.#balance;
        }
        deposit(amount: number): void {
          this.#balance += amount;
        }
      }
      expect(getterCalls).to.equal(0); // decorating read no getter
      const accessor = Object.getOwnPropertyDescriptor(Account.prototype, 'balance')!;
      const account = Account.open();
      account.balance = 5;
      account.deposit(2);
      expect(account.balance).to.equal(7);
      expect([...account.entries()]).to.deep.equal([7]);
      expect(account[iterate]()).to.equal(1);
      expect(Object.getOwnPropertyDescriptor(Account.prototype, 'balance')).to.deep.equal(accessor);
      expect(Account.prototype.constructor).to.equal(Account);
      expect(Account.made).to.equal(1);
      const all = await samples(registry);
      expect(Object.keys(matching(all, 'method_calls_total', 'result="ok"'))).to.deep.equal([
        calls('Account', 'deposit', 'ok'),
      ]);
    });

    it('keeps the class itself: the same class object, name, instanceof, statics and descriptors', () => {
      class Plain {
        run(): number {
          return 1;
        }
        static helper(): string {
          return 'h';
        }
      }
      const helper = Plain.helper;
      const before = Object.getOwnPropertyDescriptor(Plain.prototype, 'run')!;
      const decorate = Instrumented({ registry }) as unknown as (...args: unknown[]) => unknown;
      const returned =
        MODE === 'legacy' ? decorate(Plain) : decorate(Plain, { kind: 'class', name: 'Plain', addInitializer() {} });
      expect(returned).to.equal(undefined);
      const after = Object.getOwnPropertyDescriptor(Plain.prototype, 'run')!;
      expect(after.value).to.not.equal(before.value);
      expect([after.writable, after.enumerable, after.configurable]).to.deep.equal([
        before.writable,
        before.enumerable,
        before.configurable,
      ]);
      expect(Plain.name).to.equal('Plain');
      expect(Plain.helper).to.equal(helper);
      expect(new Plain()).to.be.instanceOf(Plain);
      expect(new Plain().run()).to.equal(1);
    });
  });

  describe('with method decorators and metadata', () => {
    it('a method decorated with @Timed is measured by both', async () => {
      const timed = new Histogram({ name: 'place_seconds', help: 'h', registry });
      @Instrumented({ registry })
      class Orders {
        @Timed(timed)
        async place(): Promise<string> {
          return 'placed';
        }
      }
      expect(await new Orders().place()).to.equal('placed');
      expect(timed.only().count()).to.equal(1);
      expect((await samples(registry)).get(calls('Orders', 'place', 'ok'))).to.equal(1);
    });

    it('reflect-metadata stored on a method is on the final method', () => {
      @Instrumented({ registry })
      class Api {
        @Route('/orders')
        list(): string[] {
          return [];
        }
      }
      expect(Reflect.getMetadata('route:path', Api.prototype.list)).to.equal('/orders');
      expect(Api.prototype.list()).to.deep.equal([]);
    });
  });

  describe('metrics', () => {
    it('are made once per registry and names and shared by the classes', async () => {
      @Instrumented({ registry })
      class A {
        a(): void {}
      }
      @Instrumented({ registry })
      class B {
        b(): void {}
      }
      new A().a();
      new B().b();
      const names = registry.getMetrics().map((m) => m.name);
      expect(names).to.have.members(['method_calls', 'method_duration_seconds', 'method_calls_in_flight']);
      expect(metric<Counter>('method_calls_total')).to.be.instanceOf(Counter);
      const all = await samples(registry);
      expect(all.get(calls('A', 'a', 'ok'))).to.equal(1);
      expect(all.get(calls('B', 'b', 'ok'))).to.equal(1);
    });

    it('documented defaults: names, help, label names, default buckets', async () => {
      expect(INSTRUMENTED_DEFAULT_NAMES).to.deep.equal({
        calls: 'method_calls_total',
        duration: 'method_duration_seconds',
        inFlight: 'method_calls_in_flight',
      });
      @Instrumented({ registry })
      class Svc {}
      expect(Svc.name).to.equal('Svc');
      expect(metric<Counter>('method_calls_total').labelNames).to.deep.equal(['class', 'method', 'result']);
      expect(metric<Histogram>('method_duration_seconds').labelNames).to.deep.equal(['class', 'method']);
      expect(metric<Gauge>('method_calls_in_flight').labelNames).to.deep.equal(['class', 'method']);
      const text = await registry.metrics();
      expect(text).to.include('# TYPE method_calls_total counter');
      expect(text).to.include('# TYPE method_duration_seconds histogram');
      expect(text).to.include('# TYPE method_calls_in_flight gauge');
    });

    it('prefix, names, className and buckets are honoured', async () => {
      @Instrumented({
        registry,
        prefix: 'shop_',
        names: { calls: 'ops_total', duration: 'op_seconds', inFlight: 'ops_running' },
        className: 'OrderService',
        buckets: [0.5, 1],
      })
      class Impl {
        run(): void {}
      }
      new Impl().run();
      const all = await samples(registry);
      expect(all.get('shop_ops_total{class="OrderService",method="run",result="ok"}')).to.equal(1);
      expect(all.get('shop_ops_running{class="OrderService",method="run"}')).to.equal(0);
      expect(Object.keys(matching(all, 'shop_op_seconds_bucket'))).to.deep.equal([
        'shop_op_seconds_bucket{class="OrderService",method="run",le="0.5"}',
        'shop_op_seconds_bucket{class="OrderService",method="run",le="1.0"}',
        'shop_op_seconds_bucket{class="OrderService",method="run",le="+Inf"}',
      ]);
    });

    it('native: true makes the duration a native histogram (no classic buckets without buckets)', async () => {
      @Instrumented({ registry, native: true })
      class Svc {
        run(): void {}
      }
      new Svc().run();
      const all = await samples(registry);
      expect(matching(all, 'method_duration_seconds_bucket')).to.deep.equal({});
      expect(all.get(count('Svc', 'run'))).to.equal(1);
      expect(metric<Histogram>('method_duration_seconds').definition()).to.have.property('native');
    });

    it("every measured method's series exist at 0 from decoration on (rate() and alerts see them)", async () => {
      @Instrumented({ registry })
      class Idle {
        run(): void {}
      }
      expect(Idle.name).to.equal('Idle');
      const all = await samples(registry);
      expect(all.get(calls('Idle', 'run', 'ok'))).to.equal(0);
      expect(all.get(calls('Idle', 'run', 'error'))).to.equal(0);
      expect(all.get(count('Idle', 'run'))).to.equal(0);
      expect(all.get(inFlight('Idle', 'run'))).to.equal(0);
    });

    it('series removed with clear() are made again by the next call', async () => {
      @Instrumented({ registry })
      class Svc {
        run(): void {}
      }
      new Svc().run();
      metric<Counter<string>>('method_calls_total').clear();
      new Svc().run();
      expect((await samples(registry)).get(calls('Svc', 'run', 'ok'))).to.equal(1);
    });
  });

  describe('bad input', () => {
    const bad: Array<[string, unknown, RegExp]> = [
      ['an unknown option', { prefx: 'x_' }, /@Instrumented: unknown option "prefx" \(did you mean "prefix"\?\)/],
      ['a prefix that cannot start a name', { prefix: '1x' }, /@Instrumented: option prefix .* got "1x"/],
      ['an unknown name key', { names: { total: 'x' } }, /@Instrumented: option names: unknown option "total"/],
      ['a name that is not a string', { names: { calls: 7 } }, /@Instrumented: option names\.calls .* got 7/],
      ['an empty name', { names: { duration: '' } }, /@Instrumented: option names\.duration .* got ""/],
      [
        'a registry that is not one',
        { registry: null },
        /@Instrumented: option registry must be a Registry.* got null/,
      ],
      ['an empty className', { className: '' }, /@Instrumented: option className .* got ""/],
      ['buckets that are not an array', { buckets: '0.1' }, /@Instrumented: option buckets .* got "0.1"/],
      ['buckets out of order', { buckets: [2, 1] }, /@Instrumented: .*duration.*/],
      ['native that is not true or options', { native: 'yes' }, /@Instrumented: option native .* got "yes"/],
    ];
    for (const [what, options, message] of bad) {
      it(`refuses ${what}, registering nothing`, () => {
        expect(() => Instrumented({ registry, ...(options as object) })).to.throw(message);
        expect(registry.getMetrics()).to.deep.equal([]);
      });
    }

    /** Applies a decorator made by Instrumented() to a fresh class, as either decorator mode does. */
    function decorateClass(decorator: unknown): { run(): string } {
      class Target {
        run(): string {
          return 'ran';
        }
      }
      const decorate = decorator as (...args: unknown[]) => unknown;
      if (MODE === 'legacy') decorate(Target);
      else decorate(Target, { kind: 'class', name: 'Target', addInitializer() {} });
      return new Target();
    }

    it('refuses names taken by a metric defined otherwise, naming the decorator, changing nothing', () => {
      new Gauge({ name: 'method_calls_in_flight', help: 'mine', registry });
      const decorator = Instrumented({ registry });
      let target: { run(): string } | undefined;
      expect(() => (target = decorateClass(decorator))).to.throw(/@Instrumented: cannot make the in-flight metric/);
      expect(target).to.equal(undefined);
      expect(registry.getMetrics().map((m) => m.name)).to.deep.equal(['method_calls_in_flight']);
    });

    it('refuses the same names with other buckets (shared metrics need one definition)', () => {
      expect(decorateClass(Instrumented({ registry, buckets: [1] })).run()).to.equal('ran');
      expect(() => decorateClass(Instrumented({ registry, buckets: [2] }))).to.throw(
        /@Instrumented: .*duration.*different/,
      );
    });

    it('refuses an anonymous class without className, leaving it unchanged', () => {
      const anonymous = (() =>
        class {
          run(): void {}
        })();
      const run = anonymous.prototype.run;
      const decorate = Instrumented({ registry }) as unknown as (...args: unknown[]) => unknown;
      const apply = (): unknown =>
        MODE === 'legacy'
          ? decorate(anonymous)
          : decorate(anonymous, { kind: 'class', name: undefined, addInitializer() {} });
      expect(apply).to.throw(TypeError, /@Instrumented: the class has no name; give one with the className option/);
      expect(anonymous.prototype.run).to.equal(run);
      expect(registry.getMetrics()).to.deep.equal([]);
    });

    it('refuses use on a method, and use without parentheses', () => {
      const decorate = Instrumented({ registry }) as unknown as (...args: unknown[]) => unknown;
      const method = (): void => {};
      expect(() =>
        MODE === 'legacy'
          ? decorate({}, 'run', { value: method })
          : decorate(method, { kind: 'method', name: 'run', static: false }),
      ).to.throw(TypeError, /@Instrumented decorates classes/);
      expect(() => (Instrumented as unknown as (c: unknown) => unknown)(class X {})).to.throw(
        TypeError,
        /@Instrumented: write it with parentheses/,
      );
    });

    it('@NotInstrumented refuses static methods and accessors', () => {
      const mark = NotInstrumented as unknown as (...args: unknown[]) => unknown;
      if (MODE === 'legacy') {
        class S {}
        expect(() => mark(S, 'run', { value() {} })).to.throw(TypeError, /static methods are never measured/);
        expect(() => mark(S.prototype, 'x', { get() {} })).to.throw(TypeError, /not an accessor or field \(x\)/);
      } else {
        expect(() => mark(() => {}, { kind: 'method', name: 'run', static: true })).to.throw(
          TypeError,
          /static methods are never measured/,
        );
        expect(() => mark(() => 1, { kind: 'getter', name: 'x', static: false })).to.throw(
          TypeError,
          /marks methods, not a getter \(x\)/,
        );
      }
    });
  });
});
