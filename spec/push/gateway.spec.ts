/**
 * pushToGateway, pushAddToGateway and deleteFromGateway (issue 15) against a real Pushgateway 1.5:
 * their semantics read back from the gateway's /api/v1/metrics and /metrics, the URL encoding of
 * awkward grouping keys, refusals, timeouts, unreachable gateways, basic auth and HTTPS (through a
 * recording front of the gateway), and what goes over the wire.
 */
import { expect } from 'chai';
import { createServer, type Server, type Socket } from 'node:net';
import { generate } from 'selfsigned';
import {
  CollectionError,
  Counter,
  Gauge,
  Histogram,
  PushgatewayError,
  Registry,
  deleteFromGateway,
  pushAddToGateway,
  pushToGateway,
} from '../../lib/index.js';
import { decodeDelimited } from '../support/protobuf-decoder.js';
import { rejection, requireTool } from '../support/tools.js';
import { LOOPBACK, freePort, waitFor } from '../server/support.js';
import { type Front, Pushgateway, hasPushgateway, startFront } from './support.js';

/** A registry with one gauge per entry, named and valued as given. */
function gauges(values: Record<string, number>, labels?: Record<string, string>): Registry {
  const registry = new Registry();
  for (const [name, value] of Object.entries(values)) {
    const gauge = new Gauge({ name, help: `${name} help`, registry, labelNames: Object.keys(labels ?? {}) });
    (labels === undefined ? gauge : gauge.labels(labels)).set(value);
  }
  return registry;
}

/** The pushed families of a group and their values, `family{labels} value` sorted, the group's labels left out. */
function values(
  group:
    | { families: Record<string, { metrics: Array<{ labels: Record<string, string>; value?: string }> }> }
    | undefined,
  groupLabels: string[],
): string[] {
  if (group === undefined) return [];
  return Object.entries(group.families)
    .flatMap(([name, family]) =>
      family.metrics.map((metric) => {
        const own = Object.entries(metric.labels).filter(([key]) => !groupLabels.includes(key) && key !== 'instance');
        const text = own.map(([key, value]) => `${key}=${value}`).join(',');
        return `${name}{${text}} ${metric.value}`;
      }),
    )
    .sort();
}

/** Waits until the gateway lists exactly these groups (a DELETE is applied just after its 202 answer). */
async function gatewayShows(gateway: Pushgateway, groups: Array<Record<string, string>>): Promise<void> {
  const wanted = JSON.stringify(groups);
  let seen = '';
  try {
    await waitFor(
      `the gateway to list ${wanted}`,
      async () => {
        seen = JSON.stringify((await gateway.groups()).map((group) => group.labels));
        return seen === wanted ? true : undefined;
      },
      3_000,
      10,
    );
  } catch {
    expect(seen).to.equal(wanted);
  }
}

