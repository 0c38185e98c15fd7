/**
 * Two real Prometheus 2.42 processes scrape the same target in the three formats they can get, and
 * must store the same series (names, label sets, values).
 *
 * The target (formats-target.ts, one process) serves the seed sample and a registry with every
 * metric type, whose values never change after start.
 * - A runs with `--enable-feature=native-histograms`, which makes 2.42 ask for protobuf first; it
 *   scrapes the target directly.
 * - B runs without it and asks for OpenMetrics first; it scrapes the target directly, and through a
 *   recording proxy that rewrites Accept to `text/plain;version=0.0.4` (2.42 has no setting to ask
 *   for text).
 * Each job adds `?scraper=<job>` to its URL, and the target records what each scrape asked for and
 * got. Both Prometheus processes start together and are stopped by PID after the file.
 */
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import type { TargetExchange, TargetReady } from './formats-target.js';
import { request } from './support.js';
import {
  PrometheusProcess,
  start,
  startRecordingProxy,
  stop,
  type RecordingProxy,
  type Started,
  type VectorSample,
  nextMessage,
} from '../support/prometheus.js';
import { decodeDelimited, flattenFamilies, type DecodedMetricFamily } from '../support/protobuf-decoder.js';
import { seedSampleReady } from '../support/seed-sample.js';
import { hasPrometheus, requireTool } from '../support/tools.js';

const TARGET = fileURLToPath(new URL('./formats-target.js', import.meta.url));
const SEED_REQUESTS = 3;

const PROTOBUF_ACCEPT = 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited';
const OPENMETRICS_ACCEPT = 'application/openmetrics-text;version=1.0.0';
const TEXT_ACCEPT = 'text/plain;version=0.0.4';
/** The Content-Types the target must answer with; 2.42 asks for no escaping, so `underscores`. */
const ANSWERS = {
  protobuf:
    'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited;' +
    ' escaping=underscores',
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores',
  text: 'text/plain; version=0.0.4; charset=utf-8',
} as const;

type Format = keyof typeof ANSWERS;
type Server = TargetExchange['server'];

/** One job: which Prometheus runs it, which server it scrapes, and the format it must get. */
interface Job {
  readonly prometheus: 'A' | 'B';
  readonly name: string;
  readonly server: Server;
  readonly format: Format;
  /** What Prometheus itself asks for first (before the proxy, for the text jobs). */
  readonly asks: string;
}

const JOBS: readonly Job[] = [
  { prometheus: 'A', name: 'seed', server: 'seed', format: 'protobuf', asks: PROTOBUF_ACCEPT },
  { prometheus: 'A', name: 'every-type', server: 'every-type', format: 'protobuf', asks: PROTOBUF_ACCEPT },
  { prometheus: 'B', name: 'seed', server: 'seed', format: 'openmetrics', asks: OPENMETRICS_ACCEPT },
  { prometheus: 'B', name: 'every-type', server: 'every-type', format: 'openmetrics', asks: OPENMETRICS_ACCEPT },
  { prometheus: 'B', name: 'seed-text', server: 'seed', format: 'text', asks: OPENMETRICS_ACCEPT },
  { prometheus: 'B', name: 'every-type-text', server: 'every-type', format: 'text', asks: OPENMETRICS_ACCEPT },
];
/** The `scraper` parameter of a job's URL: unique across both Prometheus processes. */
const scraperOf = (job: Job): string => `${job.prometheus}-${job.name}`;
const jobsOf = (prometheus: 'A' | 'B'): Job[] => JOBS.filter((job) => job.prometheus === prometheus);

/** The series Prometheus adds for every scrape; they describe the scrape, not the target. */
const SCRAPE_SERIES = 'up|scrape_.+';

/**
 * A stored series as comparable text: its name, its labels without `job` and `instance` (sorted),
 * and its value as the query API prints it ("NaN", "+Inf", shortest digits).
 */
function seriesText(result: readonly VectorSample[]): string[] {
  return result
    .map(({ metric, value }) => {
      const { __name__: name, job: _job, instance: _instance, ...labels } = metric;
      return JSON.stringify([name, Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)), value?.[1]]);
    })
    .sort();
}

/** The metric names among stored series. */
function namesOf(result: readonly VectorSample[]): string[] {
  return [...new Set(result.map((s) => s.metric.__name__!))].sort();
}

