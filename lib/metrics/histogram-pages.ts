/** The paged storage of histogram series: slots in shared Float64Array pages, given back when series go. */

/** The fewest and the most series one page of a histogram's storage holds. */
const MIN_PAGE_SERIES = 4;
const MAX_PAGE_SERIES = 256;

/**
 * One page of a histogram's storage: slots of `stride` numbers for a few series. It counts the
 * series living in it, so that the metric lets go of it when the last one is removed.
 */
class SlotPage {
  readonly numbers: Float64Array;
  /** Series of the metric whose slots are here. */
  live = 0;
  /** Slots from here on were never given out. */
  private unused = 0;
  /** Offsets of the slots that removed series gave back, to give out again. */
  private readonly released: number[] = [];
  /** Where this page is in its metric's list of pages with room, or -1. */
  roomIndex = -1;

  constructor(
    series: number,
    private readonly stride: number,
  ) {
    this.numbers = new Float64Array(series * stride);
  }

  hasRoom(): boolean {
    return this.released.length > 0 || this.unused < this.numbers.length;
  }

  /** A zeroed slot's offset. */
  take(): number {
    this.live++;
    const reused = this.released.pop();
    if (reused === undefined) {
      const offset = this.unused;
      this.unused += this.stride;
      return offset;
    }
    this.numbers.fill(0, reused, reused + this.stride);
    return reused;
  }

  giveBack(offset: number): void {
    this.live--;
    this.released.push(offset);
  }
}

/** What {@link SlotPages.place} fills in: where a series' numbers live. */
export interface SlotHolder {
  page: Float64Array;
  offset: number;
}

/**
 * A histogram's storage. The metric keeps a page only while a series of it lives there, so
 * removing the last one lets the page go, and clear() lets every page go at once by forgetting
 * them: a removed series that a user still holds keeps its old page to itself (nothing else
 * writes to a page the metric let go).
 */
export class SlotPages {
  /** The pages with live series, by their numbers (which is what a series holds). */
  private readonly pages = new Map<Float64Array, SlotPage>();
  /** The pages a new series can go to. */
  private readonly withRoom: SlotPage[] = [];
  private liveSeries = 0;

  constructor(private readonly stride: number) {}

  /** Gives `holder` a zeroed slot. */
  place(holder: SlotHolder): void {
    let page = this.withRoom[this.withRoom.length - 1];
    if (page === undefined) {
      // As many series as the metric has: capacity doubles while it grows, and stays small when it is small.
      const series = Math.min(MAX_PAGE_SERIES, Math.max(MIN_PAGE_SERIES, this.liveSeries));
      page = new SlotPage(series, this.stride);
      this.pages.set(page.numbers, page);
      page.roomIndex = this.withRoom.push(page) - 1;
    }
    holder.page = page.numbers;
    holder.offset = page.take();
    this.liveSeries++;
    if (!page.hasRoom()) {
      this.withRoom.pop();
      page.roomIndex = -1;
    }
  }

  /**
   * Takes back the slots of a removed series. Returns whether they will be given out again, so
   * that a holder of the removed series must move its numbers out first; false when the page is
   * let go with it (or the series holds no slots of a page the metric still has).
   */
  release(holder: SlotHolder): boolean {
    const page = this.pages.get(holder.page);
    if (page === undefined) return false;
    this.liveSeries--;
    if (page.live === 1) {
      // Its last series: nothing is placed there again, so the removed one may keep writing to it.
      this.forget(page);
      return false;
    }
    page.giveBack(holder.offset);
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
    this.pages.delete(page.numbers);
    const index = page.roomIndex;
    if (index < 0) return;
    const last = this.withRoom.pop()!;
    if (last !== page) {
      this.withRoom[index] = last;
      last.roomIndex = index;
    }
  }
}
