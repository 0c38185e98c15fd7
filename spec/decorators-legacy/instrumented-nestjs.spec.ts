import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpException,
  Injectable,
  Module,
  NotFoundException,
  Param,
  Post,
  RequestMethod,
} from '@nestjs/common';
import { expect } from 'chai';
import express from 'express';
import { Histogram, Instrumented, NotInstrumented, Registry, Timed } from '../../lib/index.js';

/*
 * NestJS decorators are legacy (experimentalDecorators) decorators, so this file is compiled in that
 * mode only. @nestjs/core (Nest's router and DI container) is not a dependency of this project, so
 * the application is served by `serveNestModule` below: it reads the very metadata Nest's
 * RouterExplorer and injector read (@Module's controllers and providers, design:paramtypes for
 * constructor injection, @Controller/@Get/@Post paths and methods, @Param/@Body route arguments,
 * @HttpCode) and mounts the routes on Express, so that real HTTP requests reach the decorated handlers.
 */

// The metadata keys of @nestjs/common (its constants module).
const PATH = 'path';
const METHOD = 'method';
const ROUTE_ARGS = '__routeArguments__';
const HTTP_CODE = '__httpCode__';
const PARAMTYPES = 'design:paramtypes';
const PARAM_TYPE = { BODY: 3, PARAM: 5 };

type Constructor = new (...args: unknown[]) => object;

/** Constructor injection as Nest's injector does it: by design:paramtypes, one instance per class. */
function instantiate(cls: Constructor, instances: Map<Constructor, object>): object {
  const existing = instances.get(cls);
  if (existing) return existing;
  const deps = ((Reflect.getMetadata(PARAMTYPES, cls) as Constructor[] | undefined) ?? []).map((dep) =>
    instantiate(dep, instances),
  );
  const instance = new cls(...deps);
  instances.set(cls, instance);
  return instance;
}

function joinPath(...parts: string[]): string {
  return `/${parts
    .map((p) => p.replace(/^\/|\/$/g, ''))
    .filter((p) => p !== '')
    .join('/')}`;
}

/** Mounts every route of the module's controllers on an Express app, from Nest's metadata only. */
function serveNestModule(module: Constructor): express.Express {
  const app = express();
  app.use(express.json());
  const instances = new Map<Constructor, object>();
  for (const provider of (Reflect.getMetadata('providers', module) as Constructor[]) ?? []) {
    instantiate(provider, instances);
  }
  for (const controller of Reflect.getMetadata('controllers', module) as Constructor[]) {
    const instance = instantiate(controller, instances) as Record<string, (...args: unknown[]) => unknown>;
    const prefix = Reflect.getMetadata(PATH, controller) as string;
    // Nest's MetadataScanner walks the prototype chain for handlers.
    const seen = new Set<string>(['constructor']);
    for (let proto = controller.prototype; proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
      for (const key of Object.getOwnPropertyNames(proto)) {
        if (seen.has(key)) continue;
        seen.add(key);
        const handler = Object.getOwnPropertyDescriptor(proto, key)?.value as object | undefined;
        if (typeof handler !== 'function') continue;
        const path = Reflect.getMetadata(PATH, handler) as string | undefined;
        const method = Reflect.getMetadata(METHOD, handler) as RequestMethod | undefined;
        if (path === undefined || method === undefined) continue;
        const args = (Reflect.getMetadata(ROUTE_ARGS, controller, key) ?? {}) as Record<
          string,
          { index: number; data?: string }
        >;
        const status = Reflect.getMetadata(HTTP_CODE, handler) as number | undefined;
        const verb = method === RequestMethod.POST ? 'post' : 'get';
        app[verb](joinPath(prefix, path), async (req, res) => {
          const values: unknown[] = [];
          for (const [slot, { index, data }] of Object.entries(args)) {
            const type = Number(slot.split(':')[0]);
            const source = type === PARAM_TYPE.PARAM ? req.params : type === PARAM_TYPE.BODY ? req.body : undefined;
            values[index] = data === undefined ? source : (source as Record<string, unknown>)[data];
          }
          try {
            const result = await instance[key]!(...values);
            res.status(status ?? (method === RequestMethod.POST ? 201 : 200)).json(result);
          } catch (error) {
            if (!(error instanceof HttpException)) throw error;
            res.status(error.getStatus()).json(error.getResponse());
          }
        });
      }
    }
  }
  return app;
}

