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
import { existsSync } from 'node:fs';
import {
  PrometheusProcess,
  start,
  startRecordingProxy,
  stop,
  type RecordingProxy,
  type Started,
} from '../support/prometheus.js';
import { SEED_SAMPLE, seedSampleReady } from '../support/seed-sample.js';
import { hasPrometheus, requireTool } from '../support/tools.js';

/** How many requests the sample processes before Prometheus starts. */
const REQUESTS = 3;
const JOBS = { direct: 'sample', asAsked: 'sample-openmetrics', asText: 'sample-text' } as const;
const TEXT_ACCEPT = 'text/plain;version=0.0.4';

describe('end to end with a real Prometheus', function () {
  this.timeout(60_000);
  let sample: Started | undefined;
  let prometheus: PrometheusProcess | undefined;
  let proxy: RecordingProxy | undefined;
  let processed = 0;

  const query = (expr: string) => prometheus!.query(expr);
  const api = <T>(path: string): Promise<T> => prometheus!.api<T>(path);
  /** The single value of an instant query. */
  const queryValue = async (expr: string): Promise<number> => {
    const result = await query(expr);
    expect(result, `${expr} -> ${JSON.stringify(result)}`).to.have.length(1);
    return Number(result[0]!.value![1]);
  };
  const diagnostics = (): string =>
    `\n--- sample output ---\n${sample?.output()}\n--- prometheus output (tail) ---\n${prometheus?.tail()}`;

  before(async function () {
    requireTool(this, 'prometheus', hasPrometheus());
    const built = `${SEED_SAMPLE} (built from samples/python-example-1.ts by npm test)`;
    expect(existsSync(SEED_SAMPLE), built).to.equal(true);

    // The sample service, on a port the OS picks.
    sample = start(process.execPath, [SEED_SAMPLE], { ...process.env, PORT: '0', REQUESTS: String(REQUESTS) });
    const ready = await seedSampleReady(sample);
    processed = ready.processed;
    expect(processed).to.equal(REQUESTS);

    proxy = await startRecordingProxy({
      '/as-asked': { port: ready.port, path: '/metrics' },
      '/as-text': { port: ready.port, path: '/metrics', accept: TEXT_ACCEPT },
    });
    prometheus = await PrometheusProcess.start({
      jobs: [
        { name: JOBS.direct, port: ready.port },
        { name: JOBS.asAsked, port: proxy.port, path: '/as-asked' },
        { name: JOBS.asText, port: proxy.port, path: '/as-text' },
      ],
    });
    try {
      await prometheus.waitUntilUp(Object.values(JOBS));
    } catch (error) {
      throw new Error(`${(error as Error).message}${diagnostics()}`);
    }
  });

  after(async () => {
    await prometheus?.stop();
    await stop(sample);
    await proxy?.close();
  });

  for (const [format, job] of [
    ['OpenMetrics, scraped directly', JOBS.direct],
    ['OpenMetrics, through the proxy', JOBS.asAsked],
    ['text 0.0.4, through the proxy', JOBS.asText],
  ] as const) {
    it(`stores the decorated methods' series with the right values (${format})`, async () => {
      const on = `job="${job}"`;
      expect(await queryValue(`up{${on}}`)).to.equal(1);
      expect(
        await queryValue(`my_counter_total{${on},label1="value1",label2="value2"}`),
        'inc(5) per request',
      ).to.equal(5 * processed);
      expect(
        await queryValue(`my_counter_total{${on},label1="process_request",label2="calls"}`),
        'inc() per request',
      ).to.equal(processed);
      expect(await queryValue(`my_gauge{${on}}`)).to.equal(10);
      expect(await queryValue(`request_processing_seconds_count{${on}}`), '@REQUEST_TIME.time() calls').to.equal(
        processed,
      );
      const seconds = await queryValue(`request_processing_seconds_sum{${on}}`);
      // Each request sleeps under 0.1 s; the bound only guards against units gone wrong (ms).
      expect(seconds)
        .to.be.above(0)
        .and.below(processed * 0.1 + 1);
    });
  }

  it('served OpenMetrics to what Prometheus asked, and text where the proxy asked for text', async () => {
    const asked = proxy!.exchanges.filter((e) => e.route === '/as-asked');
    const asText = proxy!.exchanges.filter((e) => e.route === '/as-text');
    expect(asked.length, 'scrapes through /as-asked').to.be.above(0);
    expect(asText.length, 'scrapes through /as-text').to.be.above(0);
    for (const exchange of asked) {
      expect(exchange.askedAccept, 'Prometheus 2.42 asks for OpenMetrics first').to.match(
        /^application\/openmetrics-text;version=1\.0\.0,/,
      );
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
    const metadataOf = (job: string): Promise<Metadata> =>
      api<Metadata>(`/api/v1/targets/metadata?match_target=${encodeURIComponent(`{job="${job}"}`)}`);
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
      expect(pick(metadata, 'request_processing_seconds')).to.include({
        type: 'summary',
        help: 'Time spent processing request',
      });
    }
  });
});
