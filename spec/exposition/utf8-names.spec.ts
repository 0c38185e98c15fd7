/**
 * UTF-8 metric and label names in every text format and escaping scheme (issue 10): quoted under
 * `allow-utf-8`, escaped per the scheme otherwise, legacy names as they always were; and through
 * the server, with the Accept headers of Prometheus 2.42 and 3.x.
 */
import { expect } from 'chai';
import {
  Counter,
  Gauge,
  Histogram,
  Registry,
  exposeMetrics,
  type EscapingScheme,
  type MetricsServer,
} from '../../lib/index.js';
import { PythonParsers, promtoolCheck } from '../support/exposition-tools.js';
import { hasPromtool, hasPythonClient, requireTool } from '../support/tools.js';
import { LOOPBACK, request } from '../server/support.js';

const PROMETHEUS_2_42 =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
const PROMETHEUS_3 =
  'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2';
const PROMETHEUS_3_TEXT_ONLY = 'text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3';

function sampleRegistry(): Registry {
  const registry = new Registry();
  new Counter({
    name: 'http.server.requests',
    help: 'Requests "served"',
    labelNames: ['http.method', 'route'],
    registry,
  })
    .labels('GET', '/a')
    .inc();
  new Histogram({
    name: 'http.server.duration',
    help: 'Duration',
    labelNames: ['http.method'],
    buckets: [0.5],
    registry,
  })
    .labels('GET')
    .observe(0.25);
  new Gauge({ name: 'plain_level', help: 'Legacy', labelNames: ['kind'], registry }).labels('x').set(2);
  return registry;
}

/** The lines of a body that are samples. */
function sampleLines(body: string): string[] {
  return body.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
}

