/**
 * The @Timed cases, over prometric only: the bare method, a hand-written performance.now()
 * wrapper into a bound child, and @Timed (a real decorated class method, bench/timed-service.ts).
 */
import { BUCKETS, sink } from './shared.js';

export async function timedCases(M, variant) {
  const { makeSyncService, makeAsyncService } = await import('../.out/timed-service.js');
  const histogram = () =>
    new M.Histogram({
      name: 'handle_seconds',
      help: 'Handler latency.',
      labelNames: ['method', 'status'],
      buckets: BUCKETS,
      registry: new M.Registry(),
    });
  return {
    'timed.sync': () => {
      const h = histogram();
      const service = makeSyncService(variant, h);
      return {
        run(n) {
          let total = 0;
          for (let i = 0; i < n; i++) total += service.handle(i);
          sink.value += total;
        },
        text: () => h.registry.metrics(),
      };
    },
    'timed.async': () => {
      const h = histogram();
      const service = makeAsyncService(variant, h);
      return {
        async run(n) {
          let total = 0;
          for (let i = 0; i < n; i++) total += await service.handle(i);
          sink.value += total;
        },
        text: () => h.registry.metrics(),
      };
    },
  };
}