describe('@Instrumented on a NestJS application, served over HTTP [legacy decorators]', () => {
  const registry = new Registry();
  const handlerTime = new Histogram({ name: 'nest_handler_seconds', help: 'h', registry });

  interface Order {
    id: string;
    item: string;
  }

  @Injectable()
  @Instrumented({ registry })
  class OrdersService {
    readonly #orders = new Map<string, Order>([['7', { id: '7', item: 'book' }]]);
    async find(id: string): Promise<Order> {
      const order = this.#orders.get(id);
      if (order === undefined) throw new NotFoundException(`no order ${id}`);
      return order;
    }
    create(item: string): Order {
      const order = { id: String(this.#orders.size + 7), item };
      this.#orders.set(order.id, order);
      return order;
    }
  }

  class BaseController {
    @Get('status/health')
    @NotInstrumented
    health(): { ok: boolean } {
      return { ok: true };
    }
  }

  // Nest's class decorator is listed below ours here and above ours on the service: either order works.
  @Instrumented({ registry })
  @Controller('orders')
  class OrdersController extends BaseController {
    constructor(private readonly orders: OrdersService) {
      super();
    }

    @Get(':id')
    @Timed(handlerTime)
    find(@Param('id') id: string): Promise<Order> {
      return this.orders.find(id);
    }

    @Post()
    @HttpCode(202)
    create(@Body('item') item: string): Order {
      return this.orders.create(item);
    }
  }

  @Module({ controllers: [OrdersController], providers: [OrdersService] })
  class AppModule {}

  let server: Server;
  let base: string;
  before(async () => {
    const app = serveNestModule(AppModule as Constructor);
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function sample(name: string, labels: string): Promise<number | undefined> {
    const line = (await registry.metrics()).split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  }

  it('keeps the classes, their DI metadata and their route metadata', () => {
    expect(Reflect.getMetadata(PARAMTYPES, OrdersController)).to.deep.equal([OrdersService]);
    expect(Reflect.getMetadata('__controller__', OrdersController)).to.equal(true);
    expect(Reflect.getMetadata('__injectable__', OrdersService)).to.equal(true);
    expect(Reflect.getMetadata('controllers', AppModule)).to.deep.equal([OrdersController]);
    expect(Reflect.getMetadata(PATH, OrdersController)).to.equal('orders');
    expect(Reflect.getMetadata(PATH, OrdersController.prototype.find)).to.equal(':id');
    expect(Reflect.getMetadata(METHOD, OrdersController.prototype.create)).to.equal(RequestMethod.POST);
    expect(Reflect.getMetadata(HTTP_CODE, OrdersController.prototype.create)).to.equal(202);
    expect(Reflect.getMetadata(PARAMTYPES, OrdersController.prototype, 'find')).to.deep.equal([String]);
    expect(Object.keys(Reflect.getMetadata(ROUTE_ARGS, OrdersController, 'find'))).to.deep.equal(['5:0']);
  });

  it('the routes still answer, with their status codes and errors', async () => {
    const found = await fetch(`${base}/orders/7`);
    expect(found.status).to.equal(200);
    expect(await found.json()).to.deep.equal({ id: '7', item: 'book' });

    const created = await fetch(`${base}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ item: 'pen' }),
    });
    expect(created.status).to.equal(202);
    expect(await created.json()).to.deep.equal({ id: '8', item: 'pen' });

    const missing = await fetch(`${base}/orders/99`);
    expect(missing.status).to.equal(404);
    expect(((await missing.json()) as { message: string }).message).to.equal('no order 99');

    const health = await fetch(`${base}/orders/status/health`);
    expect(health.status).to.equal(200);
    expect(await health.json()).to.deep.equal({ ok: true });
  });

  it('measured every handler and service call by result; the opted-out route and @Timed as before', async () => {
    const calls = (cls: string, method: string, result: string): Promise<number | undefined> =>
      sample('method_calls_total', `class="${cls}",method="${method}",result="${result}"`);
    expect({
      controllerFindOk: await calls('OrdersController', 'find', 'ok'),
      controllerFindError: await calls('OrdersController', 'find', 'error'),
      controllerCreateOk: await calls('OrdersController', 'create', 'ok'),
      serviceFindOk: await calls('OrdersService', 'find', 'ok'),
      serviceFindError: await calls('OrdersService', 'find', 'error'),
      serviceCreateOk: await calls('OrdersService', 'create', 'ok'),
      health: await calls('OrdersController', 'health', 'ok'),
    }).to.deep.equal({
      controllerFindOk: 1,
      controllerFindError: 1,
      controllerCreateOk: 1,
      serviceFindOk: 1,
      serviceFindError: 1,
      serviceCreateOk: 1,
      health: undefined,
    });
    expect(handlerTime.only().count()).to.equal(2);
    expect(await sample('method_calls_in_flight', 'class="OrdersController",method="find"')).to.equal(0);
  });
});
