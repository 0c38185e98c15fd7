/**
 * Quantiles over a sliding time window: a ring of `ageBuckets` sketches, each covering
 * `maxAgeSeconds / ageBuckets`. Observations go into the newest; the oldest is cleared and
 * reused when its time is up; a query merges them all. So the window covers between
 * (ageBuckets - 1) / ageBuckets of maxAge and all of it, and memory is ageBuckets sketches.
 */
import { coarseClock, refreshCoarseClock, startCoarseClock } from '../instrument/clock.js';
import { QuantileSketch, mergedQuantiles, type SketchMapping } from './quantile-sketch.js';

export class QuantileWindow {
  private readonly sketches: QuantileSketch[];
  private current = 0;
  private rotateAt: number;
  private readonly sliceMs: number;

  constructor(
    private readonly mapping: SketchMapping,
    maxAgeSeconds: number,
    ageBuckets: number,
  ) {
    this.sketches = Array.from({ length: ageBuckets }, () => new QuantileSketch(mapping));
    this.sliceMs = (maxAgeSeconds * 1000) / ageBuckets;
    startCoarseClock();
    this.rotateAt = coarseClock.now + this.sliceMs;
  }

  add(value: number): void {
    if (coarseClock.now >= this.rotateAt) this.rotate(coarseClock.now);
    this.sketches[this.current]!.add(value);
  }

  /** Quantiles over the window as of now. */
  quantiles(quantiles: readonly number[]): number[] {
    const now = refreshCoarseClock();
    if (now >= this.rotateAt) this.rotate(now);
    return mergedQuantiles(this.mapping, this.sketches, quantiles);
  }

  clear(): void {
    for (const s of this.sketches) s.clear();
  }

  /** Moves on by as many slices as have passed, clearing each sketch that is reused. */
  private rotate(now: number): void {
    const passed = Math.floor((now - this.rotateAt) / this.sliceMs) + 1;
    const steps = Math.min(passed, this.sketches.length);
    for (let i = 0; i < steps; i++) {
      this.current = (this.current + 1) % this.sketches.length;
      this.sketches[this.current]!.clear();
    }
    this.rotateAt += passed * this.sliceMs;
  }
}
