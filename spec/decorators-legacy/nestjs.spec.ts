import 'reflect-metadata';
import { Controller, Get, HttpCode } from '@nestjs/common';
import { expect } from 'chai';
import { Counter, CountExceptions, Histogram, Registry, Timed } from '../../lib/index.js';

// NestJS decorators are legacy (experimentalDecorators) decorators, so this file is compiled in that mode only.
describe('decorators with NestJS and emitDecoratorMetadata [legacy decorators]', () => {
  const registry = new Registry();
  const h = new Histogram({ name: 'nest_seconds', help: 'h', registry });
  const errors = new Counter({ name: 'nest_errors', help: 'c', registry });

  class Order {}

  @Controller('orders')
  class OrdersController {
    // Nest's decorators applied after ours (listed above them).
    @Get(':id')
    @HttpCode(202)
    @Timed(h)
    @CountExceptions(errors)
    find(id: string, _order: Order): string {
      return `order ${id}`;
    }

    // Ours applied after Nest's: Nest's metadata sits on the original and is copied over.
    @Timed(h)
    @Get('list/all')
    list(): string[] {
      return [];
    }
  }

  it('Nest route metadata is on the final method whichever order the decorators run', () => {
    expect(Reflect.getMetadata('path', OrdersController.prototype.find)).to.equal(':id');
    expect(Reflect.getMetadata('method', OrdersController.prototype.find)).to.equal(0); // RequestMethod.GET
    expect(Reflect.getMetadata('__httpCode__', OrdersController.prototype.find)).to.equal(202);
    expect(Reflect.getMetadata('path', OrdersController.prototype.list)).to.equal('list/all');
    expect(Reflect.getMetadata('path', OrdersController)).to.equal('orders');
  });

  it('emitDecoratorMetadata design types stay readable', () => {
    expect(Reflect.getMetadata('design:paramtypes', OrdersController.prototype, 'find')).to.deep.equal([String, Order]);
    expect(Reflect.getMetadata('design:returntype', OrdersController.prototype, 'list')).to.equal(Array);
  });

  it('the decorated Nest handler still works and is measured', () => {
    expect(new OrdersController().find('7', new Order())).to.equal('order 7');
    expect(h.only().count()).to.equal(1);
  });
});
