/**
 * The `exemplar` option of @Timed and @CountExceptions: a function of the call, or `true` for the
 * active OpenTelemetry span, with a real span from @opentelemetry/sdk-trace-base; and the absence
 * of @opentelemetry/api, simulated through the loader seam of lib/instrument/opentelemetry.ts.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ROOT_CONTEXT, context, trace, type Context, type ContextManager } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { expect } from 'chai';
import { CountExceptions, Counter, Histogram, Registry, Summary, Timed, type MetricFamily } from '../../lib/index.js';
import { setTraceApiLoader } from '../../lib/instrument/opentelemetry.js';

/** The smallest context manager on AsyncLocalStorage (what @opentelemetry/context-async-hooks provides). */
class LocalContextManager implements ContextManager {
  readonly #storage = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.#storage.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.#storage.run(ctx, () => fn.apply(thisArg, args));
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.#storage.disable();
    return this;
  }
}

async function family(registry: Registry, name: string): Promise<MetricFamily> {
  const found = (await registry.collect()).find((f) => f.name === name);
  if (found === undefined) throw new Error(`no family ${name}`);
  return found;
}

describe('exemplar option of @Timed and @CountExceptions', () => {
  let registry: Registry;
  beforeEach(() => {
    registry = new Registry();
  });

  it('takes exemplar labels from a function of the call', async () => {
    const h = new Histogram('work_seconds', 'Work', ['kind'], { registry, buckets: [100] });
    const work = Timed(h, {
      labels: { kind: 'a' },
      exemplar: (args) => ({ trace_id: String(args[0]) }),
    })(async (id: string) => id.length);
    await work('abc');
    const row = (await family(registry, 'work_seconds')).histogram!.rows[0]!;
    expect(row.exemplars![0]!.labels).to.deep.equal({ trace_id: 'abc' });
    expect(row.exemplars![0]!.value).to.equal(row.sum);

    const errors = new Counter('failures', 'Failures', [], { registry });
    const fail = CountExceptions(errors, {
      exemplar: (_args, outcome) => ({ error: String((outcome.error as Error).message) }),
    })(() => {
      throw new Error('boom');
    });
    expect(fail).to.throw('boom');
    const sample = (await family(registry, 'failures')).samples[0]!;
    expect(sample.value).to.equal(1);
    expect(sample.exemplar).to.include({ value: 1 });
    expect(sample.exemplar!.labels).to.deep.equal({ error: 'boom' });
  });

  it('a function returning undefined records without an exemplar', async () => {
    const h = new Histogram('quiet_seconds', 'Quiet', [], { registry, buckets: [100] });
    Timed(h, { exemplar: () => undefined })(() => 1)();
    const row = (await family(registry, 'quiet_seconds')).histogram!.rows[0]!;
    expect(row.cumulative).to.deep.equal([1, 1]);
    expect(row).to.not.have.property('exemplars');
  });

  it('refuses a bad option, and exemplars on a Summary, when the decorator is made', () => {
    const h = new Histogram('checked_seconds', 'Checked', [], { registry });
    expect(() => Timed(h, { exemplar: 'yes' as unknown as true })).to.throw(
      TypeError,
      /@Timed\(checked_seconds\): "exemplar" must be true .* or a function .*got "yes"/,
    );
    const s = new Summary('summary_seconds', 'Summary', [], { registry });
    expect(() => Timed(s, { exemplar: true })).to.throw(TypeError, /"exemplar" needs a Histogram.*got a summary/);
    const c = new Counter('checked', 'Checked', [], { registry });
    expect(() => CountExceptions(c, { exemplar: 1 as unknown as true })).to.throw(
      TypeError,
      /@CountExceptions\(checked\): "exemplar" must be/,
    );
  });

  describe('exemplar: true with OpenTelemetry', () => {
    const provider = new BasicTracerProvider();
    const tracer = provider.getTracer('prometric-spec');
    before(() => {
      context.setGlobalContextManager(new LocalContextManager());
      trace.setGlobalTracerProvider(provider);
    });
    after(async () => {
      trace.disable();
      context.disable();
      await provider.shutdown();
    });
    afterEach(() => setTraceApiLoader());

    it('takes trace_id and span_id from the active span of a real tracer', async () => {
      const h = new Histogram('traced_seconds', 'Traced', [], { registry, native: true });
      const errors = new Counter('traced_failures', 'Failures', [], { registry });
      const work = Timed(h, { exemplar: true })(async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
      });
      const fail = CountExceptions(errors, { exemplar: true })(async () => {
        throw new Error('boom');
      });
      const ids = await tracer.startActiveSpan('request', async (span) => {
        await work();
        await fail().catch(() => undefined);
        span.end();
        return { trace_id: span.spanContext().traceId, span_id: span.spanContext().spanId };
      });
      expect(ids.trace_id).to.match(/^[0-9a-f]{32}$/);
      const row = (await family(registry, 'traced_seconds')).histogram!.rows[0]!;
      expect(row.nativeExemplars!.map((e) => e.labels)).to.deep.equal([ids]);
      expect((await family(registry, 'traced_failures')).samples[0]!.exemplar!.labels).to.deep.equal(ids);
    });

    it('records without an exemplar outside any span', async () => {
      const h = new Histogram('untraced_seconds', 'Untraced', [], { registry, buckets: [100] });
      Timed(h, { exemplar: true })(() => 1)();
      const row = (await family(registry, 'untraced_seconds')).histogram!.rows[0]!;
      expect(row.cumulative).to.deep.equal([1, 1]);
      expect(row).to.not.have.property('exemplars');
    });

    it('without @opentelemetry/api installed (a loader that finds no module), records without an exemplar', async () => {
      let loads = 0;
      setTraceApiLoader(() => {
        loads++;
        throw Object.assign(new Error("Cannot find module '@opentelemetry/api'"), { code: 'MODULE_NOT_FOUND' });
      });
      const h = new Histogram('absent_seconds', 'Absent', [], { registry, buckets: [100] });
      const work = Timed(h, { exemplar: true })(() => 1);
      // Inside a real span: only the missing API keeps the exemplar out.
      tracer.startActiveSpan('request', (span) => {
        work();
        work();
        span.end();
      });
      const row = (await family(registry, 'absent_seconds')).histogram!.rows[0]!;
      expect(row.cumulative).to.deep.equal([2, 2]);
      expect(row).to.not.have.property('exemplars');
      expect(loads, 'the absence is remembered: one load attempt').to.equal(1);
    });
  });
});
