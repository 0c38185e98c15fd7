/**
 * The push specs' real Pushgateway (Debian's prometheus-pushgateway 1.5): started on a free port
 * of 127.0.0.1 with no persistence file (it writes nothing to disk), stopped by the PID we started;
 * its two read APIs; and a recording front (HTTP or HTTPS, optionally behind basic auth) that
 * forwards to it, so that specs see what went over the wire.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { start, stop, type Started } from '../support/prometheus.js';
import { LOOPBACK, freePort, waitFor } from '../server/support.js';

export const PUSHGATEWAY = '/usr/bin/prometheus-pushgateway';

let present: boolean | undefined;

/** Whether the gateway is installed (checked once). */
export function hasPushgateway(): boolean {
  present ??= existsSync(PUSHGATEWAY) && spawnSync(PUSHGATEWAY, ['--version']).status === 0;
  return present;
}

/** One metric of a group, as /api/v1/metrics shows it. */
export interface ApiMetric {
  readonly labels: Record<string, string>;
  readonly value?: string;
  readonly count?: string;
  readonly sum?: string;
  readonly buckets?: Record<string, string>;
}

/** One metric family of a group, as /api/v1/metrics shows it. */
export interface ApiFamily {
  readonly type: string;
  readonly help: string;
  readonly metrics: ApiMetric[];
}

/** One group of /api/v1/metrics: its labels (the grouping key and job) and its families by name. */
export interface ApiGroup {
  readonly labels: Record<string, string>;
  readonly families: Record<string, ApiFamily>;
}

/** The families every group has, which the gateway adds itself. */
const GATEWAY_FAMILIES = new Set(['push_time_seconds', 'push_failure_time_seconds']);

/** A gateway process we started. */
export class Pushgateway {
  private constructor(
    private readonly started: Started,
    readonly port: number,
  ) {}

  /**
   * Starts it and waits until it answers /-/ready. An empty --persistence.file keeps everything in
   * memory (Debian's default would write under /var/lib); the admin API is for {@link wipe}.
   */
  static async start(): Promise<Pushgateway> {
    const port = await freePort();
    const args = [`--web.listen-address=${LOOPBACK}:${port}`, '--persistence.file=', '--web.enable-admin-api'];
    const gateway = new Pushgateway(start(PUSHGATEWAY, args), port);
    const started = gateway.started;
    try {
      await waitFor(
        'the Pushgateway to be ready',
        async () => {
          if (started.child.exitCode !== null) throw new Error(`the Pushgateway exited: ${started.output()}`);
          return (await fetch(`${gateway.url}/-/ready`)).ok ? true : undefined;
        },
        15_000,
        50,
      );
    } catch (error) {
      await gateway.stop();
      throw error;
    }
    return gateway;
  }

  /** Its base URL. */
  get url(): string {
    return `http://${LOOPBACK}:${this.port}`;
  }

  /** Everything it printed, for failure messages. */
  output(): string {
    return this.started.output();
  }

  /** Every group of /api/v1/metrics, the gateway's own families left out. */
  async groups(): Promise<ApiGroup[]> {
    const answer = await fetch(`${this.url}/api/v1/metrics`);
    const body = (await answer.json()) as { status: string; data: Array<Record<string, unknown>> };
    if (body.status !== 'success') throw new Error(`/api/v1/metrics answered ${JSON.stringify(body)}`);
    return body.data.map((entry) => {
      const families: Record<string, ApiFamily> = {};
      for (const [key, value] of Object.entries(entry)) {
        if (key === 'labels' || key === 'last_push_successful' || GATEWAY_FAMILIES.has(key)) continue;
        families[key] = value as ApiFamily;
      }
      return { labels: entry.labels as Record<string, string>, families };
    });
  }

  /** The group whose labels are exactly `labels`, or undefined. */
  async group(labels: Record<string, string>): Promise<ApiGroup | undefined> {
    const wanted = JSON.stringify(Object.entries(labels).sort());
    return (await this.groups()).find((group) => JSON.stringify(Object.entries(group.labels).sort()) === wanted);
  }

  /** The lines of its /metrics (text 0.0.4) that are neither comments nor the gateway's own metrics. */
  async pushedLines(): Promise<string[]> {
    const text = await (await fetch(`${this.url}/metrics`)).text();
    return text
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .filter((line) => !/^(go|process|pushgateway|push_time|push_failure_time)_/.test(line));
  }

  /** Deletes every group (through the gateway's admin API: a clean slate between tests). */
  async wipe(): Promise<void> {
    const answer = await fetch(`${this.url}/api/v1/admin/wipe`, { method: 'PUT' });
    if (!answer.ok) throw new Error(`wipe answered ${answer.status}: the gateway needs --web.enable-admin-api`);
  }

  /** Stops it by its PID. */
  async stop(): Promise<void> {
    await stop(this.started);
  }
}

/** A request the front received. */
export interface FrontRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

export interface FrontOptions {
  /** Requires these credentials (401 with a challenge otherwise, not forwarded). */
  readonly basicAuth?: { readonly username: string; readonly password: string };
  /** Serves HTTPS with this certificate. */
  readonly tls?: { readonly key: string; readonly cert: string };
  /** Forwards only paths under this prefix, without it (a gateway behind a reverse proxy); 404 for others. */
  readonly stripPrefix?: string;
}

/** A recording HTTP(S) front of the gateway on 127.0.0.1. */
export interface Front {
  readonly port: number;
  readonly url: string;
  readonly requests: FrontRequest[];
  /** Connections currently open to it. */
  openConnections(): number;
  close(): Promise<void>;
}

/** Starts a front that records each request and forwards it (method, path, headers, body) to `upstreamPort`. */
export async function startFront(upstreamPort: number, options: FrontOptions = {}): Promise<Front> {
  const requests: FrontRequest[] = [];
  const sockets = new Set<Socket>();
  const expected =
    options.basicAuth === undefined
      ? undefined
      : `Basic ${Buffer.from(`${options.basicAuth.username}:${options.basicAuth.password}`).toString('base64')}`;
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      if (expected !== undefined && req.headers.authorization !== expected) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="pushgateway"', 'Content-Type': 'text/plain' });
        res.end('Unauthorized\n');
        return;
      }
      const prefix = options.stripPrefix ?? '';
      if (!req.url!.startsWith(`${prefix}/`)) {
        res.writeHead(404).end(`not under ${prefix}/\n`);
        return;
      }
      const path = req.url!.slice(prefix.length);
      const headers = { ...req.headers, host: `${LOOPBACK}:${upstreamPort}` };
      delete headers.authorization;
      const forward = httpRequest(
        { host: LOOPBACK, port: upstreamPort, path, method: req.method, headers, agent: false },
        (answer) => {
          res.writeHead(answer.statusCode!, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', (error) => {
        if (!res.headersSent) res.writeHead(502);
        res.end(String(error));
      });
      forward.end(body);
    });
  };
  const server: Server =
    options.tls === undefined ? createServer(handle) : (createHttpsServer(options.tls, handle) as unknown as Server);
  server.on(options.tls === undefined ? 'connection' : 'secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `${options.tls === undefined ? 'http' : 'https'}://${LOOPBACK}:${port}`,
    requests,
    openConnections: () => sockets.size,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
