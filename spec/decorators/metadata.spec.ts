import 'reflect-metadata';
import { expect } from 'chai';
import { Histogram, Registry, Timed } from '../../lib/index.js';
import { MODE } from './mode.js';

describe(`decorators keep reflect-metadata [${MODE} decorators]`, () => {
  const registry = new Registry();
  const h = new Histogram({ name: 'meta_seconds', help: 'h', registry });

  it('copies metadata stored on the original function to the wrapper', () => {
    function original(): string {
      return 'x';
    }
    Reflect.defineMetadata('route:path', '/orders', original);
    Reflect.defineMetadata('route:method', 'GET', original);
    const wrapped = Timed(h)(original);
    expect(Reflect.getMetadata('route:path', wrapped)).to.equal('/orders');
    expect(Reflect.getMetadata('route:method', wrapped)).to.equal('GET');
    expect(wrapped()).to.equal('x');
  });
});
