/**
 * Quantiles over a sliding time window: a ring of `ageBuckets` sketches, each covering
 * `maxAgeSeconds / ageBuckets`. Observations go into the newest; the oldest is cleared and
 * reused when its time is up; a query merges them all. So the window covers between
 * (ageBuckets - 1) / ageBuckets of maxAge and all of it, and memory is ageBuckets sketches.
 */
import { coarseClock, refreshCoarseClock, startCoarseClock, wallSeconds } from '../instrument/clock.js';
import { QuantileSketch, mergedQuantiles, type SketchData, type SketchMapping } from './quantile-sketch.js';

/** One slice of a window as data: its observations and when (ms since the epoch) it leaves the window. */
export interface WindowSlice {
  readonly expiresAt: number;
  readonly sketch: SketchData;
}

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

  /** The window's non-empty slices as data, each with the wall-clock time it is dropped at. */
  slices(): WindowSlice[] {
    const now = refreshCoarseClock();
    if (now >= this.rotateAt) this.rotate(now);
    const wallOffset = wallSeconds() * 1000 - now;
    const n = this.sketches.length;
    const slices: WindowSlice[] = [];
    // The slice after the current one is the oldest: it is reused at rotateAt, the next one a slice later.
    for (let k = 1; k <= n; k++) {
      const sketch = this.sketches[(this.current + k) % n]!;
      if (sketch.count === 0) continue;
      slices.push({ expiresAt: wallOffset + this.rotateAt + (k - 1) * this.sliceMs, sketch: sketch.toData() });
    }
    return slices;
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
