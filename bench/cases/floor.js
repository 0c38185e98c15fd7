/** The floor: what the hot paths cannot beat in JavaScript on this machine. */
import { sink } from './shared.js';

export function floorCases() {
  return {
    // A bound child's inc() at best: one add into a typed array slot.
    'floor.f64-add': () => {
      const slots = new Float64Array(4);
      return { run(n) { for (let i = 0; i < n; i++) slots[1] += 1; sink.value += slots[1]; } };
    },
    // A label lookup at best: Map.get of a short string key (hash cached, no key to build).
    'floor.map-get': () => {
      const map = new Map();
      for (const m of ['GET', 'POST', 'PUT', 'DELETE']) for (const s of ['200', '404', '500']) map.set(`${m}|${s}`, { value: 0 });
      const key = 'GET|200';
      return {
        run(n) {
          let found = 0;
          for (let i = 0; i < n; i++) found += map.get(key).value;
          sink.value += found;
        },
      };
    },
    // What labels('GET', '200') must at least do: build a fresh key from two values, then Map.get.
    'floor.key-build-map-get': () => {
      const map = new Map();
      for (const m of ['GET', 'POST', 'PUT', 'DELETE']) for (const s of ['200', '404', '500']) map.set(`method="${m}",status="${s}"`, { value: 0 });
      const values = ['GET', '200'];
      return {
        run(n) {
          let found = 0;
          for (let i = 0; i < n; i++) {
            const a = values[0];
            const b = values[1];
            found += map.get('method="' + a + '",status="' + b + '"').value;
          }
          sink.value += found;
        },
      };
    },
  };
}
