/**
 * Issue 9, findings 6 and 7: strings that are not well-formed UTF-16 are refused where they enter,
 * and every OpenMetrics body we write, whatever was observed or filtered and whatever a custom
 * collector returns, is one Python's OpenMetrics parser accepts. The bodies are read as a scraper
 * reads them: as the bytes a real server sends.
 */
import { expect } from 'chai';
import {
  CollectionError,
  Counter,
  Enum,
  Histogram,
  Info,
  Registry,
  Summary,
  exposeMetrics,
  type CollectedFamily,
  type CollectedSample,
  type MetricsServer,
} from '../../lib/index.js';
import { PythonParsers, type ParsedFamily } from '../support/exposition-tools.js';
import { hasPythonClient, rejection, requireTool } from '../support/tools.js';
import { LOOPBACK, request } from '../server/support.js';

const OPENMETRICS_ACCEPT = 'application/openmetrics-text;version=1.0.0';

/** A scraped OpenMetrics body and what Python's parser read from it. */
interface Scraped {
  readonly body: string;
  readonly families: ParsedFamily[];
}

describe('hardening: strings that are not well-formed UTF-16 are refused (issue 9, finding 6)', () => {
  let registry: Registry;
  let python: PythonParsers | undefined;
  beforeEach(() => {
    registry = new Registry();
  });
  after(() => python?.close());

  it("labels('\\uD800') and labels('\\uDC00') throw instead of becoming one U+FFFD series", async () => {
    const c = new Counter({ name: 'paths', help: 'p', labelNames: ['path'], registry });
    const before = await registry.metrics('openmetrics');
    for (const bad of ['\uD800', '\uDC00', 'a\uDC00b', '\uDC00\uD83D', 'x\uD83D']) {
      expect(() => c.labels(bad), JSON.stringify(bad)).to.throw(TypeError, /paths.*"path".*well-formed/);
      expect(() => c.labels({ path: bad }), JSON.stringify(bad)).to.throw(TypeError, /paths.*"path".*well-formed/);
    }
    // The message shows the bad value escaped, so it can be read.
    expect(() => c.labels('\uD800')).to.throw(TypeError, /"\\ud800"/);
    expect(c.labelSets()).to.deep.equal([]);
    expect(await registry.metrics('openmetrics')).to.equal(before);
  });

  it('keeps surrogate pairs: astral characters are well-formed and stay distinct series', async function () {
    requireTool(this, "Python's prometheus_client", hasPythonClient());
    const c = new Counter({ name: 'emoji', help: 'e', labelNames: ['face'], registry });
    c.labels('😀').inc();
    c.labels('\uD83D\uDE01').inc(2);
    python ??= new PythonParsers();
    const bytes = Buffer.from(await registry.metrics('openmetrics'), 'utf8');
    const parsed = await python.parse('openmetrics', bytes.toString('utf8'));
    if (!parsed.ok) expect.fail(parsed.error);
    const samples = parsed.families[0]!.samples.map((s) => [s.labels.face, s.value]);
    expect(samples).to.deep.equal([
      ['😀', 1],
      ['😁', 2],
    ]);
  });

  it('refuses them in help, info values, enum states and constant labels, registering nothing', () => {
    expect(() => new Counter({ name: 'bad_help', help: 'h\uDFFF', registry })).to.throw(
      TypeError,
      /bad_help: help .*well-formed.*"h\\udfff"/,
    );
    expect(registry.getMetric('bad_help')).to.equal(undefined);

    const info = new Info({ name: 'build', help: 'b', registry });
    info.info({ version: '1.0' });
    expect(() => info.info({ version: '1.\uD800' })).to.throw(TypeError, /build.*"version".*well-formed/);
    expect(registry.getMetric('build')).to.equal(info);

    const states = ['ok', 'x\uDBFF'];
    const phase = (): unknown => new Enum({ name: 'phase', help: 'p', states, registry });
    expect(phase).to.throw(TypeError, /phase.*state.*well-formed/);
    expect(registry.getMetric('phase')).to.equal(undefined);

    expect(() => new Registry({ labels: { zone: '\uDC00' } })).to.throw(TypeError, /"zone".*well-formed/);
    registry.setDefaultLabels({ zone: 'eu' });
    expect(() => registry.setDefaultLabels({ zone: 'eu\uD800' })).to.throw(TypeError, /"zone".*well-formed/);
    expect(registry.getDefaultLabels()).to.deep.equal({ zone: 'eu' });
  });

  it('fails a scrape naming the collector when a collected help or label value is not well-formed', async () => {
    registry.registerCollector(function badLabels() {
      return [{ name: 'queue', help: 'q', type: 'gauge', samples: [{ labels: { name: 'a\uD800' }, value: 1 }] }];
    });
    let error = await rejection(registry.metrics());
    expect(error).to.be.instanceOf(CollectionError);
    expect(error.message).to.match(/badLabels.*queue.*"name".*well-formed/);
    registry.clear();
    registry.registerCollector(function badHelp() {
      return [{ name: 'queue', help: 'q\uDC00', type: 'gauge', samples: [] }];
    });
    error = await rejection(registry.metrics());
    expect(error.message).to.match(/badHelp.*queue.*help.*well-formed/);
  });
});

