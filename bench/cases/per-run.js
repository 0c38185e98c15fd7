/**
 * The single-process baseline of the cluster row "one bound inc per synchronous run": the same loop
 * (bench/cluster/loops.js) on a bound child in a registry of its own, nothing aggregating.
 */
import { incPerRun } from '../cluster/loops.js';

export function perRunCases(M, lib) {
  const counter = () => {
    if (lib === 'prometric') {
      const registry = new M.Registry();
      const c = new M.Counter({ name: 'requests', help: 'Requests.', labelNames: ['method', 'status'], registry });
      return { child: c.labels('GET', '200'), registry };
    }
    const registry = new M.Registry();
    const c = new M.Counter({
      name: 'requests',
      help: 'Requests.',
      labelNames: ['method', 'status'],
      registers: [registry],
    });
    return { child: c.labels('GET', '200'), registry };
  };
  return {
    'counter.bound-per-run': () => {
      const { child, registry } = counter();
      return { run: incPerRun(child), text: () => registry.metrics() };
    },
  };
}
