/**
 * The protobuf exposition end to end: Prometheus 2.42 with native histograms enabled (the only way
 * it asks for protobuf, first in its Accept header) scrapes a registry of every type through
 * metricsHandler. It must get protobuf, accept the body, and store the series the specs' decoder
 * reads from it (flattenFamilies: the classic series of the protobuf rules), names escaped with
 * underscores (2.42 asks for no escaping scheme).
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Counter, Enum, Gauge, Histogram, Info, Registry, Summary, metricsHandler } from '../../lib/index.js';
import { decodeDelimited, flattenFamilies, type FlatSample } from '../support/protobuf-decoder.js';
import { hasPrometheus, requireTool } from '../support/tools.js';
import { LOOPBACK, freePort, request, waitFor } from '../server/support.js';

const PROTOBUF = 'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited';

function everyType(): Registry {
  const registry = new Registry({ created: true, labels: { service: 'pe' } });
  const requests = new Counter({ name: 'pe_requests', help: 'Requests', labelNames: ['path'], registry });
  requests.labels('/café').inc(3);
  requests.labels('/a"b\\c').inc(0.5);
  const level = new Gauge({ name: 'pe.utf8.level', help: 'A UTF-8 name', labelNames: ['http.method'], registry });
  level.labels('GET').set(-2);
  const buckets = [1e-5, 0.25, 1, 1e6];
  const latency = new Histogram({ name: 'pe_latency_seconds', help: 'Latency', buckets, registry });
  for (const v of [0.1, 1, 7, -3]) latency.observe(v);
  const size = new Summary({ name: 'pe_size_bytes', help: 'Size', percentiles: [0, 0.5, 0.99], registry });
  for (const v of [64, 128, 1024]) size.observe(v);
  new Info({ name: 'pe_build', help: 'Build', registry }).info({ version: '1.2' });
  new Enum({ name: 'pe_phase', help: 'Phase', states: ['starting', 'running'], registry }).state('running');
  registry.registerCollector(() => [
    { name: 'pe_legacy', help: 'Unknown', type: 'unknown', samples: [{ labels: { k: 'v' }, value: 4 }] },
    // A timestamp a little in the past: Prometheus stores the sample at it (not too old to append).
    { name: 'pe_stamped', help: 'Stamped', type: 'gauge', samples: [{ value: 9, timestamp: Date.now() - 1000 }] },
  ]);
  return registry;
}

interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

describe('protobuf exposition scraped by Prometheus 2.42 (native histograms on)', function () {
  this.timeout(60_000);
  const registry = everyType();
  let target: Server | undefined;
  let prometheus: ChildProcess | undefined;
  let output = '';
  let dir: string | undefined;
  let promPort = 0;
  const accepts: string[] = [];
  let targetPort = 0;

  const query = async (expr: string): Promise<VectorSample[]> => {
    const url = `http://${LOOPBACK}:${promPort}/api/v1/query?query=${encodeURIComponent(expr)}`;
    const answer = (await (await fetch(url)).json()) as { status: string; data: { result: VectorSample[] } };
    if (answer.status !== 'success') throw new Error(`${expr}: ${JSON.stringify(answer)}`);
    return answer.data.result;
  };
  const diagnostics = (): string => `\n--- prometheus output (tail) ---\n${output.slice(-3000)}`;

  before(async function () {
    requireTool(this, 'prometheus', hasPrometheus());
    const handler = metricsHandler(registry);
    target = createServer((req, res) => {
      accepts.push(req.headers.accept ?? '');
      handler(req, res);
    });
    await new Promise<void>((resolve) => target!.listen(0, LOOPBACK, resolve));
    targetPort = (target.address() as AddressInfo).port;
    dir = await mkdtemp(join(tmpdir(), 'prometric-protobuf-scrape-'));
    await writeFile(
      join(dir, 'prometheus.yml'),
      `global: { scrape_interval: 1s }\nscrape_configs:\n` +
        `  - job_name: pe\n    static_configs: [{ targets: ['${LOOPBACK}:${targetPort}'] }]\n`,
    );
    promPort = await freePort();
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=${LOOPBACK}:${promPort}`,
        '--enable-feature=native-histograms',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prometheus.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    prometheus.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    try {
      const scraped = async (): Promise<true | undefined> =>
        (await query('up{job="pe"} == 1')).length === 1 ? true : undefined;
      await waitFor('up{job="pe"} == 1', scraped, 30_000, 250);
    } catch (error) {
      throw new Error(`${(error as Error).message}${diagnostics()}`);
    }
  });

  after(async () => {
    const child = prometheus;
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

  it('is answered in protobuf (names escaped with underscores), and scraped without an error', async () => {
    expect(accepts[0]!.split(',')[0]).to.equal(PROTOBUF.replaceAll(' ', ''));
    // What Prometheus got: the answer to its own Accept header.
    const answer = await request(targetPort, '/metrics', { headers: { accept: accepts[0]! } });
    expect(answer.headers['content-type']).to.equal(`${PROTOBUF}; escaping=underscores`);
    expect(decodeDelimited(answer.body).map((f) => f.name)).to.include('pe_utf8_level');
    const [up] = await query('up{job="pe"}');
    expect(up!.value[1]).to.equal('1');
    expect(output).to.not.match(/level=(warn|error).*(scrape|append)/i);
  });

  it('stores the series the decoder reads from the body, with the same values', async () => {
    // 2.42 keeps no _created series from protobuf (created_timestamp came later).
    const body = await registry.metrics('protobuf');
    const expected = flattenFamilies(decodeDelimited(body)).filter((s) => !s.name.endsWith('_created'));
    const stored = (await query('{job="pe", __name__=~"pe_.*"}')).map((s): FlatSample => {
      const { __name__: name, job: _job, instance: _instance, ...labels } = s.metric;
      return { name: name!, labels, value: Number(s.value[1]) };
    });
    const key = (s: FlatSample): string => `${s.name}${JSON.stringify(Object.entries(s.labels).sort())}`;
    const sorted = (samples: FlatSample[]) =>
      samples.map((s) => ({ key: key(s), value: s.value })).sort((a, b) => (a.key < b.key ? -1 : 1));
    expect(sorted(stored), diagnostics()).to.deep.equal(sorted(expected));
    expect(stored.map((s) => s.name)).to.include.members(['pe_utf8_level', 'pe_requests_total', 'pe_build_info']);
  });
});