describe('hardening: every OpenMetrics body passes the OpenMetrics parser (issue 9, finding 7)', () => {
  /** One server for the file, serving `registry`, emptied before each test. */
  const registry = new Registry({ created: true });
  let server: MetricsServer;
  let python: PythonParsers | undefined;

  before(async () => {
    server = await exposeMetrics(0, { host: LOOPBACK, registry });
  });
  after(async () => {
    python?.close();
    await server.close();
  });
  beforeEach(() => registry.clear());

  /** Scrapes the server as Prometheus does and parses the bytes with Python's OpenMetrics parser. */
  async function scrapeOpenMetrics(ctx: Mocha.Context, query = ''): Promise<Scraped> {
    requireTool(ctx, "Python's prometheus_client", hasPythonClient());
    python ??= new PythonParsers();
    const answer = await request(server.port, `/metrics${query}`, { headers: { accept: OPENMETRICS_ACCEPT } });
    expect(answer.status, answer.text).to.equal(200);
    const parsed = await python.parse('openmetrics', answer.text);
    if (!parsed.ok) expect.fail(`the OpenMetrics parser refused the body: ${parsed.error}\n${answer.text}`);
    return { body: answer.text, families: parsed.families };
  }

  function sampleNames(families: readonly ParsedFamily[]): string[] {
    return families.flatMap((f) => f.samples.map((s) => s.name));
  }

  describe('from our own metrics', () => {
    it('leaves out negative summary quantiles (OpenMetrics forbids them) and keeps them in text', async function () {
      const summary = new Summary({ name: 'drift_seconds', help: 'd', percentiles: [0.1, 0.9], registry });
      for (const v of [-3, -2, -1, 4, 5]) summary.observe(v);
      const { body, families } = await scrapeOpenMetrics(this);
      const quantiles = families[0]!.samples.filter((s) => s.name === 'drift_seconds');
      expect(quantiles.map((s) => s.labels.quantile)).to.deep.equal(['0.9']);
      expect(quantiles[0]!.value).to.be.closeTo(4, 0.04);
      expect(body).not.to.match(/quantile="0\.1"/);
      // _sum is 3 (not negative): count and sum stay.
      expect(sampleNames(families)).to.include.members(['drift_seconds_count', 'drift_seconds_sum']);
      const text = await registry.metrics('text');
      expect(text).to.match(/drift_seconds\{quantile="0\.1"\} -(2\.9|3\.0)\d*\n/);
    });

    it("leaves out the NaN _sum of a series that saw +Inf and -Inf (and a histogram's _count)", async function () {
      const histogram = new Histogram({ name: 'spread', help: 's', labelNames: ['side'], buckets: [0, 1], registry });
      histogram.labels('both').observe(Infinity);
      histogram.labels('both').observe(-Infinity);
      histogram.labels('up').observe(Infinity);
      const summary = new Summary({ name: 'span', help: 's', percentiles: [0.5, 1], registry });
      summary.observe(Infinity);
      summary.observe(-Infinity);
      const { families } = await scrapeOpenMetrics(this);
      const spread = families.find((f) => f.name === 'spread')!;
      const countsAndSums = spread.samples.filter((s) => !s.name.endsWith('_bucket') && !s.name.endsWith('_created'));
      expect(countsAndSums.map((s) => [s.name, s.labels.side, s.value])).to.deep.equal([
        ['spread_count', 'up', 1],
        ['spread_sum', 'up', Infinity],
      ]);
      const bothBuckets = spread.samples.filter((s) => s.name === 'spread_bucket' && s.labels.side === 'both');
      expect(bothBuckets.map((s) => s.value)).to.deep.equal([1, 1, 2]);
      const span = families.find((f) => f.name === 'span')!;
      // The median lands on -Inf (left out); the maximum is +Inf (kept).
      expect(span.samples.map((s) => [s.name, s.labels.quantile, s.value])).to.deep.equal([
        ['span', '1.0', Infinity],
        ['span_count', undefined, 2],
        ['span_created', undefined, span.samples[2]!.value],
      ]);
      const text = await registry.metrics('text');
      expect(text).to.include('spread_sum{side="both"} NaN\n').and.to.include('span_sum NaN\n');
    });

    it('leaves out _sum and _count of a histogram with a negative bucket bound, whatever the sum', async function () {
      new Histogram({ name: 'offset', help: 'o', buckets: [-1, 1], registry }).observe(5);
      const { families } = await scrapeOpenMetrics(this);
      expect(sampleNames(families)).to.deep.equal([...Array(3).fill('offset_bucket'), 'offset_created']);
      expect(await registry.metrics('text')).to.include('offset_sum 5\n');
    });

    it('keeps a histogram valid under ?name[]= of any of its sample names', async function () {
      const latency = new Histogram({
        name: 'latency_seconds',
        help: 'l',
        labelNames: ['route'],
        buckets: [0.1, 1],
        registry,
      });
      latency.labels('/a').observe(0.5);
      latency.labels('/b').observe(2);
      new Counter({ name: 'jobs', help: 'j', registry }).inc(3);
      for (const name of ['_count', '_sum', '_bucket', '_created'].map((suffix) => `latency_seconds${suffix}`)) {
        const { families } = await scrapeOpenMetrics(this, `?name[]=${name}`);
        expect(
          families.map((f) => f.name),
          name,
        ).to.deep.equal(['latency_seconds']);
        expect(sampleNames(families), name).to.include(name);
        expect(
          sampleNames(families).filter((n) => n === 'latency_seconds_bucket'),
          name,
        ).to.have.length(6);
      }
      // A counter point needs its total: asking for _created brings _total along.
      const { families } = await scrapeOpenMetrics(this, '?name[]=jobs_created');
      expect(sampleNames(families)).to.deep.equal(['jobs_total', 'jobs_created']);
    });
  });

  describe('from custom collectors', () => {
    const bucket = (le: string, value: number): CollectedSample => ({ name: 'h_bucket', labels: { le }, value });
    const histogram = (...samples: CollectedSample[]): CollectedFamily => ({
      name: 'h',
      help: 'h',
      type: 'histogram',
      samples,
    });
    const INVALID: ReadonlyArray<readonly [string, CollectedFamily, RegExp]> = [
      [
        'a histogram without a +Inf bucket',
        histogram(bucket('1', 1), { name: 'h_count', value: 1 }, { name: 'h_sum', value: 1 }),
        /family h: .*\+Inf/,
      ],
      [
        'decreasing bucket counts',
        histogram(bucket('1', 5), bucket('+Inf', 2)),
        /family h: .*h_bucket\{le="\+Inf"\} 2: .*cumulative/,
      ],
      [
        'a _count that is not the +Inf bucket',
        histogram(bucket('+Inf', 2), { name: 'h_count', value: 3 }, { name: 'h_sum', value: 1 }),
        /family h: .*h_count 3: .*\+Inf bucket/,
      ],
      [
        'a negative counter',
        { name: 'c', help: 'c', type: 'counter', samples: [{ labels: { x: 'a' }, value: -1 }] },
        /family c: .*c_total\{x="a"\} -1: .*>= 0/,
      ],
      [
        'a NaN counter',
        { name: 'c', help: 'c', type: 'counter', samples: [{ value: NaN }] },
        /family c: .*c_total NaN/,
      ],
      [
        'an info value of 2',
        { name: 'i', help: 'i', type: 'info', samples: [{ labels: { v: '1' }, value: 2 }] },
        /family i: .*i_info\{v="1"\} 2: .*1/,
      ],
      [
        'quantile="2"',
        { name: 's', help: 's', type: 'summary', samples: [{ name: 's', labels: { quantile: '2' }, value: 1 }] },
        /family s: sample s: label "quantile" must be a number in \[0, 1\], got "2"/,
      ],
      [
        'a stateset value of 2',
        { name: 'st', help: 's', type: 'stateset', samples: [{ labels: { st: 'on' }, value: 2 }] },
        /family st: .*st\{st="on"\} 2: .*0 or 1/,
      ],
      [
        'a stateset sample without its state label',
        { name: 'st', help: 's', type: 'stateset', samples: [{ labels: { other: 'on' }, value: 1 }] },
        /family st: .*label "st"/,
      ],
      [
        'a fractional bucket count',
        histogram(bucket('+Inf', 1.5)),
        /family h: .*h_bucket\{le="\+Inf"\} 1\.5: .*integer/,
      ],
      [
        'the same series twice',
        {
          name: 'g',
          help: 'g',
          type: 'gauge',
          samples: [
            { labels: { a: '1', b: '2' }, value: 1 },
            { labels: { b: '2', a: '1' }, value: 2 },
          ],
        },
        /family g: .*twice/,
      ],
      [
        'a histogram _count without _sum',
        histogram(bucket('+Inf', 1), { name: 'h_count', value: 1 }),
        /family h: .*_count and _sum/,
      ],
    ];

    for (const [what, family, message] of INVALID) {
      it(`answers 500 naming the collector for ${what}`, async () => {
        registry.registerCollector(function inventoryCollector() {
          return [family];
        });
        const answer = await request(server.port, '/metrics', { headers: { accept: OPENMETRICS_ACCEPT } });
        expect(answer.status, answer.text).to.equal(500);
        expect(answer.text).to.match(/^Collecting collector inventoryCollector failed: /);
        expect(answer.text).to.match(message);
      });
    }

    it('renders valid families in order: points together, buckets by le, canonical le and quantile', async function () {
      registry.registerCollector((): CollectedFamily[] => [
        {
          name: 'size_bytes',
          help: 's',
          type: 'histogram',
          unit: 'bytes',
          samples: [
            { name: 'size_bytes_bucket', labels: { disk: 'a', le: '+Inf' }, value: 3 },
            { name: 'size_bytes_bucket', labels: { disk: 'b', le: 'Inf' }, value: 1 },
            { name: 'size_bytes_bucket', labels: { disk: 'a', le: 1 }, value: 2 },
            { name: 'size_bytes_count', labels: { disk: 'a' }, value: 3 },
            { name: 'size_bytes_sum', labels: { disk: 'a' }, value: 7 },
          ],
        },
        {
          name: 'wait_seconds',
          help: 'w',
          type: 'summary',
          samples: [
            { name: 'wait_seconds', labels: { quantile: 0.5 }, value: -1 },
            { name: 'wait_seconds', labels: { quantile: '1' }, value: 3 },
            { name: 'wait_seconds_count', value: 2 },
            { name: 'wait_seconds_sum', value: -5 },
          ],
        },
      ]);
      const { body } = await scrapeOpenMetrics(this);
      expect(body).to.equal(
        '# HELP size_bytes s\n# TYPE size_bytes histogram\n# UNIT size_bytes bytes\n' +
          'size_bytes_bucket{disk="a",le="1.0"} 2\nsize_bytes_bucket{disk="a",le="+Inf"} 3\n' +
          'size_bytes_count{disk="a"} 3\nsize_bytes_sum{disk="a"} 7\n' +
          'size_bytes_bucket{disk="b",le="+Inf"} 1\n' +
          '# HELP wait_seconds w\n# TYPE wait_seconds summary\n' +
          'wait_seconds{quantile="1.0"} 3\nwait_seconds_count 2\n# EOF\n',
      );
      // The text format 0.0.4 has no such rules: it keeps the negative quantile and sum.
      const text = await registry.metrics('text');
      expect(text).to.include('wait_seconds{quantile="0.5"} -1\n').and.to.include('wait_seconds_sum -5\n');
    });
  });
});
