/** Numbers kept per series slot outside the child objects (a counter's created time), in Float64Array pages. */

const PAGE_BITS = 8;
/** Slots per page once a metric has more than one page's worth. */
const PAGE_SLOTS = 1 << PAGE_BITS;
const FIRST_PAGE_SLOTS = 4;

/**
 * One number per slot, 8 bytes each, where a double in an object field costs a pointer and a
 * 16-byte box. The first page grows with the metric (a metric of one series keeps four numbers),
 * later pages hold {@link PAGE_SLOTS} each. A slot never written reads 0.
 */
export class SlotNumbers {
  #pages: Float64Array[] = [];

  get(slot: number): number {
    const page = this.#pages[slot >>> PAGE_BITS];
    return page === undefined ? 0 : (page[slot & (PAGE_SLOTS - 1)] ?? 0);
  }

  set(slot: number, value: number): void {
    const index = slot >>> PAGE_BITS;
    const offset = slot & (PAGE_SLOTS - 1);
    let page = this.#pages[index];
    if (page === undefined || offset >= page.length) page = this.#grow(index, offset);
    page[offset] = value;
  }

  /** Forgets every number (for a metric's clear()). */
  clear(): void {
    this.#pages = [];
  }

  #grow(index: number, offset: number): Float64Array {
    while (this.#pages.length < index) this.#pages.push(new Float64Array(PAGE_SLOTS));
    const old = this.#pages[index];
    let size = index === 0 ? Math.max(FIRST_PAGE_SLOTS, old?.length ?? 0) : PAGE_SLOTS;
    while (size <= offset) size *= 2;
    const page = new Float64Array(Math.min(size, PAGE_SLOTS));
    if (old !== undefined) page.set(old);
    this.#pages[index] = page;
    return page;
  }
}