describe('UTF-8 names in the text formats', () => {
  let registry: Registry;
  beforeEach(() => {
    registry = sampleRegistry();
  });

  it('quotes names outside the legacy set under allow-utf-8, in text 1.0.0', async () => {
    const body = await registry.metrics('text', { escaping: 'allow-utf-8' });
    expect(body).to.contain(
      '# HELP "http.server.requests_total" Requests "served"\n# TYPE "http.server.requests_total" counter\n',
    );
    expect(sampleLines(body)).to.deep.equal([
      '{"http.server.requests_total","http.method"="GET",route="/a"} 1',
      '{"http.server.duration_bucket","http.method"="GET",le="0.5"} 1',
      '{"http.server.duration_bucket","http.method"="GET",le="+Inf"} 1',
      '{"http.server.duration_count","http.method"="GET"} 1',
      '{"http.server.duration_sum","http.method"="GET"} 0.25',
      'plain_level{kind="x"} 2',
    ]);
  });

  it('quotes them in OpenMetrics too, with the HELP quote escaped', async () => {
    const body = await registry.metrics('openmetrics', { escaping: 'allow-utf-8' });
    expect(body).to.contain(
      '# HELP "http.server.requests" Requests \\"served\\"\n# TYPE "http.server.requests" counter\n',
    );
    expect(body).to.contain('{"http.server.requests_total","http.method"="GET",route="/a"} 1\n');
    expect(body).to.contain('# TYPE plain_level gauge\nplain_level{kind="x"} 2\n');
    expect(body.endsWith('# EOF\n')).to.equal(true);
  });

  const escaped: Record<Exclude<EscapingScheme, 'allow-utf-8'>, string[]> = {
    underscores: [
      'http_server_requests_total{http_method="GET",route="/a"} 1',
      'http_server_duration_bucket{http_method="GET",le="0.5"} 1',
      'http_server_duration_bucket{http_method="GET",le="+Inf"} 1',
      'http_server_duration_count{http_method="GET"} 1',
      'http_server_duration_sum{http_method="GET"} 0.25',
      'plain_level{kind="x"} 2',
    ],
    dots: [
      'http_dot_server_dot_requests_total{http_dot_method="GET",route="/a"} 1',
      'http_dot_server_dot_duration_bucket{http_dot_method="GET",le="0.5"} 1',
      'http_dot_server_dot_duration_bucket{http_dot_method="GET",le="+Inf"} 1',
      'http_dot_server_dot_duration_count{http_dot_method="GET"} 1',
      'http_dot_server_dot_duration_sum{http_dot_method="GET"} 0.25',
      'plain_level{kind="x"} 2',
    ],
    values: [
      'U__http_2E_server_2E_requests_total{U__http_2E_method="GET",route="/a"} 1',
      'U__http_2E_server_2E_duration_bucket{U__http_2E_method="GET",le="0.5"} 1',
      'U__http_2E_server_2E_duration_bucket{U__http_2E_method="GET",le="+Inf"} 1',
      'U__http_2E_server_2E_duration_count{U__http_2E_method="GET"} 1',
      'U__http_2E_server_2E_duration_sum{U__http_2E_method="GET"} 0.25',
      'plain_level{kind="x"} 2',
    ],
  };
  for (const [scheme, lines] of Object.entries(escaped) as Array<[EscapingScheme, string[]]>) {
    it(`escapes them with ${scheme} in both text formats, leaving legacy names alone`, async () => {
      expect(sampleLines(await registry.metrics('text', { escaping: scheme }))).to.deep.equal(lines);
      const om = await registry.metrics('openmetrics', { escaping: scheme });
      expect(sampleLines(om)).to.deep.equal(lines);
    });
  }

  it('writes underscores by default, which promtool and both Python parsers read', async function () {
    requireTool(this, 'promtool', hasPromtool());
    requireTool(this, "Python's prometheus_client", hasPythonClient());
    const text = await registry.metrics();
    expect(sampleLines(text)).to.deep.equal(escaped.underscores);
    const lint = promtoolCheck(text);
    expect(lint.ok, lint.output).to.equal(true);
    const python = new PythonParsers();
    try {
      for (const [format, body] of [
        ['text', text],
        ['openmetrics', await registry.metrics('openmetrics')],
      ] as const) {
        const parsed = await python.parse(format, body);
        if (!parsed.ok) throw new Error(parsed.error);
        expect(
          parsed.families.map((f) => f.name),
          format,
        ).to.include('http_server_duration');
      }
    } finally {
      python.close();
    }
  });

  it('renders a legacy-only registry the same under every scheme', async () => {
    const legacy = new Registry();
    new Counter({ name: 'jobs', help: 'Jobs', labelNames: ['kind'], registry: legacy }).labels('a:b').inc();
    new Histogram({ name: 'lat_seconds', help: 'Lat', buckets: [1], registry: legacy }).observe(2);
    for (const format of ['text', 'openmetrics'] as const) {
      const plain = await legacy.metrics(format);
      for (const escaping of ['allow-utf-8', 'underscores', 'dots', 'values'] as const) {
        expect(await legacy.metrics(format, { escaping }), `${format} ${escaping}`).to.equal(plain);
      }
    }
  });

  it('refuses an unknown escaping scheme, naming it', async () => {
    let message = '';
    await registry.metrics('text', { escaping: 'spaces' as EscapingScheme }).catch((e: Error) => (message = e.message));
    expect(message).to.match(/escaping.*"spaces"/);
  });

  describe('through the server', () => {
    let server: MetricsServer;
    before(async () => {
      server = await exposeMetrics(0, { host: LOOPBACK, registry: sampleRegistry() });
    });
    after(() => server.close());

    const cases = [
      [
        'Prometheus 2.42',
        PROMETHEUS_2_42,
        'application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores',
        'http_server_requests_total{',
      ],
      [
        'Prometheus 3.x',
        PROMETHEUS_3,
        'application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=allow-utf-8',
        '{"http.server.requests_total",',
      ],
      [
        'Prometheus 3.x, text only',
        PROMETHEUS_3_TEXT_ONLY,
        'text/plain; version=1.0.0; charset=utf-8; escaping=allow-utf-8',
        '{"http.server.requests_total",',
      ],
      ['no Accept', undefined, 'text/plain; version=0.0.4; charset=utf-8', 'http_server_requests_total{'],
      [
        'dots asked',
        'text/plain;version=1.0.0;escaping=dots',
        'text/plain; version=1.0.0; charset=utf-8; escaping=dots',
        'http_dot_server_dot_requests_total{',
      ],
    ] as const;
    for (const [who, accept, contentType, line] of cases) {
      it(`answers ${who} with the escaping its Content-Type names`, async () => {
        const answer = await request(server.port, '/metrics', { headers: accept === undefined ? {} : { accept } });
        expect(answer.status).to.equal(200);
        expect(answer.headers['content-type']).to.equal(contentType);
        expect(answer.text).to.contain(`\n${line}`);
      });
    }
  });
});