describe('two real Prometheus 2.42 store the same series from protobuf, OpenMetrics and text 0.0.4', function () {
  this.timeout(60_000);
  let target: Started | undefined;
  let ready: TargetReady;
  let seedProcessed = 0;
  let proxy: RecordingProxy | undefined;
  const prometheus: Partial<Record<'A' | 'B', PrometheusProcess>> = {};

  const diagnostics = (): string =>
    `\n--- target output ---\n${target?.output()}` +
    `\n--- prometheus A (tail) ---\n${prometheus.A?.tail()}\n--- prometheus B (tail) ---\n${prometheus.B?.tail()}`;
  const on = (job: Job): PrometheusProcess => prometheus[job.prometheus]!;
  const job = (p: 'A' | 'B', name: string): Job => JOBS.find((j) => j.prometheus === p && j.name === name)!;
  /** A job's series (the scrape's own series left out), with more matchers when given. */
  const seriesOf = (j: Job, matchers = ''): Promise<VectorSample[]> =>
    on(j).query(`{job="${j.name}", __name__!~"${SCRAPE_SERIES}"${matchers}}`);
  /** The every-type registry's protobuf body, decoded: what A's every-type job is served. */
  const protobufFamilies = async (): Promise<DecodedMetricFamily[]> =>
    decodeDelimited((await request(ready.everyTypePort, '/metrics', { headers: { accept: PROTOBUF_ACCEPT } })).body);

  before(async function () {
    requireTool(this, 'prometheus', hasPrometheus());
    const env = { ...process.env, PORT: '0', REQUESTS: String(SEED_REQUESTS) };
    target = start(process.execPath, [TARGET], env, true);
    const readyMessage = nextMessage<TargetReady>(target.child, 'ready message');
    readyMessage.catch(() => undefined); // awaited below; a failure before that must not go unhandled
    const seed = await seedSampleReady(target);
    seedProcessed = seed.processed;
    ready = await readyMessage.catch((error: Error) => {
      throw new Error(`${error.message}${diagnostics()}`);
    });
    const ports: Record<Server, number> = { seed: seed.port, 'every-type': ready.everyTypePort };

    // B's text jobs go through the proxy, which asks the target for text 0.0.4 instead.
    const textJobs = jobsOf('B').filter((j) => j.format === 'text');
    const textRoute = (j: Job) => ({ port: ports[j.server], path: '/metrics', accept: TEXT_ACCEPT });
    proxy = await startRecordingProxy(Object.fromEntries(textJobs.map((j) => [`/${j.name}`, textRoute(j)])));
    const scrapeJob = (j: Job) => ({
      name: j.name,
      port: j.format === 'text' ? proxy!.port : ports[j.server],
      path: j.format === 'text' ? `/${j.name}` : '/metrics',
      params: { scraper: scraperOf(j) },
    });
    // Started together: each waits ~5 s for its first scrape.
    const [a, b] = await Promise.all([
      PrometheusProcess.start({ jobs: jobsOf('A').map(scrapeJob), features: ['native-histograms'] }),
      PrometheusProcess.start({ jobs: jobsOf('B').map(scrapeJob) }),
    ]);
    prometheus.A = a;
    prometheus.B = b;
    try {
      await Promise.all([a.waitUntilUp(jobsOf('A').map((j) => j.name)), b.waitUntilUp(jobsOf('B').map((j) => j.name))]);
    } catch (error) {
      throw new Error(`${(error as Error).message}${diagnostics()}`);
    }
  });

  after(async () => {
    await Promise.all([prometheus.A?.stop(), prometheus.B?.stop()]);
    await stop(target);
    await proxy?.close();
  });

  it('served each job the format it must get: A protobuf, B OpenMetrics, B through the proxy text 0.0.4', async () => {
    target!.child.send('exchanges');
    const { exchanges } = await nextMessage<{ exchanges: TargetExchange[] }>(target!.child, 'exchanges');
    for (const j of JOBS) {
      const scrapes = exchanges.filter((e) => e.scraper === scraperOf(j));
      const where = `${scraperOf(j)}: ${JSON.stringify(scrapes.slice(0, 2))}`;
      expect(scrapes.length, where).to.be.above(0);
      for (const e of scrapes) {
        expect(e.server, where).to.equal(j.server);
        expect(e.status, where).to.equal(200);
        expect(e.contentType, where).to.equal(ANSWERS[j.format]);
        // The target sees the proxy's Accept for the text jobs, Prometheus' own for the others.
        if (j.format === 'text') expect(e.accept, where).to.equal(TEXT_ACCEPT);
        else expect(e.accept?.startsWith(`${j.asks},`), where).to.equal(true);
      }
    }
    // What B itself asked for through the proxy: OpenMetrics, like its direct jobs.
    for (const e of proxy!.exchanges) {
      expect(e.askedAccept?.startsWith(`${OPENMETRICS_ACCEPT},`), JSON.stringify(e)).to.equal(true);
      expect(e.forwardedAccept).to.equal(TEXT_ACCEPT);
    }
  });

  it('every-type registry: A (protobuf) stores the same series as B from OpenMetrics and from text', async () => {
    // `_created` series are compared in their own test below: 2.42 stores them from the text formats only.
    const noCreated = ', __name__!~".+_created"';
    const fromProtobuf = seriesText(await seriesOf(job('A', 'every-type'), noCreated));
    const fromOpenMetrics = seriesText(await seriesOf(job('B', 'every-type'), noCreated));
    const fromText = seriesText(await seriesOf(job('B', 'every-type-text'), noCreated));
    expect(fromProtobuf, `protobuf vs OpenMetrics${diagnostics()}`).to.deep.equal(fromOpenMetrics);
    expect(fromProtobuf, 'protobuf vs text 0.0.4').to.deep.equal(fromText);

    // Not equal by being empty: every type is there, with its values.
    const has = (name: string, labels: Record<string, string>, value: string): void => {
      const [text] = seriesText([{ metric: { __name__: name, region: 'eu-west', ...labels }, value: [0, value] }]);
      expect(fromProtobuf, text).to.include(text);
    };
    has('formats_requests_total', { route: 'quote " backslash \\ newline \n é', code: '200' }, '0.001');
    has('formats_temperature_celsius', { sensor: 'nan' }, 'NaN');
    has('formats_temperature_celsius', { sensor: 'minus_inf' }, '-Inf');
    has('formats_temperature_celsius', { sensor: 'tiny' }, '5e-324');
    has('formats_latency_seconds_bucket', { method: 'GET', le: '1e-05' }, '1');
    has('formats_latency_seconds_bucket', { method: 'GET', le: '1e+06' }, '6');
    // Not in the protobuf body (its count is sample_count): 2.42 adds the +Inf series itself.
    has('formats_latency_seconds_bucket', { method: 'GET', le: '+Inf' }, '7');
    const latency = (await protobufFamilies()).find((f) => f.name === 'formats_latency_seconds');
    expect(latency!.metric[0]!.histogram!.bucket.map((b) => b.upper_bound)).to.not.include(Infinity);
    has('formats_latency_seconds_count', { method: 'POST' }, '1');
    const median = fromProtobuf
      .map((t) => JSON.parse(t) as [string, string[][], string])
      .find(
        ([name, labels]) =>
          name === 'formats_payload_bytes' && labels.some(([k, v]) => k === 'quantile' && v === '0.5'),
      );
    // The summary's stated relative error is 1%: the median of 10..1000 is estimated near 500.
    expect(Math.abs(Number(median?.[2]) - 500), String(median)).to.be.at.most(5);
    has('formats_payload_bytes_sum', {}, '50500');
    has('formats_build_info', { version: '1.2.3', revision: 'abc123' }, '1');
    has('formats_phase', { worker: 'w1', formats_phase: 'running' }, '1');
    has('formats_phase', { worker: 'w1', formats_phase: 'stopped' }, '0');
    has('formats_utf8_name', { zone_name: 'α' }, '1');
    has('formats_legacy_queue', { queue: 'b' }, '-1.5');
    // Counter 3, gauge 6, histogram 2 × (7 buckets, count, sum), summary 3 quantiles + count + sum,
    // info 1, enum 2 × 3 states, UTF-8-named gauge 1, collector 2 + 1.
    expect(fromProtobuf).to.have.length(3 + 6 + 18 + 5 + 1 + 6 + 1 + 3);
  });

  it("a collector's sample timestamp is stored as given, whatever the format", async () => {
    for (const j of JOBS.filter((x) => x.server === 'every-type')) {
      const [stored] = await on(j).query(`timestamp(formats_last_sync{job="${j.name}"})`);
      expect(Number(stored?.value?.[1]), scraperOf(j)).to.equal(ready.startedAt / 1000);
    }
  });

  it('_created: stored as series from OpenMetrics and text, not from protobuf (which carries it)', async () => {
    const created = ', __name__=~".+_created"';
    const fromOpenMetrics = seriesText(await seriesOf(job('B', 'every-type'), created));
    const fromText = seriesText(await seriesOf(job('B', 'every-type-text'), created));
    expect(fromOpenMetrics).to.deep.equal(fromText);
    // A counter's three series, the histogram's two and the summary's one.
    expect(fromOpenMetrics).to.have.length(6);
    // The protobuf body carries the same ones (created_timestamp), but Prometheus 2.42 does not read that field.
    const inBody = flattenFamilies(await protobufFamilies())
      .filter((s) => s.name.endsWith('_created'))
      .map((s) => ({ metric: { __name__: s.name, ...s.labels }, value: [0, String(s.value)] as [number, string] }));
    expect(seriesText(inBody)).to.deep.equal(fromOpenMetrics);
    expect(await seriesOf(job('A', 'every-type'), created), 'A stores no _created series').to.deep.equal([]);
  });

  it("seed sample: its own series are equal in every job, and so are the runtime metrics' label sets", async () => {
    const seedJobs = JOBS.filter((j) => j.server === 'seed');
    const own = ', __name__=~"my_counter_total|my_gauge|request_processing_seconds.*"';
    const [first, ...others] = await Promise.all(seedJobs.map(async (j) => seriesText(await seriesOf(j, own))));
    for (const [i, series] of others.entries()) {
      expect(series, `${scraperOf(seedJobs[0]!)} vs ${scraperOf(seedJobs[i + 1]!)}`).to.deep.equal(first);
    }
    const value1 = [
      ['label1', 'value1'],
      ['label2', 'value2'],
    ];
    expect(first).to.include(JSON.stringify(['my_counter_total', value1, String(5 * seedProcessed)]));
    expect(first).to.include(JSON.stringify(['request_processing_seconds_count', [], String(seedProcessed)]));
    expect(first).to.include(JSON.stringify(['my_gauge', [], '10']));
    // The process and runtime metrics change between scrapes (CPU, memory, event loop), so their
    // values differ from job to job; their label sets do not, but for the active resources and
    // handles, which are labeled by the kinds of handle open at the moment of the scrape.
    const labelSets = (result: readonly VectorSample[]): string[] =>
      seriesText(result.map(({ metric }) => ({ metric })));
    const runtime = ', __name__!~"nodejs_active_(resources|handles)"';
    const [sets, ...otherSets] = await Promise.all(seedJobs.map(async (j) => labelSets(await seriesOf(j, runtime))));
    for (const [i, list] of otherSets.entries()) {
      expect(list, `${scraperOf(seedJobs[0]!)} vs ${scraperOf(seedJobs[i + 1]!)}`).to.deep.equal(sets);
    }
    const names = namesOf(await seriesOf(seedJobs[0]!));
    expect(names).to.include.members(['nodejs_gc_duration_seconds_bucket', 'process_cpu_seconds_total']);
    expect(names).to.include.members(['nodejs_active_resources', 'nodejs_active_handles']);
  });

  it('metadata: each format names and types the families its own way (the series above are the same)', async () => {
    type Metadata = Array<{ metric: string; type: string; unit: string }>;
    const metadataOf = async (j: Job): Promise<string[]> => {
      const match = encodeURIComponent(`{job="${j.name}"}`);
      const metadata = await on(j).api<Metadata>(`/api/v1/targets/metadata?match_target=${match}`);
      return metadata.map((m) => [m.metric, m.type, m.unit].join(' ')).sort();
    };
    const common = [
      'formats_last_sync gauge ',
      'formats_latency_seconds histogram ',
      'formats_legacy_queue unknown ',
      'formats_utf8_name gauge ',
    ];
    // Protobuf: families as sent (counters with _total, info and stateset as gauges). 2.42 reads no
    // MetricFamily.unit, though the body carries it.
    const asSent = [
      'formats_build_info gauge ',
      'formats_payload_bytes summary ',
      'formats_phase gauge ',
      'formats_requests_total counter ',
      'formats_temperature_celsius gauge ',
    ];
    expect(await metadataOf(job('A', 'every-type'))).to.deep.equal([...common, ...asSent].sort());
    // OpenMetrics: family names without sample suffixes, its own info and stateset types, units.
    expect(await metadataOf(job('B', 'every-type'))).to.deep.equal(
      [
        ...common,
        'formats_build info ',
        'formats_payload_bytes summary bytes',
        'formats_phase stateset ',
        'formats_requests counter ',
        'formats_temperature_celsius gauge celsius',
      ].sort(),
    );
    // Text 0.0.4: named and typed as protobuf, plus the _created gauge families.
    expect(await metadataOf(job('B', 'every-type-text'))).to.deep.equal(
      [
        ...common,
        ...asSent,
        'formats_latency_seconds_created gauge ',
        'formats_payload_bytes_created gauge ',
        'formats_requests_created gauge ',
      ].sort(),
    );
    const units = (await protobufFamilies()).filter((f) => f.unit !== undefined).map((f) => `${f.name} ${f.unit}`);
    expect(units).to.deep.equal(['formats_temperature_celsius celsius', 'formats_payload_bytes bytes']);
  });

  it('logged no failed scrape or append', () => {
    for (const p of [prometheus.A!, prometheus.B!]) {
      expect(p.output(), p.tail()).to.not.match(/level=(warn|error).*(scrape|append)/i);
    }
  });
});
