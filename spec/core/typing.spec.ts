/**
 * Compile-time checks: literal label names are typed, so a misspelt or missing label name in
 * labels({...}) does not compile. Each `@ts-expect-error` below fails `tsc` (and so `npm test`)
 * if that line ever starts compiling; the runtime checks make sure the lines also throw.
 */
import { expect } from 'chai';
import { Counter, Enum, Gauge, Histogram, Info, Registry, Summary } from '../../lib/index.js';

describe('label typing (compile time)', () => {
  const registry = new Registry();

  it('positional constructor: misspelt and missing label names do not compile', () => {
    const requests = new Counter('typed_requests', 'h', ['method', 'status'], { registry });
    requests.labels({ method: 'GET', status: 200 }).inc();
    // @ts-expect-error -- misspelt label name
    expect(() => requests.labels({ methd: 'GET', status: '200' })).to.throw(TypeError, /missing label "method"/);
    // @ts-expect-error -- missing label
    expect(() => requests.labels({ method: 'GET' })).to.throw(TypeError, /missing label "status"/);
    // @ts-expect-error -- a label that is not declared
    expect(() => requests.labels({ method: 'GET', status: '200', extra: 'x' })).to.throw(TypeError, /unknown label/);
  });

  it('options constructor: the same for every metric type', () => {
    const g = new Gauge({ name: 'typed_gauge', help: 'h', labelNames: ['queue'], registry });
    g.labels({ queue: 'a' }).set(1);
    // @ts-expect-error -- misspelt label name
    expect(() => g.labels({ qeue: 'a' })).to.throw(TypeError);

    const h = new Histogram({ name: 'typed_hist', help: 'h', labelNames: ['route', 'verb'], registry });
    // @ts-expect-error -- missing label
    expect(() => h.labels({ route: '/' })).to.throw(TypeError);

    const s = new Summary({ name: 'typed_summary', help: 'h', labelNames: ['route'], registry });
    // @ts-expect-error -- misspelt label name
    expect(() => s.labels({ rout: '/' })).to.throw(TypeError);

    const i = new Info({ name: 'typed_info', help: 'h', labelNames: ['part'], registry });
    // @ts-expect-error -- misspelt label name
    expect(() => i.labels({ prat: 'x' })).to.throw(TypeError);

    const e = new Enum({ name: 'typed_enum', help: 'h', labelNames: ['job'], states: ['idle', 'busy'], registry });
    e.labels({ job: 'a' }).state('busy');
    // @ts-expect-error -- missing label
    expect(() => e.labels({})).to.throw(TypeError);
    // @ts-expect-error -- not one of the states
    expect(() => e.labels({ job: 'a' }).state('crashed')).to.throw(RangeError);
  });

  it('remove({...}) is typed the same way', () => {
    const c = new Counter({ name: 'typed_remove', help: 'h', labelNames: ['a'], registry });
    c.labels({ a: 'x' });
    // @ts-expect-error -- misspelt label name
    expect(() => c.remove({ b: 'x' })).to.throw(TypeError);
    expect(c.remove({ a: 'x' })).to.equal(true);
  });

  it('an unlabeled metric: labels() takes nothing, neither an object nor values', () => {
    const g = new Gauge('typed_unlabeled', 'G', [], { registry });
    const o = new Gauge({ name: 'typed_unlabeled_opts', help: 'G', registry });
    expect(g.labels()).to.equal(g.labels());
    expect(o.labels()).to.equal(o.labels());
    // @ts-expect-error -- no labels to give
    expect(() => g.labels({ anything: 'x' })).to.throw(TypeError, /unknown label/);
    // @ts-expect-error -- no labels to give
    expect(() => o.labels('GET')).to.throw(TypeError, /expected 0 label value/);
    const c = new Counter('typed_unlabeled_counter', 'C', undefined, { registry });
    // @ts-expect-error -- no labels to give
    expect(() => c.labels({ method: 'GET' })).to.throw(TypeError);
  });

  it('positional labels(...) are checked for arity where the label names are literal', () => {
    const h = new Histogram({ name: 'typed_arity', help: 'h', labelNames: ['method', 'status'], registry });
    h.labels('GET', 200).observe(1);
    // @ts-expect-error -- one value for two labels
    expect(() => h.labels('GET')).to.throw(TypeError, /expected 2 label value/);
    // @ts-expect-error -- three values for two labels
    expect(() => h.labels('GET', '200', 'x')).to.throw(TypeError, /expected 2 label value/);
    const s = new Summary('typed_arity_summary', 'h', ['route'] as const, { registry });
    s.labels('/').observe(1);
    // @ts-expect-error -- two values for one label
    expect(() => s.labels('/', 'x')).to.throw(TypeError);
    // Label names known only at run time: any count compiles, and the run-time check answers.
    const names: string[] = ['a', 'b'];
    const dynamic = new Counter({ name: 'typed_dynamic', help: 'h', labelNames: names, registry });
    expect(() => dynamic.labels('x')).to.throw(TypeError, /expected 2 label value/);
    dynamic.labels('x', 'y').inc();
  });
});
