import { expect } from 'chai';
import { Counter, Registry } from '../../lib/index.js';

describe('smoke', () => {
  it('exposes a counter', async () => {
    const registry = new Registry();
    new Counter({ name: 'hits', help: 'Hits', registry }).inc(2);
    expect(await registry.metrics()).to.include('hits_total 2\n');
  });
});
