/**
 * The paged storage of histogram series: each page one ArrayBuffer for a few series, seen as
 * doubles (each series' sum and created time) and as 32-bit counts (each series' bucket counts,
 * kept as Int32 and read as unsigned: integer adds stay on V8's fastest path);
 * slots are given back when series go.
 */

/** The fewest and the most series one page of a histogram's storage holds. */
const MIN_PAGE_SERIES = 4;
const MAX_PAGE_SERIES = 256;

/** Doubles per series: the sum, then the created time. */
export const SERIES_FLOATS = 2;

/** Where a series' numbers are: its page's two views and its index in the page. */
export interface SeriesNumbers {
  /** The page's doubles: a series' sum at `index * SERIES_FLOATS`, its created time after it. */
  floats: Float64Array;
  /** The page's counts: a series' `buckets` counts from `index * buckets`. */
  counts: Int32Array;
  index: number;
}

/** One page's two views of one buffer, for `series` series of `buckets` counts each. */
export function pageViews(series: number, buckets: number): { floats: Float64Array; counts: Int32Array } {
  const floatBytes = series * SERIES_FLOATS * Float64Array.BYTES_PER_ELEMENT;
  const buffer = new ArrayBuffer(floatBytes + series * buckets * Int32Array.BYTES_PER_ELEMENT);
  return {
    floats: new Float64Array(buffer, 0, series * SERIES_FLOATS),
    counts: new Int32Array(buffer, floatBytes, series * buckets),
  };
}

/**
 * One page of a histogram's storage. It counts the series living in it, so that the metric lets
 * go of it when the last one is removed.
 */
class SlotPage {
  readonly floats: Float64Array;
  readonly counts: Int32Array;
  /** Series of the metric whose slots are here. */
  live = 0;
  /** Indexes from here on were never given out. */
  private unused = 0;
  /** Indexes that removed series gave back, to give out again. */
  private readonly released: number[] = [];
  /** Where this page is in its metric's list of pages with room, or -1. */
  roomIndex = -1;

  constructor(
    private readonly series: number,
    private readonly buckets: number,
  ) {
    ({ floats: this.floats, counts: this.counts } = pageViews(series, buckets));
  }

  hasRoom(): boolean {
    return this.released.length > 0 || this.unused < this.series;
  }

  /** A zeroed slot's index. */
  take(): number {
    this.live++;
    const reused = this.released.pop();
    if (reused === undefined) return this.unused++;
    this.floats.fill(0, reused * SERIES_FLOATS, (reused + 1) * SERIES_FLOATS);
    this.counts.fill(0, reused * this.buckets, (reused + 1) * this.buckets);
    return reused;
  }

  giveBack(index: number): void {
    this.live--;
    this.released.push(index);
  }
}

/**
 * A histogram's storage. The metric keeps a page only while a series of it lives there, so
 * removing the last one lets the page go, and clear() lets every page go at once by forgetting
 * them: a removed series that a user still holds keeps its old page to itself (nothing else
 * writes to a page the metric let go).
 */
export class SlotPages {
  /** The pages with live series, by their doubles view (which is what a series holds). */
  private readonly pages = new Map<Float64Array, SlotPage>();
  /** The pages a new series can go to. */
  private readonly withRoom: SlotPage[] = [];
  private liveSeries = 0;

  /** `buckets`: counts per series. */
  constructor(private readonly buckets: number) {}

  /** Gives `holder` a zeroed slot. */
  place(holder: SeriesNumbers): void {
    let page = this.withRoom[this.withRoom.length - 1];
    if (page === undefined) {
      // As many series as the metric has: capacity doubles while it grows, and stays small when it is small.
      const series = Math.min(MAX_PAGE_SERIES, Math.max(MIN_PAGE_SERIES, this.liveSeries));
      page = new SlotPage(series, this.buckets);
      this.pages.set(page.floats, page);
      page.roomIndex = this.withRoom.push(page) - 1;
    }
    holder.floats = page.floats;
    holder.counts = page.counts;
    holder.index = page.take();
    this.liveSeries++;
    if (!page.hasRoom()) {
      this.withRoom.pop();
      page.roomIndex = -1;
    }
  }

  /**
   * Takes back the slot of a removed series. Returns whether it will be given out again, so that
   * a holder of the removed series must move its numbers out first; false when the page is let
   * go with it (or the series holds no slot of a page the metric still has).
   */
  release(holder: SeriesNumbers): boolean {
    const page = this.pages.get(holder.floats);
    if (page === undefined) return false;
    this.liveSeries--;
    if (page.live === 1) {
      // Its last series: nothing is placed there again, so the removed one may keep writing to it.
      this.forget(page);
      return false;
    }
    page.giveBack(holder.index);
    if (page.roomIndex < 0) page.roomIndex = this.withRoom.push(page) - 1;
    return true;
  }

  /** Lets go of every page, for clear(): the series in them are all gone. */
  releaseAll(): void {
    this.pages.clear();
    this.withRoom.length = 0;
    this.liveSeries = 0;
  }

  private forget(page: SlotPage): void {
    this.pages.delete(page.floats);
    const index = page.roomIndex;
    if (index < 0) return;
    const last = this.withRoom.pop()!;
    if (last !== page) {
      this.withRoom[index] = last;
      last.roomIndex = index;
    }
  }
}
