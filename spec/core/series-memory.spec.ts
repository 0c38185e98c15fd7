/**
 * Memory per series (issue 14): a child object, its index entry and its numbers, with no label
 * set, no boxed number and no Map of its own when a label is unique to it. Measured in a process
 * of its own; the bounds leave room for the runtime (about 133 B and 155 B per counter series,
 * 227 B and 250 B per histogram series, in layouts A and B, on Node 20 x64), and the series cost
 * more before the change (counters 213 B and 417 B, histograms 322 B and 529 B).
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD_SCRIPT = fileURLToPath(new URL('./series-memory-child.js', import.meta.url));
const SERIES = 50_000;

function measure(kind: 'counter' | 'histogram', layout: 'A' | 'B'): Promise<number> {
  return new Promise((resolve, reject) => {
    const args = ['--expose-gc', CHILD_SCRIPT, kind, layout, String(SERIES)];
    execFile(process.execPath, args, { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve((JSON.parse(stdout.trim()) as { bytesPerSeries: number }).bytesPerSeries);
    });
  });
}

describe('memory per series (2 labels, fresh label value strings)', function () {
  this.timeout(60_000);
  const bounds = [
    ['counter', 'A', 170, '4 methods x routes'],
    ['counter', 'B', 200, 'two values unique to each series'],
    ['histogram', 'A', 280, '4 methods x routes, 11 buckets'],
    ['histogram', 'B', 310, 'two values unique to each series, 11 buckets'],
  ] as const;
  for (const [kind, layout, bound, what] of bounds) {
    it(`${kind}, layout ${layout} (${what}): at most ${bound} B per series`, async () => {
      const bytes = await measure(kind, layout);
      expect(bytes, `${bytes.toFixed(1)} B per ${kind} series`).to.be.at.most(bound);
    });
  }
});
