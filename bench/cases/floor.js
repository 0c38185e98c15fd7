/** The floor: what the hot paths cannot beat in JavaScript on this machine. */
import { sink } from './shared.js';

export function floorCases() {
  return {
    // A bound child's inc() at best: one add into a typed array slot.
    'floor.f64-add': () => {
      const slots = new Float64Array(4);
      return {
        run(n) {
          for (let i = 0; i < n; i++) slots[1] += 1;
          sink.value += slots[1];
        },
      };
    },
    // A label lookup at best: Map.get of a short string key (hash cached, no key to build).
    'floor.map-get': () => {
      const map = new Map();
      for (const m of ['GET', 'POST', 'PUT', 'DELETE'])
        for (const s of ['200', '404', '500']) map.set(`${m}|${s}`, { value: 0 });
      const key = 'GET|200';
      return {
        run(n) {
          let found = 0;
          for (let i = 0; i < n; i++) found += map.get(key).value;
          sink.value += found;
        },
      };
    },
    // What a labels() that builds its key per call pays: a fresh key string from two values, then
    // Map.get. The values come from an array slot picked per iteration, so the optimizing compiler
    // cannot fold the concatenation into a constant (it does with literal parts: ~20 ns, not real).
    'floor.key-build-map-get': () => {
      const map = new Map();
      for (const m of ['GET', 'POST', 'PUT', 'DELETE'])
        for (const s of ['200', '404', '500']) map.set(`method="${m}",status="${s}"`, { value: 0 });
      const sets = [
        ['GET', '200'],
        ['GET', '200'],
      ];
      const parts = ['method="', '",status="', '"'];
      return {
        run(n) {
          let found = 0;
          for (let i = 0; i < n; i++) {
            const values = sets[i & 1];
            found += map.get(parts[0] + values[0] + parts[1] + values[1] + parts[2]).value;
          }
          sink.value += found;
        },
      };
    },
    // What a labels() that walks one Map per label pays (strings' hashes are cached in them).
    'floor.nested-map-get': () => {
      const outer = new Map();
      for (const m of ['GET', 'POST', 'PUT', 'DELETE'])
        outer.set(m, new Map(['200', '404', '500'].map((s) => [s, { value: 0 }])));
      const sets = [
        ['GET', '200'],
        ['GET', '200'],
      ];
      return {
        run(n) {
          let found = 0;
          for (let i = 0; i < n; i++) {
            const values = sets[i & 1];
            found += outer.get(values[0]).get(values[1]).value;
          }
          sink.value += found;
        },
      };
    },
  };
}
