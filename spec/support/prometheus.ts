/**
 * A real Prometheus (Debian's 2.42) for the end-to-end specs: started with its config and data in a
 * temporary directory, listening on a free port of 127.0.0.1, stopped by the PID we started; its HTTP
 * query API; and a recording proxy that can rewrite the Accept header of the scrapes it forwards.
 *
 * Prometheus 2.42 always asks for OpenMetrics first (protobuf first with
 * `--enable-feature=native-histograms`) and has no setting to ask for text 0.0.4 (scrape_protocols
 * came in 2.49): the proxy is how a spec makes it scrape text.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOOPBACK, freePort, waitFor } from '../server/support.js';

/** A child process and everything it printed, for the assertions and for failure messages. */
export interface Started {
  readonly child: ChildProcess;
  output(): string;
}

/** Spawns a child whose stdout and stderr are kept; `ipc` adds an IPC channel. */
export function start(command: string, args: string[], env: NodeJS.ProcessEnv = process.env, ipc = false): Started {
  const stdio = ipc ? (['ignore', 'pipe', 'pipe', 'ipc'] as const) : (['ignore', 'pipe', 'pipe'] as const);
  const child = spawn(command, args, { env, stdio: [...stdio] });
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
export async function stop(started: Started | undefined): Promise<void> {
  const child = started?.child;
  if (child === undefined || child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const pid = child.pid;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(pid, 'SIGTERM');
  const stillRunning = (): boolean => child.exitCode === null && child.signalCode === null;
  const timer = setTimeout(() => stillRunning() && process.kill(pid, 'SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** One series of an instant vector, as the query API answers it (values as Prometheus prints them). */
/** The next IPC message of a child started with `ipc`, or a failure after `timeoutMs`. */
export function nextMessage<T>(child: ChildProcess, what: string, timeoutMs = 15_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${what} from the target within ${timeoutMs} ms`)), timeoutMs);
    child.once('message', (message) => {
      clearTimeout(timer);
      resolve(message as T);
    });
  });
}

export interface VectorSample {
  readonly metric: Record<string, string>;
  readonly value?: [number, string];
  /** A native histogram's value, instead of `value`. */
  readonly histogram?: [number, { count: string; sum: string; buckets: Array<[number, string, string, string]> }];
}

/** A scrape job of the generated config: one target on 127.0.0.1. */
export interface ScrapeJob {
  readonly name: string;
  readonly port: number;
  /** Default `/metrics`. */
  readonly path?: string;
  /** URL query parameters Prometheus adds to every scrape (`params` in the config). */
  readonly params?: Readonly<Record<string, string>>;
  /** Keep the target's own `job` and `instance` labels (`honor_labels`), as a Pushgateway's scrape job must. */
  readonly honorLabels?: boolean;
}

export interface PrometheusOptions {
  readonly jobs: readonly ScrapeJob[];
  /** Values of `--enable-feature`, e.g. `native-histograms`. */
  readonly features?: readonly string[];
}

/** A Prometheus process we started, and its HTTP API. */
export class PrometheusProcess {
  private constructor(
    private readonly started: Started,
    private readonly dir: string,
    /** The port of its web and API listener on 127.0.0.1. */
    readonly port: number,
  ) {}

  /** Writes the config (scraping every second) into a fresh temporary directory and starts Prometheus. */
  static async start(options: PrometheusOptions): Promise<PrometheusProcess> {
    const dir = await mkdtemp(join(tmpdir(), 'prometric-prometheus-'));
    const scrapeConfigs = options.jobs.map((job) => ({
      job_name: job.name,
      metrics_path: job.path ?? '/metrics',
      ...(job.params ? { params: Object.fromEntries(Object.entries(job.params).map(([k, v]) => [k, [v]])) } : {}),
      ...(job.honorLabels ? { honor_labels: true } : {}),
      static_configs: [{ targets: [`${LOOPBACK}:${job.port}`] }],
    }));
    const config = { global: { scrape_interval: '1s', scrape_timeout: '1s' }, scrape_configs: scrapeConfigs };
    // JSON is YAML.
    await writeFile(join(dir, 'prometheus.yml'), JSON.stringify(config, null, 2));
    const port = await freePort();
    const features = options.features?.length ? [`--enable-feature=${options.features.join(',')}`] : [];
    const started = start('prometheus', [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=${LOOPBACK}:${port}`,
      ...features,
    ]);
    return new PrometheusProcess(started, dir, port);
  }

  /** Everything it printed so far. */
  output(): string {
    return this.started.output();
  }

  /** The last `chars` characters of its output, for failure messages. */
  tail(chars = 3000): string {
    return this.output().slice(-chars);
  }

  /** GET on the HTTP API; the `data` of a successful answer. */
  async api<T>(path: string): Promise<T> {
    const answer = await fetch(`http://${LOOPBACK}:${this.port}${path}`);
    const body = (await answer.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus ${path}: ${body.error ?? answer.status}`);
    return body.data;
  }

  /** An instant query, evaluated now. */
  async query(expr: string): Promise<VectorSample[]> {
    return (await this.api<{ result: VectorSample[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`)).result;
  }

  /**
   * Waits until every job has been scraped successfully (`up == 1`). The first scrape comes about
   * 5 s after start, whatever the scrape interval (target discovery).
   */
  async waitUntilUp(jobs: readonly string[], timeoutMs = 30_000): Promise<void> {
    for (const job of jobs) {
      const expr = `up{job="${job}"} == 1`;
      await waitFor(expr, async () => ((await this.query(expr)).length === 1 ? true : undefined), timeoutMs, 250);
    }
  }

  /** Stops it by its PID and removes its directory. */
  async stop(): Promise<void> {
    await stop(this.started);
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Where the recording proxy forwards one of its paths. */
export interface ProxyRoute {
  /** Port of the upstream on 127.0.0.1. */
  readonly port: number;
  /** Path on the upstream; the scrape's query string is kept. */
  readonly path: string;
  /** When set, replaces the Accept header the scraper sent. */
  readonly accept?: string;
}

/** One scrape through the proxy: what the scraper asked, what was forwarded, what came back. */
export interface ProxiedExchange {
  /** The proxy path the scraper requested (without the query string). */
  readonly route: string;
  readonly askedAccept: string | undefined;
  readonly askedEncoding: string | undefined;
  /** The Accept header sent upstream. */
  readonly forwardedAccept: string | undefined;
  readonly status: number;
  readonly contentType: string | undefined;
}

export interface RecordingProxy {
  readonly port: number;
  readonly exchanges: readonly ProxiedExchange[];
  close(): Promise<void>;
}

/**
 * An HTTP proxy on 127.0.0.1 that forwards each of its paths to a route, rewriting the Accept
 * header where the route says, and records each exchange. Unknown paths get 404.
 */
export async function startRecordingProxy(routes: Readonly<Record<string, ProxyRoute>>): Promise<RecordingProxy> {
  const exchanges: ProxiedExchange[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const target = req.url ?? '';
    const queryAt = target.indexOf('?');
    const route = queryAt < 0 ? target : target.slice(0, queryAt);
    const query = queryAt < 0 ? '' : target.slice(queryAt);
    const to = Object.hasOwn(routes, route) ? routes[route] : undefined;
    if (to === undefined) {
      res.writeHead(404).end();
      return;
    }
    const headers = { ...req.headers, host: `${LOOPBACK}:${to.port}` };
    if (to.accept !== undefined) headers.accept = to.accept;
    const options = { host: LOOPBACK, port: to.port, path: to.path + query, method: req.method, headers, agent: false };
    const upstream = httpRequest(options, (answer) => {
      exchanges.push({
        route,
        askedAccept: req.headers.accept,
        askedEncoding: req.headers['accept-encoding'],
        forwardedAccept: headers.accept,
        status: answer.statusCode!,
        contentType: answer.headers['content-type'],
      });
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
  return {
    port: (server.address() as AddressInfo).port,
    exchanges,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
