/** Whether a client accepts a gzip-compressed response, from its Accept-Encoding header. */

/**
 * True when Accept-Encoding lists `gzip` (or `x-gzip`) with a non-zero q-value, or `*` with a
 * non-zero q-value and gzip not refused by name.
 */
export function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false;
  let wildcard = false;
  for (const entry of header.split(',')) {
    const [rawCoding, ...params] = entry.split(';');
    const coding = rawCoding!.trim().toLowerCase();
    const qParam = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    const acceptable = q > 0 && q <= 1;
    if (coding === 'gzip' || coding === 'x-gzip') return acceptable;
    if (coding === '*') wildcard = acceptable;
  }
  return wildcard;
}
