import { expect } from 'chai';
import { Counter, CountExceptions, Gauge, GaugeInProgress, Histogram, Registry, Summary, Timed } from '../../lib/index.js';

const registry = new Registry();
const h = new Histogram({ name: 'q_seconds', help: 'h', registry });
const s = new Summary({ name: 'q_summary', help: 's', registry });
const c = new Counter({ name: 'q_errors', help: 'c', registry });
const g = new Gauge({ name: 'q_inflight', help: 'g', registry });

class Svc {
  factor = 2;
  @Timed(h) @CountExceptions(c) @GaugeInProgress(g)
  work(x: number): number {
    if (x < 0) throw new Error('neg');
    return x * this.factor;
  }
  @s.time()
  async slow(): Promise<string> {
    await new Promise((r) => setTimeout(r, 20));
    return 'done';
  }
}

describe('quick decorators', () => {
  it('works', async () => {
    const svc = new Svc();
    expect(svc.work(3)).to.equal(6);
    expect(() => svc.work(-1)).to.throw('neg');
    expect(await svc.slow()).to.equal('done');
    expect(c.get()).to.equal(1);
    expect(g.get()).to.equal(0);
    expect(h.only().count()).to.equal(2);
    expect(s.only().sum).to.be.greaterThan(0.015);
    expect(Svc.prototype.work.name).to.equal('work');
  });
});
