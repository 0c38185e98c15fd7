/**
 * End to end with a real Prometheus (Debian's 2.42): the seed sample service (built from
 * samples/python-example-1.ts) is scraped, and its decorated methods' series are checked through
 * Prometheus' query API.
 *
 * Both formats: Prometheus 2.42 always asks for OpenMetrics first and has no setting to ask for
 * text (scrape_protocols came in 2.49). So besides scraping the sample directly, this spec puts
 * a small recording proxy in front of it, with two routes scraped by two more jobs:
 * `/as-asked` forwards Prometheus' request unchanged, `/as-text` replaces its Accept header with
 * `text/plain;version=0.0.4`. The proxy records what Prometheus asked and what the sample
 * answered (Content-Type), so the spec can show which format each job was served, and the same
 * values must arrive through both.
 */
import { expect } from 'chai';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireTool } from '../support/tools.js';
import { LOOPBACK, freePort, waitFor } from './support.js';

const SAMPLE = fileURLToPath(new URL('../../samples/python-example-1.js', import.meta.url));
/** How many requests the sample processes before Prometheus starts. */
const REQUESTS = 3;
const JOBS = { direct: 'sample', asAsked: 'sample-openmetrics', asText: 'sample-text' } as const;
const TEXT_ACCEPT = 'text/plain;version=0.0.4';

let prometheusPresent: boolean | undefined;
function hasPrometheus(): boolean {
  prometheusPresent ??= spawnSync('prometheus', ['--version']).status === 0;
  return prometheusPresent;
}

/** A child process and everything it printed, for the assertions and for failure messages. */
interface Started {
  child: ChildProcess;
  output: () => string;
}

