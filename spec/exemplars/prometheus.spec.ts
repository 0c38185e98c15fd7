/**
 * A real Prometheus 2.42 (`--enable-feature=native-histograms,exemplar-storage`) scrapes our
 * protobuf exposition and stores the exemplars of a counter, of a classic histogram's buckets and
 * of a native-only histogram (on its `+Inf` bucket, the one place 2.42 reads them from), as
 * `/api/v1/query_exemplars` shows.
 */
import { expect } from 'chai';
import { Counter, Histogram, Registry, Timed, exposeMetrics, type MetricsServer } from '../../lib/index.js';
import { LOOPBACK, waitFor } from '../server/support.js';
import { PrometheusProcess } from '../support/prometheus.js';
import { hasPrometheus, requireTool } from '../support/tools.js';

const JOB = 'exemplars';

interface ExemplarSeries {
  readonly seriesLabels: Record<string, string>;
  readonly exemplars: { labels: Record<string, string>; value: string; timestamp: number }[];
}

describe('a real Prometheus 2.42 stores the exemplars it scrapes in protobuf', function () {
  this.timeout(60_000);
  const registry = new Registry();
  let server: MetricsServer | undefined;
  let prometheus: PrometheusProcess | undefined;

  async function exemplarsOf(query: string, expected: number): Promise<ExemplarSeries[]> {
    const path = `/api/v1/query_exemplars?query=${encodeURIComponent(query)}&start=0&end=${Date.now() / 1000 + 60}`;
    return waitFor(
      `exemplars of ${query}`,
      async () => {
        const series = await prometheus!.api<ExemplarSeries[]>(path);
        const count = series.reduce((n, s) => n + s.exemplars.length, 0);
        return count >= expected ? series : undefined;
      },
      20_000,
      250,
    );
  }

  before(async function () {
    requireTool(this, 'prometheus', hasPrometheus());
    const requests = new Counter('ex_requests', 'Requests', ['method'], { registry });
    requests.labels('GET').inc(2, { trace_id: 'counter-trace' });
    const latency = new Histogram('ex_latency_seconds', 'Latency', [], { registry, buckets: [0.1, 1] });
    latency.observe(0.5, { trace_id: 'classic-trace' });
    const native = new Histogram('ex_native_seconds', 'Native', [], { registry, native: true });
    const work = Timed(native, { exemplar: (args) => ({ trace_id: String(args[0]) }) })((_id: string) => undefined);
    work('native-trace');
    server = await exposeMetrics(0, { host: LOOPBACK, registry });
    prometheus = await PrometheusProcess.start({
      jobs: [{ name: JOB, port: server.port }],
      features: ['native-histograms', 'exemplar-storage'],
    });
    await prometheus.waitUntilUp([JOB]);
  });

  after(async () => {
    await prometheus?.stop();
    await server?.close();
  });

  it("stores a counter's exemplar, its value the increment", async () => {
    const [series] = await exemplarsOf('ex_requests_total', 1);
    expect(series!.exemplars[0]!.labels).to.deep.equal({ trace_id: 'counter-trace' });
    expect(Number(series!.exemplars[0]!.value)).to.equal(2);
  });

  it("stores a classic bucket's exemplar", async () => {
    const series = await exemplarsOf('ex_latency_seconds_bucket', 1);
    const found = series.flatMap((s) =>
      s.exemplars.map((e) => [s.seriesLabels.le, e.labels.trace_id, Number(e.value)]),
    );
    // Prometheus writes the le of a protobuf bucket in its canonical form, 1.0.
    expect(found).to.deep.equal([['1.0', 'classic-trace', 0.5]]);
  });

  it("stores a native-only histogram's exemplar from a decorated call", async () => {
    const series = await exemplarsOf('ex_native_seconds', 1);
    const found = series.flatMap((s) => s.exemplars.map((e) => e.labels.trace_id));
    expect(found).to.deep.equal(['native-trace']);
  });
});
