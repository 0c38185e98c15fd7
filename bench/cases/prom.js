/**
 * The cases for prom-client 15.1.3 and @prometheus-io/client 0.16 (same API), each written the
 * way that library's documentation shows.
 */
import { BUCKETS, LAYOUTS, METHODS, SCALING_FAMILY_SERIES, VALUES, routeOf, sink } from './shared.js';

const LABELS = ['method', 'status'];

export function promCases(M, sizes) {
  const registry = (contentType) => new M.Registry(contentType);
  const counter = (labelNames = LABELS, reg = registry()) =>
    new M.Counter({ name: 'requests', help: 'Requests.', labelNames, registers: [reg] });
  const histogram = (labelNames = LABELS, reg = registry()) =>
    new M.Histogram({ name: 'latency_seconds', help: 'Latency.', labelNames, buckets: [...BUCKETS], registers: [reg] });
  const withText = (reg, body) => ({ ...body, text: () => reg.metrics() });

  return {
    'counter.inc': () => {
      const reg = registry();
      const c = counter([], reg);
      return withText(reg, {
        run(n) {
          for (let i = 0; i < n; i++) c.inc();
        },
      });
    },
    'counter.labels-object': () => {
      const reg = registry();
      const c = counter(LABELS, reg);
      return withText(reg, {
        run(n) {
          for (let i = 0; i < n; i++) c.labels({ method: 'GET', status: '200' }).inc();
        },
      });
    },
    'counter.inc-shortest': () => {
      // prom-client's own idiom: the labels object passed straight to inc().
      const reg = registry();
      const c = counter(LABELS, reg);
      return withText(reg, {
        run(n) {
          for (let i = 0; i < n; i++) c.inc({ method: 'GET', status: '200' });
        },
      });
    },
    'counter.labels-positional': () => {
      const reg = registry();
      const c = counter(LABELS, reg);
      return withText(reg, {
        run(n) {
          for (let i = 0; i < n; i++) c.labels('GET', '200').inc();
        },
      });
    },
    'counter.bound': () => {
      const reg = registry();
      const child = counter(LABELS, reg).labels('GET', '200');
      return withText(reg, {
        run(n) {
          for (let i = 0; i < n; i++) child.inc();
        },
      });
    },
    'histogram.bound': () => {
      const reg = registry();
      const child = histogram(LABELS, reg).labels('GET', '200');
      return withText(reg, {
        run(n) {
          for (let i = 0; i < n; i++) child.observe(VALUES[i & 1023]);
        },
      });
    },
    'histogram.labels': () => {
      const reg = registry();
      const h = histogram(LABELS, reg);
      return withText(reg, {
        run(n) {
          for (let i = 0; i < n; i++) h.labels('GET', '200').observe(VALUES[i & 1023]);
        },
      });
    },
    'summary.observe': () => {
      // Its default configuration: it has no count-and-sum-only summary (7 quantiles, all-time t-digest).
      const reg = registry();
      const s = new M.Summary({ name: 'latency_seconds', help: 'Latency.', registers: [reg] });
      return withText(reg, {
        run(n) {
          for (let i = 0; i < n; i++) s.observe(VALUES[i & 1023]);
        },
      });
    },
    'summary.quantiles': () => {
      // 3 quantiles, all-time (its default; its sliding window pushes each value ageBuckets times).
      const reg = registry();
      const s = new M.Summary({
        name: 'latency_seconds',
        help: 'Latency.',
        percentiles: [0.5, 0.9, 0.99],
        registers: [reg],
      });
      return withText(reg, {
        run(n) {
          for (let i = 0; i < n; i++) s.observe(VALUES[i & 1023]);
        },
      });
    },
    'timer.start-end': () => {
      const reg = registry();
      const h = histogram([], reg);
      return withText(reg, {
        run(n) {
          let total = 0;
          for (let i = 0; i < n; i++) total += h.startTimer()();
          sink.value += total;
        },
      });
    },

    'scrape.counters.text': () => scrapeCounters(M.Registry.PROMETHEUS_CONTENT_TYPE),
    'scrape.counters.openmetrics': () => scrapeCounters(M.Registry.OPENMETRICS_CONTENT_TYPE),
    'scrape.histograms.text': () => scrapeHistograms(M.Registry.PROMETHEUS_CONTENT_TYPE),
    'scrape.histograms.openmetrics': () => scrapeHistograms(M.Registry.OPENMETRICS_CONTENT_TYPE),
    'scrape.default-metrics': () => {
      const reg = registry();
      M.collectDefaultMetrics({ register: reg });
      return { scrape: () => reg.metrics() };
    },

    // One registry with both scrape cases' families (the 18.5 MB body), served as prom-client's
    // example/server.js does: the whole body from `await register.metrics()`, then `res.end(body)`.
    'load.scrape': () => {
      const reg = registry();
      fillCounters(reg);
      fillHistograms(reg);
      return {
        handler(_req, res) {
          reg.metrics().then(
            (body) => {
              res.writeHead(200, { 'Content-Type': reg.contentType });
              res.end(body);
            },
            (error) => {
              res.writeHead(500);
              res.end(String(error));
            },
          );
        },
      };
    },
    scaling,

    'heap.counter': () => {
      const c = counter(['method', 'route']);
      c.labels('GET', '/warm').inc();
      return {
        fill(count) {
          for (let j = 0; j < count; j++) c.labels(METHODS[j & 3], routeOf(j)).inc();
        },
        held: c,
      };
    },
    'heap.histogram': () => {
      const h = histogram(['method', 'route']);
      h.labels('GET', '/warm').observe(0.1);
      return {
        fill(count) {
          for (let j = 0; j < count; j++) h.labels(METHODS[j & 3], routeOf(j)).observe(VALUES[j & 1023]);
        },
        held: h,
      };
    },
  };

  function scrapeCounters(contentType) {
    const reg = registry(contentType);
    fillCounters(reg);
    return { scrape: () => reg.metrics() };
  }

  function scrapeHistograms(contentType) {
    const reg = registry(contentType);
    fillHistograms(reg);
    return { scrape: () => reg.metrics() };
  }

  /** The counter families of the scrape cases: `counterMetrics` x `counterSeries`, method x route. */
  function fillCounters(reg) {
    for (let m = 0; m < sizes.counterMetrics; m++) {
      const c = counterFamily(reg, m, ['method', 'route']);
      for (let j = 0; j < sizes.counterSeries; j++) c.labels(METHODS[j & 3], routeOf(j)).inc((j % 97) + 1);
    }
  }

  /** The histogram families of the scrape cases: `histogramMetrics` x `histogramSeries`, 3 observations each. */
  function fillHistograms(reg) {
    for (let m = 0; m < sizes.histogramMetrics; m++) {
      const h = histogramFamily(reg, m, ['method', 'route']);
      for (let j = 0; j < sizes.histogramSeries; j++) observeThree(h.labels(METHODS[j & 3], routeOf(j)), j);
    }
  }

  function counterFamily(reg, m, labelNames) {
    return new M.Counter({
      name: `app_requests_${m}_total`,
      help: `Requests of kind ${m}.`,
      labelNames,
      registers: [reg],
    });
  }

  function histogramFamily(reg, m, labelNames) {
    return new M.Histogram({
      name: `app_latency_${m}_seconds`,
      help: `Latency of kind ${m}.`,
      labelNames,
      buckets: [...BUCKETS],
      registers: [reg],
    });
  }

  function observeThree(child, j) {
    for (let k = 0; k < 3; k++) child.observe(VALUES[(j * 3 + k) & 1023]);
  }

  /** The scaling-table registry, as bench/cases/prometric.js builds it. */
  function scaling(metric, layout) {
    const reg = registry();
    const { labelNames, values } = LAYOUTS[layout];
    return {
      fill(count) {
        for (let g = 0; g < count; g += SCALING_FAMILY_SERIES) {
          const m = g / SCALING_FAMILY_SERIES;
          const family = metric === 'counter' ? counterFamily(reg, m, labelNames) : histogramFamily(reg, m, labelNames);
          const end = Math.min(SCALING_FAMILY_SERIES, count - g);
          for (let j = 0; j < end; j++) {
            const child = family.labels(...values(g + j));
            if (metric === 'counter') child.inc((j % 97) + 1);
            else observeThree(child, j);
          }
        }
      },
      scrape: () => reg.metrics(),
      held: reg,
    };
  }
}
