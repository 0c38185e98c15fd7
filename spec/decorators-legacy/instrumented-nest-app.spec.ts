/**
 * `@Instrumented` on the classes of a real NestJS application (@nestjs/core with its Express
 * platform): the application starts, its dependency injection and router find the decorated
 * controller and service, every route still answers as written, and the calls are counted by class,
 * method and result. Nest's decorators are legacy decorators: this file is compiled in that mode only.
 */
import 'reflect-metadata';
import {
  Controller,
  Get,
  HttpCode,
  Injectable,
  Module,
  NotFoundException,
  Param,
  Post,
  type INestApplication,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { expect } from 'chai';
import { Instrumented, NotInstrumented, Registry } from '../../lib/index.js';
import { getSampleValue } from '../../lib/testing/index.js';

const registry = new Registry();

@Instrumented({ registry })
@Injectable()
class Inventory {
  private readonly stock = new Map([['apple', 3]]);

  count(item: string): number {
    const found = this.stock.get(item);
    if (found === undefined) throw new NotFoundException(`no ${item}`);
    return found;
  }

  @NotInstrumented
  restock(item: string): void {
    this.stock.set(item, (this.stock.get(item) ?? 0) + 1);
  }
}

@Instrumented({ registry })
@Controller('items')
class ItemsController {
  constructor(private readonly inventory: Inventory) {}

  @Get(':item')
  show(@Param('item') item: string): { item: string; count: number } {
    return { item, count: this.inventory.count(item) };
  }

  @Post(':item')
  @HttpCode(202)
  async add(@Param('item') item: string): Promise<{ queued: string }> {
    await new Promise((resolve) => setTimeout(resolve, 5));
    this.inventory.restock(item);
    return { queued: item };
  }
}

@Module({ controllers: [ItemsController], providers: [Inventory] })
class ShopModule {}

describe('@Instrumented in a real NestJS application (@nestjs/core, Express platform)', function () {
  this.timeout(20_000);
  let app: INestApplication;
  let base: string;

  before(async () => {
    app = await NestFactory.create(ShopModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  after(async () => {
    await app?.close();
  });

  it('keeps the routes answering as written: DI, params, status codes and errors', async () => {
    const shown = await fetch(`${base}/items/apple`);
    expect(shown.status).to.equal(200);
    expect(await shown.json()).to.deep.equal({ item: 'apple', count: 3 });

    const added = await fetch(`${base}/items/apple`, { method: 'POST' });
    expect(added.status).to.equal(202);
    expect(await added.json()).to.deep.equal({ queued: 'apple' });

    const missing = await fetch(`${base}/items/pear`);
    expect(missing.status).to.equal(404);
    expect(((await missing.json()) as { message: string }).message).to.equal('no pear');

    const after = await fetch(`${base}/items/apple`);
    expect(await after.json()).to.deep.equal({ item: 'apple', count: 4 });
  });

  it('counts every call by class, method and result, and measures the async route until it settles', async () => {
    const calls = (cls: string, method: string, result: string) =>
      getSampleValue('method_calls_total', { class: cls, method, result }, registry);
    expect(await calls('ItemsController', 'show', 'ok')).to.equal(2);
    expect(await calls('ItemsController', 'show', 'error')).to.equal(1);
    expect(await calls('ItemsController', 'add', 'ok')).to.equal(1);
    expect(await calls('Inventory', 'count', 'ok')).to.equal(2);
    expect(await calls('Inventory', 'count', 'error')).to.equal(1);
    expect(await calls('Inventory', 'restock', 'ok')).to.equal(undefined);
    const route = { class: 'ItemsController', method: 'add' };
    expect(await getSampleValue('method_duration_seconds_sum', route, registry)).to.be.greaterThan(0.004);
    expect(await getSampleValue('method_calls_in_flight', route, registry)).to.equal(0);
  });
});
