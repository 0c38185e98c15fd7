/**
 * The protobuf reference checked against Prometheus itself (Debian's 2.42, a Go decoder): a body
 * written with ProtobufWriter is served as `encoding=delimited` and scraped with native histograms
 * enabled (the only way 2.42 asks for protobuf). Prometheus must accept it, and what it stores
 * must be what the specs' helpers say: the series of flattenFamilies() with the same `le` and
 * `quantile` text (canonicalFloat is Go's rendering), and a native histogram's buckets where
 * nativeBuckets() puts them.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProtobufWriter } from '../../lib/exposition/protobuf-wire.js';
import { decodeDelimited, flattenFamilies, nativeBuckets, type FlatSample } from '../support/protobuf-decoder.js';
import { hasPrometheus, requireTool } from '../support/tools.js';
import { LOOPBACK, freePort, waitFor } from '../server/support.js';

const CONTENT_TYPE = 'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited';
/** Bucket bounds around the places Go's %g changes form (exponent -5/-4 and 5/6, digits). */
const BOUNDS = [1e-5, 1.5e-5, 0.0001, 0.1, 1, 2.5, 100000, 999999.5, 1e6, 1234567, 1e21];
const QUANTILES = [0, 1e-5, 0.5, 0.99, 1];
/** The native histogram: schema -1 (bucket i is (4^(i-1), 4^i]), buckets -2, -1 and 3. */
const NATIVE = {
  schema: -1,
  spans: [
    [-2, 2],
    [3, 1],
  ],
  deltas: [4, -1, 2],
  zeroCount: 1,
  count: 13,
  sum: 30.25,
};

/** The body: a counter named with `_total`, a gauge, a classic histogram, a summary, a native histogram. */
function writeBody(): Buffer {
  const w = new ProtobufWriter(16);
  const message = (field: number, body: () => void): void => {
    const mark = w.beginMessage(field);
    body();
    w.endMessage(mark);
  };
  const label = (name: string, value: string): void =>
    message(1, () => {
      w.stringField(1, name);
      w.stringField(2, value);
    });
  const family = (name: string, type: number, metrics: () => void): void =>
    w.delimited(() => {
      w.stringField(1, name);
      w.stringField(2, `${name} help`);
      w.varintField(3, type);
      metrics();
    });

  family('pb_requests_total', 0, () =>
    message(4, () => {
      label('path', '/café/ü');
      message(3, () => {
        w.doubleField(1, 42);
        message(3, () => w.varintField(1, 1700000000)); // created_timestamp
      });
    }),
  );
  family('pb_temperature_celsius', 1, () => message(4, () => message(2, () => w.doubleField(1, -0.5))));
  family('pb_latency_seconds', 4, () =>
    message(4, () => {
      label('kind', 'classic');
      message(7, () => {
        w.varintField(1, 2 ** 40); // sample_count, beyond uint32
        w.doubleField(2, 12.5);
        BOUNDS.forEach((bound, i) =>
          message(3, () => {
            w.varintField(1, i + 1);
            w.doubleField(2, bound);
          }),
        );
      });
    }),
  );
  family('pb_summary_seconds', 2, () =>
    message(4, () =>
      message(4, () => {
        w.varintField(1, 10);
        w.doubleField(2, 5);
        QUANTILES.forEach((q, i) =>
          message(3, () => {
            w.doubleField(1, q);
            w.doubleField(2, i);
          }),
        );
      }),
    ),
  );
  family('pb_native_seconds', 4, () =>
    message(4, () =>
      message(7, () => {
        w.varintField(1, NATIVE.count);
        w.doubleField(2, NATIVE.sum);
        w.sintField(5, NATIVE.schema);
        w.doubleField(6, 1e-128);
        w.varintField(7, NATIVE.zeroCount);
        for (const [offset, length] of NATIVE.spans) {
          message(12, () => {
            w.sintField(1, offset!);
            w.varintField(2, length!);
          });
        }
        w.packedSintField(13, NATIVE.deltas);
      }),
    ),
  );
  return w.finish();
}

interface Started {
  child: ChildProcess;
  output: () => string;
}