describe('Pushgateway client: against a real prometheus-pushgateway', function () {
  this.timeout(30_000);
  let gateway: Pushgateway;

  before(async function () {
    requireTool(this, 'prometheus-pushgateway', hasPushgateway());
    gateway = await Pushgateway.start();
  });

  after(async () => {
    await gateway?.stop();
  });

  beforeEach(async () => {
    await gateway?.wipe();
  });

  describe('semantics', () => {
    it('push (PUT) replaces the whole group', async () => {
      await pushToGateway(gateway.url, { job: 'nightly', registry: gauges({ first: 1, second: 2 }) });
      expect(values(await gateway.group({ job: 'nightly' }), ['job'])).to.deep.equal(['first{} 1', 'second{} 2']);

      await pushToGateway(gateway.url, { job: 'nightly', registry: gauges({ first: 10 }) });
      expect(values(await gateway.group({ job: 'nightly' }), ['job'])).to.deep.equal(['first{} 10']);
      expect(await gateway.pushedLines()).to.deep.equal(['first{instance="",job="nightly"} 10']);
    });

    it('push-add (POST) replaces only the families it pushes, each as a whole', async () => {
      const before = new Registry();
      new Gauge({ name: 'kept', help: 'h', registry: before }).set(1);
      const replaced = new Gauge({ name: 'replaced', help: 'h', labelNames: ['shard'], registry: before });
      replaced.labels({ shard: 'a' }).set(2);
      replaced.labels({ shard: 'b' }).set(3);
      await pushToGateway(gateway.url, { job: 'adding', registry: before });

      const after = new Registry();
      new Gauge({ name: 'replaced', help: 'h', labelNames: ['shard'], registry: after }).labels({ shard: 'c' }).set(4);
      new Gauge({ name: 'added', help: 'h', registry: after }).set(5);
      await pushAddToGateway(gateway.url, { job: 'adding', registry: after });

      expect(values(await gateway.group({ job: 'adding' }), ['job'])).to.deep.equal([
        'added{} 5',
        'kept{} 1',
        'replaced{shard=c} 4',
      ]);
      expect(await gateway.pushedLines()).to.have.members([
        'added{instance="",job="adding"} 5',
        'kept{instance="",job="adding"} 1',
        'replaced{instance="",job="adding",shard="c"} 4',
      ]);
    });

    it('delete (DELETE) removes the group and leaves the others; a missing group deletes fine', async () => {
      await pushToGateway(gateway.url, { job: 'gone', groupingKey: { shard: '1' }, registry: gauges({ g: 1 }) });
      await pushToGateway(gateway.url, { job: 'gone', groupingKey: { shard: '2' }, registry: gauges({ g: 2 }) });
      await deleteFromGateway(gateway.url, { job: 'gone', groupingKey: { shard: '1' } });
      // The gateway answers a DELETE with 202 Accepted and applies it just after.
      await gatewayShows(gateway, [{ job: 'gone', shard: '2' }]);
      expect(await gateway.pushedLines()).to.deep.equal(['g{instance="",job="gone",shard="2"} 2']);

      await deleteFromGateway(gateway.url, { job: 'never_pushed' });
      await deleteFromGateway(gateway.url, { job: 'gone', groupingKey: { shard: '2' } });
      await gatewayShows(gateway, []);
    });

    it('keeps two groups apart: pushing to one leaves the other as it was', async () => {
      await pushToGateway(gateway.url, { job: 'pair', groupingKey: { instance: 'a' }, registry: gauges({ g: 1 }) });
      await pushToGateway(gateway.url, { job: 'pair', groupingKey: { instance: 'b' }, registry: gauges({ g: 2 }) });
      await pushToGateway(gateway.url, { job: 'pair', groupingKey: { instance: 'a' }, registry: gauges({ h: 3 }) });
      expect(values(await gateway.group({ job: 'pair', instance: 'a' }), ['job'])).to.deep.equal(['h{} 3']);
      expect(values(await gateway.group({ job: 'pair', instance: 'b' }), ['job'])).to.deep.equal(['g{} 2']);
      expect((await gateway.pushedLines()).sort()).to.deep.equal([
        'g{instance="b",job="pair"} 2',
        'h{instance="a",job="pair"} 3',
      ]);
    });

    it('pushes counters and histograms whole, and the default-free registry it is given only', async () => {
      const registry = new Registry();
      new Counter({ name: 'rows_processed', help: 'Rows.', registry }).inc(42);
      const histogram = new Histogram({ name: 'step_seconds', help: 'Steps.', buckets: [0.1, 1], registry });
      histogram.observe(0.05);
      histogram.observe(0.5);
      await pushToGateway(gateway.url, { job: 'typed', registry });
      const group = await gateway.group({ job: 'typed' });
      expect(Object.keys(group!.families).sort()).to.deep.equal(['rows_processed_total', 'step_seconds']);
      expect(group!.families.rows_processed_total!.type).to.equal('COUNTER');
      expect(group!.families.step_seconds!.type).to.equal('HISTOGRAM');
      expect(group!.families.step_seconds!.metrics[0]).to.include({ count: '2', sum: '0.55' });
      expect(group!.families.step_seconds!.metrics[0]!.buckets).to.deep.equal({ '0.1': '1', '1': '2' });
    });
  });

  describe('grouping keys and jobs the path cannot carry as they are', () => {
    // Each value once as the job and once in the grouping key, next to a plain label.
    const awkward: Record<string, string> = {
      slash: 'a/b/c',
      leading_slash: '/etc',
      empty: '',
      spaces: 'two words  here',
      non_ascii: 'Zürich 東京 🚀',
      dot: '.',
      dots: '..',
      percent: '100%',
      reserved: '?#&=+@:;,',
      base64_like: 'YS9i',
      at_base64: '@base64',
    };

    for (const [name, value] of Object.entries(awkward)) {
      it(`round-trips ${name} (${JSON.stringify(value)}) as a grouping-key value and, non-empty, as the job`, async () => {
        const groupingKey = { key: value, plain: 'x' };
        await pushToGateway(gateway.url, { job: 'awkward', groupingKey, registry: gauges({ g: 1 }) });
        const expected = { job: 'awkward', key: value, plain: 'x' };
        expect((await gateway.groups()).map((group) => group.labels)).to.deep.equal([expected]);
        const escaped = value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
        expect(await gateway.pushedLines()).to.deep.equal([
          `g{instance="",job="awkward",key="${escaped}",plain="x"} 1`,
        ]);
        await deleteFromGateway(gateway.url, { job: 'awkward', groupingKey });
        await gatewayShows(gateway, []); // delete finds the group by the same key

        if (value === '') return; // the gateway takes no empty job (and neither do we: see the options spec)
        await pushToGateway(gateway.url, { job: value, groupingKey: { plain: 'x' }, registry: gauges({ g: 2 }) });
        expect((await gateway.groups()).map((group) => group.labels)).to.deep.equal([{ job: value, plain: 'x' }]);
        await deleteFromGateway(gateway.url, { job: value, groupingKey: { plain: 'x' } });
        await gatewayShows(gateway, []);
      });
    }

    it('sends base64url with @base64 for "/" and empty values, percent-encoding for the rest', async () => {
      const front = await startFront(gateway.port);
      try {
        const groupingKey = { a: 'x/y', b: '', c: 'a b', d: 'é' };
        await pushToGateway(front.url, { job: 'j/k', groupingKey, registry: gauges({ g: 1 }) });
        expect(front.requests.map((r) => `${r.method} ${r.url}`)).to.deep.equal([
          'PUT /metrics/job@base64/ai9r/a@base64/eC95/b@base64/=/c/a%20b/d/%C3%A9',
        ]);
      } finally {
        await front.close();
      }
    });
  });

  describe('failures', () => {
    it('rejects a push the gateway refuses with its status and message, and changes nothing', async () => {
      await pushToGateway(gateway.url, { job: 'first', registry: gauges({ shared_name: 1 }) });
      const conflicting = new Registry();
      new Histogram({ name: 'shared_name', help: 'A histogram now.', buckets: [1], registry: conflicting }).observe(2);

      const error = await rejection(pushToGateway(gateway.url, { job: 'second', registry: conflicting }));
      expect(error).to.be.instanceOf(PushgatewayError);
      const refused = error as PushgatewayError;
      expect(refused.status).to.equal(400);
      expect(refused.body).to.match(/pushed metrics are invalid or inconsistent with existing metrics/);
      expect(refused.message).to.include(`pushToGateway: PUT ${gateway.url}/metrics/job/second answered 400`);
      expect(refused.message).to.include(refused.body!.trim());
      expect(refused.method).to.equal('PUT');
      expect(refused.url).to.equal(`${gateway.url}/metrics/job/second`);
      // The gateway lists the refused group (to show when its push failed), with nothing pushed in it.
      expect(values(await gateway.group({ job: 'second' }), ['job'])).to.deep.equal([]);
      expect(values(await gateway.group({ job: 'first' }), ['job'])).to.deep.equal(['shared_name{} 1']);
      expect(await gateway.pushedLines()).to.deep.equal(['shared_name{instance="",job="first"} 1']);

      const added = await rejection(pushAddToGateway(gateway.url, { job: 'second', registry: conflicting }));
      expect(added.message).to.match(/^pushAddToGateway: POST .* answered 400 Bad Request: pushed metrics are/);
    });

    it('rejects after timeoutMs when the gateway accepts the connection and never answers, closing it', async () => {
      const sockets: Socket[] = [];
      let closed = 0;
      const silent: Server = createServer((socket) => {
        sockets.push(socket);
        socket.on('close', () => closed++);
        socket.resume(); // read the request, answer nothing
      });
      await new Promise<void>((resolve) => silent.listen(0, LOOPBACK, resolve));
      const port = (silent.address() as { port: number }).port;
      try {
        const started = Date.now();
        const error = await rejection(
          pushToGateway(`http://${LOOPBACK}:${port}`, { job: 'slow', registry: gauges({ g: 1 }), timeoutMs: 300 }),
        );
        const elapsed = Date.now() - started;
        expect(error).to.be.instanceOf(PushgatewayError);
        expect(error.message).to.equal(
          `pushToGateway: PUT http://${LOOPBACK}:${port}/metrics/job/slow got no complete answer within 300 ms ` +
            '(options.timeoutMs): aborted',
        );
        expect((error as PushgatewayError).status).to.equal(undefined);
        expect(elapsed).to.be.at.least(290);
        expect(elapsed, 'not much later than the timeout').to.be.below(2_500);
        expect(sockets).to.have.length(1);
        await waitFor('the aborted connection to close', () => (closed === 1 ? true : undefined), 5_000, 20);
      } finally {
        for (const socket of sockets) socket.destroy();
        await new Promise((resolve) => silent.close(resolve));
      }
    });

    it('rejects with the URL and the cause when nothing listens', async () => {
      const port = await freePort(); // free, so nobody listens there
      const url = `http://${LOOPBACK}:${port}`;
      const started = Date.now();
      const error = await rejection(pushToGateway(url, { job: 'nowhere', registry: gauges({ g: 1 }) }));
      expect(error).to.be.instanceOf(PushgatewayError);
      expect(error.message).to.match(
        new RegExp(
          `^pushToGateway: PUT ${url}/metrics/job/nowhere failed: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}`,
        ),
      );
      expect((error.cause as NodeJS.ErrnoException).code).to.equal('ECONNREFUSED');
      expect(Date.now() - started, 'a refused connection fails at once, not at the timeout').to.be.below(5_000);
      const deleted = await rejection(deleteFromGateway(url, { job: 'nowhere' }));
      expect(deleted.message).to.match(/^deleteFromGateway: DELETE .* failed: connect ECONNREFUSED/);
    });

    it('sends nothing when collecting the registry fails', async () => {
      const front = await startFront(gateway.port);
      try {
        const registry = gauges({ g: 1 });
        registry.registerCollector(function failing() {
          throw new Error('the database is down');
        });
        const error = await rejection(pushToGateway(front.url, { job: 'broken', registry }));
        expect(error).to.be.instanceOf(CollectionError);
        expect(error.message).to.include('the database is down');
        expect(front.requests).to.deep.equal([]);
      } finally {
        await front.close();
      }
    });
  });

  describe('through a front: basic auth, HTTPS, headers, a path prefix, the body', () => {
    let front: Front;
    const credentials = { username: 'batch', password: 's3cret:with colon' };

    afterEach(async () => {
      await front?.close();
    });

    it('works behind basic auth with the right credentials and is refused (401) without them', async () => {
      front = await startFront(gateway.port, { basicAuth: credentials });
      await pushToGateway(front.url, { job: 'guarded', registry: gauges({ g: 1 }), basicAuth: credentials });
      expect(values(await gateway.group({ job: 'guarded' }), ['job'])).to.deep.equal(['g{} 1']);

      const without = await rejection(pushToGateway(front.url, { job: 'guarded', registry: gauges({ g: 2 }) }));
      expect((without as PushgatewayError).status).to.equal(401);
      expect(without.message).to.equal(
        `pushToGateway: PUT ${front.url}/metrics/job/guarded answered 401 Unauthorized: Unauthorized`,
      );
      const wrong = { username: 'batch', password: 'guess' };
      const refused = await rejection(
        pushAddToGateway(front.url, { job: 'guarded', registry: gauges({ g: 3 }), basicAuth: wrong }),
      );
      expect((refused as PushgatewayError).status).to.equal(401);
      expect(values(await gateway.group({ job: 'guarded' }), ['job']), 'unchanged').to.deep.equal(['g{} 1']);
      expect(refused.message, 'the password is never shown').not.to.include('guess');

      await deleteFromGateway(front.url, { job: 'guarded', basicAuth: credentials });
      await gatewayShows(gateway, []);
      await waitFor(
        'every connection to the front to close',
        () => (front.openConnections() === 0 ? true : undefined),
        5_000,
        20,
      );
    });

    it('pushes over HTTPS trusting the given CA, and rejects an untrusted certificate', async () => {
      const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
        keySize: 2048,
        extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
      });
      front = await startFront(gateway.port, { tls: { key: pems.private, cert: pems.cert } });
      expect(front.url).to.match(/^https:/);
      await pushToGateway(front.url, { job: 'secure', registry: gauges({ g: 1 }), tls: { ca: pems.cert } });
      expect(values(await gateway.group({ job: 'secure' }), ['job'])).to.deep.equal(['g{} 1']);

      const untrusted = await rejection(pushToGateway(front.url, { job: 'secure', registry: gauges({ g: 2 }) }));
      expect(untrusted).to.be.instanceOf(PushgatewayError);
      expect(untrusted.message).to.match(
        /^pushToGateway: PUT https:\/\/127\.0\.0\.1:\d+\/metrics\/job\/secure failed: .*self[- ]signed/i,
      );
      expect(values(await gateway.group({ job: 'secure' }), ['job'])).to.deep.equal(['g{} 1']);
    });

    it('sends the protobuf body without created timestamps and leaves the registry as it was', async () => {
      front = await startFront(gateway.port);
      const registry = new Registry({ created: true });
      new Counter({ name: 'created_counter', help: 'h', registry }).inc(3);
      new Histogram({ name: 'created_histogram', help: 'h', buckets: [1], registry }).observe(0.5);
      registry.registerCollector(() => [
        {
          name: 'collected',
          help: 'h',
          type: 'counter',
          samples: [
            { name: 'collected_total', value: 7 },
            { name: 'collected_created', value: 1_700_000_000 },
          ],
        },
      ]);
      await pushToGateway(front.url, { job: 'bare', registry, headers: { 'X-Batch-Run': 'run-17' } });

      const [sent] = front.requests;
      expect(sent!.headers['content-type']).to.equal(
        'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited',
      );
      expect(sent!.headers['x-batch-run']).to.equal('run-17');
      const families = decodeDelimited(sent!.body);
      expect(families.map((family) => family.name)).to.deep.equal([
        'created_counter_total',
        'created_histogram',
        'collected_total',
      ]);
      expect(JSON.stringify(families)).not.to.include('created_timestamp');
      expect((await gateway.pushedLines()).filter((line) => line.includes('_created'))).to.deep.equal([]);
      expect(await registry.metrics(), 'the registry still exposes its _created samples').to.match(
        /^created_counter_created\{?.*\}? \d/m,
      );
    });

    it('keeps a path prefix of the gateway URL', async () => {
      front = await startFront(gateway.port, { stripPrefix: '/pgw' });
      await pushToGateway(`${front.url}/pgw/`, { job: 'prefixed', registry: gauges({ g: 1 }) });
      expect(front.requests.map((r) => r.url)).to.deep.equal(['/pgw/metrics/job/prefixed']);
      expect(values(await gateway.group({ job: 'prefixed' }), ['job'])).to.deep.equal(['g{} 1']);
    });
  });
});
