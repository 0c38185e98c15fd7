import { expect } from 'chai';
import { CountExceptions, Counter, Gauge, GaugeInProgress, Histogram, Registry, Timed } from '../../lib/index.js';
import { readFileSync } from 'node:fs';
import { MODE } from './mode.js';

function captureMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a throw');
}

describe(`decorator labels [${MODE} decorators]`, () => {
  let registry: Registry;
  beforeEach(() => {
    registry = new Registry();
  });

  it('static labels select one series', () => {
    const h = new Histogram({ name: 'route_seconds', help: 'h', registry, labelNames: ['route'] });
    class Api {
      @Timed(h, { labels: { route: '/orders' } })
      orders(): void {}
      @Timed(h, { labels: { route: '/users' } })
      users(): void {}
    }
    const api = new Api();
    api.orders();
    api.orders();
    api.users();
    expect(h.labels('/orders').count()).to.equal(2);
    expect(h.labels('/users').count()).to.equal(1);
  });

  it('static labels are copied: changing the object later changes nothing', () => {
    const h = new Histogram({ name: 'copied_seconds', help: 'h', registry, labelNames: ['route'] });
    const labels = { route: '/a' };
    class Api {
      @Timed(h, { labels })
      call(): void {}
    }
    labels.route = '/b';
    new Api().call();
    expect(h.labels('/a').count()).to.equal(1);
    expect(h.labelSets()).to.deep.equal([{ route: '/a' }]);
  });

  it('a cached static series is looked up again after the metric is cleared', () => {
    const c = new Counter({ name: 'cleared_errors', help: 'c', registry, labelNames: ['op'] });
    class Api {
      @CountExceptions(c, { labels: { op: 'x' } })
      fail(): void {
        throw new Error('e');
      }
    }
    expect(() => new Api().fail()).to.throw();
    c.clear();
    expect(() => new Api().fail()).to.throw();
    expect(c.labels('x').get()).to.equal(1);
  });

  it('label functions see the arguments and the outcome (result or error)', async () => {
    const h = new Histogram({ name: 'outcome_seconds', help: 'h', registry, labelNames: ['method', 'status'] });
    class Api {
      @Timed(h, {
        labels: (args, outcome) => ({
          method: args[0] as string,
          status:
            outcome && 'error' in outcome && outcome.error !== undefined
              ? 'error'
              : String((outcome?.result as { status: number } | undefined)?.status),
        }),
      })
      async handle(_method: string, fail: boolean): Promise<{ status: number }> {
        if (fail) throw new Error('x');
        return { status: 200 };
      }
    }
    const api = new Api();
    await api.handle('GET', false);
    await api.handle('POST', true).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 0));
    expect(h.labels({ method: 'GET', status: '200' }).count()).to.equal(1);
    expect(h.labels({ method: 'POST', status: 'error' }).count()).to.equal(1);
  });

  it('a labeled metric without a label source fails at class definition, naming the method and the labels', () => {
    const h = new Histogram({ name: 'unlabeled_use_seconds', help: 'h', registry, labelNames: ['route', 'verb'] });
    const g = new Gauge({ name: 'unlabeled_use_in_flight', help: 'g', registry, labelNames: ['queue'] });
    const defineTimed = () => {
      class OrderService {
        @Timed(h)
        place(): void {}
      }
      return OrderService;
    };
    const defineGauge = () => {
      class Worker {
        @GaugeInProgress(g)
        take(): void {}
      }
      return Worker;
    };
    expect(defineTimed)
      .to.throw(Error, /place/)
      .and.to.match(/route, verb/);
    expect(defineGauge).to.throw(Error, /take.*\n?.*|queue/);
    if (MODE === 'legacy') {
      expect(defineTimed).to.throw(/OrderService\.place/);
      expect(defineGauge).to.throw(/Worker\.take/);
    } else {
      // Standard decorators are not told the class: the error names the line of the class instead.
      const classLine = /labels\.spec\.js:(\d+)/.exec(captureMessage(defineTimed))?.[1];
      const source = readFileSync(new URL(import.meta.url), 'utf8').split('\n');
      const enclosingClass = source
        .slice(0, Number(classLine))
        .reverse()
        .map((line) => /\bclass (\w+)/.exec(line)?.[1])
        .find(Boolean);
      expect(enclosingClass).to.equal('OrderService');
    }
  });

  it('static label values are validated at class definition', () => {
    const h = new Histogram({ name: 'bad_static_seconds', help: 'h', registry, labelNames: ['route'] });
    expect(() => {
      class Api {
        @Timed(h, { labels: { rout: '/x' } as never })
        call(): void {}
      }
      return Api;
    }).to.throw(TypeError, /bad_static_seconds.*route/);
  });

  it('a label function given for a metric without labels is an error', () => {
    const h = new Histogram({ name: 'nolabels_seconds', help: 'h', registry });
    expect(() => Timed(h, { labels: () => ({}) })((() => 1) as () => number)).to.throw(Error, /no labels/);
  });
});
