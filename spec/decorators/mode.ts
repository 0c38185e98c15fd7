/** Which decorator mode this copy of the decorator specs was compiled in (it is compiled twice). */
export const MODE: 'legacy' | 'standard' = import.meta.url.includes('/build/legacy/') ? 'legacy' : 'standard';
