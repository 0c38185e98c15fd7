/** The cases for prometric (this project), through its public API only. */
import { BUCKETS, LAYOUTS, METHODS, SCALING_FAMILY_SERIES, VALUES, routeOf, sink } from './shared.js';

const LABELS = ['method', 'status'];

export function prometricCases(M, sizes) {
  const registry = () => new M.Registry();
  const counter = (labelNames = LABELS, reg = registry()) =>
    new M.Counter({ name: 'requests', help: 'Requests.', labelNames, registry: reg });
  const histogram = (labelNames = LABELS, reg = registry()) =>
    new M.Histogram({ name: 'latency_seconds', help: 'Latency.', labelNames, buckets: BUCKETS, registry: reg });

  return {
    'counter.inc': () => {
      const c = counter([]);
      return {
        run(n) {
          for (let i = 0; i < n; i++) c.inc();
        },
        text: () => c.registry.metrics(),
      };
    },
    'counter.labels-object': () => {
      const c = counter();
      return {
        run(n) {
          for (let i = 0; i < n; i++) c.labels({ method: 'GET', status: '200' }).inc();
        },
        text: () => c.registry.metrics(),
      };
    },
    'counter.inc-shortest': () => {
      const c = counter();
      return {
        run(n) {
          for (let i = 0; i < n; i++) c.labels({ method: 'GET', status: '200' }).inc();
        },
        text: () => c.registry.metrics(),
      };
    },
    'counter.labels-positional': () => {
      const c = counter();
      return {
        run(n) {
          for (let i = 0; i < n; i++) c.labels('GET', '200').inc();
        },
        text: () => c.registry.metrics(),
      };
    },
    'counter.bound': () => {
      const c = counter();
      const child = c.labels('GET', '200');
      return {
        run(n) {
          for (let i = 0; i < n; i++) child.inc();
        },
        text: () => c.registry.metrics(),
      };
    },
    'counter.bound-guarded': () => {
      if (typeof M.Registry.prototype.setMaxSeriesPerMetric !== 'function') return { skip: 'no cardinality guard' };
      const c = new M.Counter({
        name: 'requests',
        help: 'Requests.',
        labelNames: LABELS,
        maxSeries: 1000,
        registry: registry(),
      });
      for (let i = 0; i < 1000; i++) c.labels('GET', String(i));
      c.labels('GET', 'past-the-limit'); // goes to the overflow series: the guard is in force
      const child = c.labels('GET', '200');
      return {
        run(n) {
          for (let i = 0; i < n; i++) child.inc();
        },
        text: () => c.registry.metrics(),
      };
    },
    'histogram.bound': () => {
      const h = histogram();
      const child = h.labels('GET', '200');
      return {
        run(n) {
          for (let i = 0; i < n; i++) child.observe(VALUES[i & 1023]);
        },
        text: () => h.registry.metrics(),
      };
    },
    'counter.bound-exemplar': () => {
      const c = counter();
      const child = c.labels('GET', '200');
      const exemplar = { trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' };
      return {
        run(n) {
          for (let i = 0; i < n; i++) child.inc(1, exemplar);
        },
        text: () => c.registry.metrics(),
      };
    },
    'histogram.bound-exemplar': () => {
      const h = histogram();
      const child = h.labels('GET', '200');
      const exemplar = { trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' };
      return {
        run(n) {
          for (let i = 0; i < n; i++) child.observe(VALUES[i & 1023], exemplar);
        },
        text: () => h.registry.metrics(),
      };
    },
    'histogram.native-bound': () => {
      const h = new M.Histogram({
        name: 'latency_seconds',
        help: 'Latency.',
        labelNames: LABELS,
        native: true,
        registry: registry(),
      });
      const child = h.labels('GET', '200');
      return {
        run(n) {
          for (let i = 0; i < n; i++) child.observe(VALUES[i & 1023]);
        },
        text: () => h.registry.metrics(),
      };
    },
    'histogram.labels': () => {
      const h = histogram();
      return {
        run(n) {
          for (let i = 0; i < n; i++) h.labels('GET', '200').observe(VALUES[i & 1023]);
        },
        text: () => h.registry.metrics(),
      };
    },
    'summary.observe': () => {
      const s = new M.Summary({ name: 'latency_seconds', help: 'Latency.', registry: registry() });
      return {
        run(n) {
          for (let i = 0; i < n; i++) s.observe(VALUES[i & 1023]);
        },
        text: () => s.registry.metrics(),
      };
    },
    'summary.quantiles': () => {
      const s = new M.Summary({
        name: 'latency_seconds',
        help: 'Latency.',
        percentiles: [0.5, 0.9, 0.99],
        registry: registry(),
      });
      return {
        run(n) {
          for (let i = 0; i < n; i++) s.observe(VALUES[i & 1023]);
        },
        text: () => s.registry.metrics(),
      };
    },
    'timer.start-end': () => {
      const h = histogram([]);
      return {
        run(n) {
          let total = 0;
          for (let i = 0; i < n; i++) total += h.startTimer()();
          sink.value += total;
        },
        text: () => h.registry.metrics(),
      };
    },

    'scrape.counters.text': () => scrapeCounters('text'),
    'scrape.counters.openmetrics': () => scrapeCounters('openmetrics'),
    'scrape.histograms.text': () => scrapeHistograms('text'),
    'scrape.histograms.openmetrics': () => scrapeHistograms('openmetrics'),
    'scrape.counters.protobuf': () => scrapeCounters('protobuf'),
    'scrape.histograms.protobuf': () => scrapeHistograms('protobuf'),
    'scrape.default-metrics': () => {
      // Hook for issue 5: runs once lib/collectors exports collectDefaultMetrics({ registry }).
      if (typeof M.collectDefaultMetrics !== 'function') return { skip: 'collectDefaultMetrics is not exported yet' };
      const reg = registry();
      M.collectDefaultMetrics({ registry: reg });
      return { scrape: () => reg.metrics('text') };
    },

    // One registry with both scrape cases' families (the 18.5 MB body), served by our handler.
    'load.scrape': () => {
      const reg = registry();
      fillCounters(reg);
      fillHistograms(reg);
      return { handler: M.metricsHandler(reg) };
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

  /**
   * A scrape as our server sends it: the chunks of `registry.stream()`, each written to the socket
   * as it comes (no joined body, no string). prom-client's server sends `metrics()` as a string.
   */
  async function streamed(reg, format) {
    const chunks = [];
    for await (const chunk of reg.stream(format)) chunks.push(chunk);
    return chunks;
  }

  function scrapeCounters(format) {
    const reg = registry();
    fillCounters(reg);
    return { scrape: () => streamed(reg, format) };
  }

  function scrapeHistograms(format) {
    const reg = registry();
    fillHistograms(reg);
    return { scrape: () => streamed(reg, format) };
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
      registry: reg,
    });
  }

  function histogramFamily(reg, m, labelNames) {
    return new M.Histogram({
      name: `app_latency_${m}_seconds`,
      help: `Latency of kind ${m}.`,
      labelNames,
      buckets: BUCKETS,
      registry: reg,
    });
  }

  function observeThree(child, j) {
    for (let k = 0; k < 3; k++) child.observe(VALUES[(j * 3 + k) & 1023]);
  }

  /**
   * A scaling-table registry: `fill(count)` makes `count` series in families of 1000 (the scrape
   * cases' shapes and values) with the layout's fresh label values; `scrape()` renders text.
   */
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
      scrape: () => streamed(reg, 'text'),
      held: reg,
    };
  }
}