function start(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Started {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const append = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  child.on('error', (error) => (output += `\n[spawn error] ${error.message}`));
  return { child, output: () => output };
}

/** Stops a child we started, by its PID: SIGTERM, then SIGKILL if it has not exited within 10 s. */
async function stop(started: Started | undefined): Promise<void> {
  const child = started?.child;
  if (child === undefined || child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => child.pid !== undefined && child.exitCode === null && process.kill(child.pid, 'SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

interface Exchange {
  route: string;
  askedAccept: string | undefined;
  askedEncoding: string | undefined;
  status: number;
  contentType: string | undefined;
}

/** The proxy described at the top: forwards scrapes to the sample, recording each exchange. */
async function startFormatProxy(upstreamPort: number): Promise<{ server: Server; port: number; exchanges: Exchange[] }> {
  const exchanges: Exchange[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const route = req.url ?? '';
    if (route !== '/as-asked' && route !== '/as-text') {
      res.writeHead(404).end();
      return;
    }
    const headers = { ...req.headers, host: `${LOOPBACK}:${upstreamPort}` };
    if (route === '/as-text') headers.accept = TEXT_ACCEPT;
    const upstream = httpRequest({ host: LOOPBACK, port: upstreamPort, path: '/metrics', method: req.method, headers, agent: false }, (answer) => {
      exchanges.push({ route, askedAccept: req.headers.accept, askedEncoding: req.headers['accept-encoding'], status: answer.statusCode!, contentType: answer.headers['content-type'] });
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(error));
    });
    upstream.end();
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  return { server, port: (server.address() as AddressInfo).port, exchanges };
}

interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

describe('end to end with a real Prometheus', function () {
  this.timeout(60_000);
  let dir: string | undefined;
  let sample: Started | undefined;
  let prometheus: Started | undefined;
  let proxy: Awaited<ReturnType<typeof startFormatProxy>> | undefined;
  let promPort = 0;
  let processed = 0;

  const api = async <T>(path: string): Promise<T> => {
    const answer = await fetch(`http://${LOOPBACK}:${promPort}${path}`);
    const body = (await answer.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus ${path}: ${body.error ?? answer.status}`);
    return body.data;
  };
  const query = async (expr: string): Promise<VectorSample[]> => (await api<{ result: VectorSample[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`)).result;
  /** The single value of an instant query. */
  const valueOf = async (expr: string): Promise<number> => {
    const result = await query(expr);
    expect(result, `${expr} -> ${JSON.stringify(result)}`).to.have.length(1);
    return Number(result[0]!.value[1]);
  };
  const diagnostics = (): string => `\n--- sample output ---\n${sample?.output()}\n--- prometheus output (tail) ---\n${prometheus?.output().slice(-3000)}`;

  before(async function () {
    requireTool(this, 'prometheus', hasPrometheus());
    expect(existsSync(SAMPLE), `${SAMPLE} (built from samples/python-example-1.ts by npm test)`).to.equal(true);

    // The sample service, on a port the OS picks.
    sample = start(process.execPath, [SAMPLE], { ...process.env, PORT: '0', REQUESTS: String(REQUESTS) });
    const samplePort = await waitFor('the sample to print its port', () => {
      const found = /Serving metrics at http:\/\/localhost:(\d+)\/metrics/.exec(sample!.output());
      if (sample!.child.exitCode !== null) throw new Error(`the sample exited: ${sample!.output()}`);
      return found ? Number(found[1]) : undefined;
    }, 15_000, 20);
    processed = await waitFor('the sample to process its requests', () => {
      const found = /Processed (\d+) requests/.exec(sample!.output());
      return found ? Number(found[1]) : undefined;
    }, 15_000, 20);
    expect(processed).to.equal(REQUESTS);

    proxy = await startFormatProxy(samplePort);

    // Prometheus, with its config and data in a temporary directory. JSON is YAML.
    dir = await mkdtemp(join(tmpdir(), 'prometric-e2e-'));
    const job = (name: string, port: number, path: string): object => ({ job_name: name, metrics_path: path, static_configs: [{ targets: [`${LOOPBACK}:${port}`] }] });
    const config = {
      global: { scrape_interval: '1s', scrape_timeout: '1s' },
      scrape_configs: [job(JOBS.direct, samplePort, '/metrics'), job(JOBS.asAsked, proxy.port, '/as-asked'), job(JOBS.asText, proxy.port, '/as-text')],
    };
    await writeFile(join(dir, 'prometheus.yml'), JSON.stringify(config, null, 2));
    promPort = await freePort();
    prometheus = start('prometheus', [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=${LOOPBACK}:${promPort}`,
    ]);
    // The first scrape comes ~5 s after start, whatever the interval.
    try {
      for (const name of Object.values(JOBS)) {
        await waitFor(`up{job="${name}"} == 1`, async () => ((await query(`up{job="${name}"} == 1`)).length === 1 ? true : undefined), 30_000, 250);
      }
    } catch (error) {
      throw new Error(`${(error as Error).message}${diagnostics()}`);
    }
  });

  after(async () => {
    await stop(prometheus);
    await stop(sample);
    if (proxy) await new Promise<void>((resolve) => proxy!.server.close(() => resolve()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  for (const [format, job] of [
    ['OpenMetrics, scraped directly', JOBS.direct],
    ['OpenMetrics, through the proxy', JOBS.asAsked],
    ['text 0.0.4, through the proxy', JOBS.asText],
  ] as const) {
    it(`stores the decorated methods' series with the right values (${format})`, async () => {
      const on = `job="${job}"`;
      expect(await valueOf(`up{${on}}`)).to.equal(1);
      expect(await valueOf(`my_counter_total{${on},label1="value1",label2="value2"}`), 'inc(5) per request').to.equal(5 * processed);
      expect(await valueOf(`my_counter_total{${on},label1="process_request",label2="calls"}`), 'inc() per request').to.equal(processed);
      expect(await valueOf(`my_gauge{${on}}`)).to.equal(10);
      expect(await valueOf(`request_processing_seconds_count{${on}}`), '@REQUEST_TIME.time() calls').to.equal(processed);
      const seconds = await valueOf(`request_processing_seconds_sum{${on}}`);
      // Each request sleeps under 0.1 s; the bound only guards against units gone wrong (ms).
      expect(seconds).to.be.above(0).and.below(processed * 0.1 + 1);
    });
  }

  it('served OpenMetrics to what Prometheus asked, and text where the proxy asked for text', async () => {
    const asked = proxy!.exchanges.filter((e) => e.route === '/as-asked');
    const asText = proxy!.exchanges.filter((e) => e.route === '/as-text');
    expect(asked.length, 'scrapes through /as-asked').to.be.above(0);
    expect(asText.length, 'scrapes through /as-text').to.be.above(0);
    for (const exchange of asked) {
      expect(exchange.askedAccept, 'Prometheus 2.42 asks for OpenMetrics first').to.match(/^application\/openmetrics-text;version=1\.0\.0,/);
      expect(exchange.askedEncoding).to.include('gzip');
      expect(exchange.status).to.equal(200);
      // 2.42 asks for OpenMetrics 1.0.0 without an escaping parameter: underscores, named in the answer.
      expect(exchange.contentType).to.equal(
        'application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores',
      );
    }
    for (const exchange of asText) {
      expect(exchange.status).to.equal(200);
      expect(exchange.contentType).to.equal('text/plain; version=0.0.4; charset=utf-8');
    }
  });

  it('read the metadata as each format names it', async () => {
    type Metadata = Array<{ metric: string; type: string; help: string }>;
    const metadataOf = (job: string): Promise<Metadata> => api<Metadata>(`/api/v1/targets/metadata?match_target=${encodeURIComponent(`{job="${job}"}`)}`);
    const pick = (metadata: Metadata, metric: string) => metadata.find((m) => m.metric === metric);
    const openMetrics = await metadataOf(JOBS.asAsked);
    const text = await metadataOf(JOBS.asText);
    // OpenMetrics names a counter family without _total; text 0.0.4 names it as its sample.
    expect(pick(openMetrics, 'my_counter')).to.include({ type: 'counter', help: 'sample counter metric' });
    expect(pick(text, 'my_counter_total')).to.include({ type: 'counter', help: 'sample counter metric' });
    expect(pick(openMetrics, 'my_counter_total'), 'no text-style name from the OpenMetrics job').to.equal(undefined);
    expect(pick(text, 'my_counter'), 'no OpenMetrics-style name from the text job').to.equal(undefined);
    for (const metadata of [openMetrics, text]) {
      expect(pick(metadata, 'my_gauge')).to.include({ type: 'gauge', help: 'sample gauge metric' });
      expect(pick(metadata, 'request_processing_seconds')).to.include({ type: 'summary', help: 'Time spent processing request' });
    }
  });
});
