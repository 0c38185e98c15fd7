/**
 * Event-loop blocks in this process, as a 1 ms interval timer sees them: every tick records when it
 * ran and how long since the previous one. A gap of g ms means the loop could not run a timer for
 * about g - 1 ms (the interval's own period): that is the block, whatever held the loop (a scrape's
 * synchronous work, a GC pause). The ticks are kept so that blocks can be attributed afterwards to
 * any window of time (a scrape's) without resetting anything at its edges.
 */
const PERIOD_MS = 1;

export function trackLoopBlocks() {
  const ends = [];
  const gaps = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    ends.push(now);
    gaps.push(now - last);
    last = now;
  }, PERIOD_MS);
  return {
    stop: () => clearInterval(timer),
    /**
     * The longest block overlapping [from, to] (performance.now() times), in ms. A block ends when
     * the tick after it runs, so the one holding a window's last piece of work ends after `to`:
     * overlap, not containment, attributes it.
     */
    maxBlockDuring(from, to) {
      let max = 0;
      for (let i = 0; i < ends.length; i++) {
        const end = ends[i];
        if (end < from) continue;
        if (end - gaps[i] > to) break;
        if (gaps[i] - PERIOD_MS > max) max = gaps[i] - PERIOD_MS;
      }
      return max;
    },
  };
}
