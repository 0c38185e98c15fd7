import { expect } from 'chai';
import { CountExceptions, Counter, Registry } from '../../lib/index.js';
import { MODE } from './mode.js';

class TimeoutError extends Error {}
class OtherError extends Error {}

describe(`@CountExceptions [${MODE} decorators]`, () => {
  let registry: Registry;
  let errors: Counter;
  beforeEach(() => {
    registry = new Registry();
    errors = new Counter({ name: 'failures', help: 'errors', registry });
  });

  it('counts sync throws and leaves successful calls alone', () => {
    class Svc {
      @CountExceptions(errors)
      maybe(fail: boolean): string {
        if (fail) throw new Error('x');
        return 'ok';
      }
    }
    const svc = new Svc();
    expect(svc.maybe(false)).to.equal('ok');
    expect(() => svc.maybe(true)).to.throw('x');
    expect(() => svc.maybe(true)).to.throw('x');
    expect(errors.get()).to.equal(2);
  });

  it('counts rejected promises once they reject', async () => {
    let reject!: (e: unknown) => void;
    class Svc {
      @CountExceptions(errors)
      later(): Promise<void> {
        return new Promise((_, r) => (reject = r));
      }
    }
    const p = new Svc().later();
    expect(errors.get()).to.equal(0);
    reject(new Error('late'));
    await p.catch(() => undefined);
    expect(errors.get()).to.equal(1);
  });

  it('counts only the given error classes (Python count_exceptions(exc))', async () => {
    class Svc {
      @CountExceptions(errors, { only: [TimeoutError] })
      fail(error: Error): void {
        throw error;
      }
      @errors.countExceptions(TimeoutError)
      async failAsync(error: Error): Promise<void> {
        throw error;
      }
    }
    const svc = new Svc();
    expect(() => svc.fail(new OtherError())).to.throw(OtherError);
    expect(() => svc.fail(new TimeoutError())).to.throw(TimeoutError);
    await svc.failAsync(new OtherError()).catch(() => undefined);
    await svc.failAsync(new TimeoutError()).catch(() => undefined);
    expect(errors.get()).to.equal(2);
  });

  it('counter.countExceptions() with no class counts everything, also around a plain function', () => {
    const wrapped = errors.countExceptions()(() => {
      throw 'a string, not an Error';
    });
    expect(() => wrapped()).to.throw();
    expect(errors.get()).to.equal(1);
  });

  it('counts into a labeled child: labels from the error', () => {
    const byKind = new Counter({ name: 'failures_by_kind', help: 'e', registry, labelNames: ['kind'] });
    class Svc {
      @CountExceptions(byKind, {
        labels: (_args, outcome) => ({ kind: (outcome?.error as Error | undefined)?.constructor.name ?? 'none' }),
      })
      fail(error: Error): void {
        throw error;
      }
    }
    const svc = new Svc();
    expect(() => svc.fail(new TimeoutError())).to.throw();
    expect(() => svc.fail(new OtherError())).to.throw();
    expect(byKind.labels('TimeoutError').get()).to.equal(1);
    expect(byKind.labels('OtherError').get()).to.equal(1);
  });

  it('rejects a non-counter and a bad "only"', () => {
    expect(() => CountExceptions({ type: 'gauge' } as never)).to.throw(TypeError, /needs a Counter/);
    const byName = (): unknown => CountExceptions(errors, { only: ['TimeoutError'] as never });
    expect(byName).to.throw(TypeError, /"only\[0\]" must be an error class.*"TimeoutError"/);
  });

  // Issue 9, finding 9: an arrow function in "only" was accepted, then warned on every call
  // (instanceof throws on it) and never counted.
  it('refuses "only" entries that are not error classes, naming decorator, metric and value', () => {
    const arrow = (): void => {};
    function NotAnError(): void {}
    class Plain {}
    for (const bad of [arrow, NotAnError, Plain, Object, Function]) {
      const name = bad.name;
      expect(() => CountExceptions(errors, { only: [TimeoutError, bad as never] }), name).to.throw(
        TypeError,
        new RegExp(`@CountExceptions\\(failures\\): "only\\[1\\]" must be an error class .*, got function ${name}`),
      );
      const onMetric = (): unknown => errors.countExceptions(bad as never);
      expect(onMetric, name).to.throw(TypeError, /@CountExceptions\(failures\): "only\[0\]"/);
    }
    const labeled = new Counter({ name: 'failures_by_route', help: 'e', registry, labelNames: ['route'] });
    const onChild = (): unknown => labeled.labels('/a').countExceptions(arrow as never);
    expect(onChild).to.throw(TypeError, /countExceptions\(\) on failures_by_route: "only\[0\]" .*function arrow/);
    expect(() => CountExceptions(errors, { only: [] })).to.throw(TypeError, /failures.*"only" is empty/);
    const misspelt = (): unknown => CountExceptions(errors, { onyl: [TimeoutError] } as never);
    expect(misspelt).to.throw(TypeError, /failures.*unknown option "onyl"/);
    expect(() => CountExceptions(errors, null as never)).to.throw(TypeError, /failures.*options must be an object/);
  });

  it('accepts Error itself, built-in and user subclasses, and counts with them', () => {
    const wrapped = CountExceptions(errors, { only: [Error] })(() => {
      throw new RangeError('x');
    });
    expect(() => wrapped()).to.throw(RangeError);
    expect(errors.get()).to.equal(1);
    for (const cls of [TypeError, AggregateError, TimeoutError, DOMException]) {
      expect(() => CountExceptions(errors, { only: [cls] }), cls.name).not.to.throw();
    }
  });
});