describe('protobuf reference helpers against Prometheus 2.42', function () {
  this.timeout(60_000);
  const body = writeBody();
  let target: Server | undefined;
  let prometheus: Started | undefined;
  let dir: string | undefined;
  let promPort = 0;
  const accepts: string[] = [];

  interface VectorSample {
    metric: Record<string, string>;
    value?: [number, string];
    histogram?: [number, { count: string; sum: string; buckets: Array<[number, string, string, string]> }];
  }
  const query = async (expr: string): Promise<VectorSample[]> => {
    const url = `http://${LOOPBACK}:${promPort}/api/v1/query?query=${encodeURIComponent(expr)}`;
    const answer = (await (await fetch(url)).json()) as { status: string; data: { result: VectorSample[] } };
    if (answer.status !== 'success') throw new Error(`${expr}: ${JSON.stringify(answer)}`);
    return answer.data.result;
  };
  const diagnostics = (): string => `\n--- prometheus output (tail) ---\n${prometheus?.output().slice(-3000)}`;

  before(async function () {
    requireTool(this, 'prometheus', hasPrometheus());
    target = createServer((req, res) => {
      accepts.push(req.headers.accept ?? '');
      res.writeHead(200, { 'Content-Type': CONTENT_TYPE });
      res.end(body);
    });
    await new Promise<void>((resolve) => target!.listen(0, LOOPBACK, resolve));
    const targetPort = (target.address() as AddressInfo).port;
    dir = await mkdtemp(join(tmpdir(), 'prometric-protobuf-'));
    await writeFile(
      join(dir, 'prometheus.yml'),
      `global: { scrape_interval: 1s }\nscrape_configs:\n` +
        `  - job_name: pb\n    static_configs: [{ targets: ['${LOOPBACK}:${targetPort}'] }]\n`,
    );
    promPort = await freePort();
    const child = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=${LOOPBACK}:${promPort}`,
        '--enable-feature=native-histograms',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    prometheus = { child, output: () => output };
    try {
      const scraped = async (): Promise<true | undefined> =>
        (await query('up{job="pb"} == 1')).length === 1 ? true : undefined;
      await waitFor('up{job="pb"} == 1', scraped, 30_000, 250);
    } catch (error) {
      throw new Error(`${(error as Error).message}${diagnostics()}`);
    }
  });

  after(async () => {
    const child = prometheus?.child;
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      process.kill(child.pid, 'SIGTERM');
      const timer = setTimeout(() => child.exitCode === null && process.kill(child.pid!, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await new Promise<void>((resolve) => (target ? target.close(() => resolve()) : resolve()));
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('asked for protobuf, and scraped our body without an error', async () => {
    expect(accepts[0]!.split(',')[0]).to.equal(CONTENT_TYPE.replaceAll(' ', ''));
    const [up] = await query('up{job="pb"}');
    expect(up!.value![1]).to.equal('1');
    expect(prometheus!.output()).to.not.match(/level=(warn|error).*(scrape|append)/i);
  });

  it('stores the classic series flattenFamilies() gives, with the same le/quantile text and values', async () => {
    // 2.42 keeps no _created series, and stores a native histogram as one histogram series.
    const expected = flattenFamilies(decodeDelimited(body)).filter(
      (s) => !s.name.endsWith('_created') && !s.name.startsWith('pb_native_seconds'),
    );
    const stored = (await query('{job="pb", __name__=~"pb_.*", __name__!="pb_native_seconds"}')).map(
      (s): FlatSample => {
        const { __name__: name, job: _job, instance: _instance, ...labels } = s.metric;
        return { name: name!, labels, value: Number(s.value![1]) };
      },
    );
    const key = (s: FlatSample): string => `${s.name}${JSON.stringify(Object.entries(s.labels).sort())}`;
    const sorted = (samples: FlatSample[]) =>
      samples.map((s) => ({ key: key(s), value: s.value })).sort((a, b) => (a.key < b.key ? -1 : 1));
    expect(sorted(stored), diagnostics()).to.deep.equal(sorted(expected));
    // The le values themselves, across %g's changes of form.
    const les = stored.filter((s) => s.name === 'pb_latency_seconds_bucket').map((s) => s.labels.le);
    expect(les).to.have.members([
      '1e-05',
      '1.5e-05',
      '0.0001',
      '0.1',
      '1.0',
      '2.5',
      '100000.0',
      '999999.5',
      '1e+06',
      '1.234567e+06',
      '1e+21',
      '+Inf',
    ]);
  });

  it('puts the native histogram buckets where nativeBuckets() says', async () => {
    const [family] = decodeDelimited(body).filter((f) => f.name === 'pb_native_seconds');
    const histogram = family!.metric[0]!.histogram!;
    const base = 2 ** (2 ** -histogram.schema!);
    const expected = nativeBuckets(histogram, 'positive').map((b) => [base ** (b.index - 1), base ** b.index, b.count]);
    const [stored] = await query('pb_native_seconds');
    const [, h] = stored!.histogram!;
    expect(Number(h.count)).to.equal(NATIVE.count);
    expect(Number(h.sum)).to.equal(NATIVE.sum);
    // Prometheus lists the zero bucket first (boundary rule 3: closed on both sides).
    const buckets = h.buckets.map(([, lower, upper, count]) => [Number(lower), Number(upper), Number(count)]);
    expect(buckets).to.deep.equal([[-1e-128, 1e-128, NATIVE.zeroCount], ...expected]);
  });
});
