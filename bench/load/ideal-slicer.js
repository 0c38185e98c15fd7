/**
 * The reference for the scrape-under-load row's /ping ratio: the same client and /ping endpoint as
 * `load.scrape`, but the "scrape" is pure CPU work cut into perfect slices of `budgetMs` (a busy
 * loop, then setImmediate) for as long as one of our scrapes takes, answered with a tiny body. No
 * rendering, no socket writes, no GC: what the measurement itself gives a perfectly sliced scrape on
 * this machine, to read the library's ratio against.
 *
 *   node bench/load/ideal-slicer.js [budgetMs=2] [scrapeMs=90]
 */
import { runLoadCase } from './server.js';

const budgetMs = Number(process.argv[2] ?? 2);
const scrapeMs = Number(process.argv[3] ?? 90);
// The client counts `}` per body as sample lines; this body has one, and the case expects that many.
const sizes = {
  counterMetrics: 1,
  counterSeries: 1,
  histogramMetrics: 0,
  histogramSeries: 0,
  load: { pingEveryMs: 2, baselineMs: 2000, warmupScrapes: 1, scrapes: 10 },
};

function slicedWork(_req, res) {
  const end = performance.now() + scrapeMs;
  const slice = () => {
    const until = performance.now() + budgetMs;
    while (performance.now() < until);
    if (performance.now() < end) setImmediate(slice);
    else res.end('ideal_total{slice="done"} 1\n');
  };
  slice();
}

const r = await runLoadCase(slicedWork, sizes);
const ms = (v) => `${v.toFixed(2)} ms`;
console.log(
  `slices of ${budgetMs} ms for ${scrapeMs} ms: max block median ${ms(r.value)}, worst ${ms(r.worstBlockMs)}; ` +
    `/ping p99 outside ${ms(r.pingP99OutsideMs)}, during ${ms(r.pingP99DuringMs)}: ${r.p99Ratio.toFixed(1)}x`,
);
