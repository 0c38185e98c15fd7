/**
 * What a push sends: the registry's snapshot in the protobuf delimited format, without created
 * timestamps. A group on the gateway is rewritten by every push, so the time a series was created
 * in one run of a batch job says nothing to Prometheus (Python's client leaves `_created` out of
 * pushes too, through its text format's option).
 */
import { ColumnFamily } from '../column-family.js';
import { renderExpositionBytes } from '../exposition/render.js';
import { HistogramFamily } from '../histogram-family.js';
import type { Registry } from '../registry.js';
import type { MetricFamily } from '../snapshot.js';

/** Types whose `_created` sample is a created timestamp (in a gauge or unknown family it is just a name). */
const WITH_CREATED = new Set(['counter', 'histogram', 'summary']);

/**
 * The family without its created timestamps; the family itself when it has none. The registry's
 * own setting (`created`) is left as it is: its scrapes still show them.
 */
export function withoutCreated(family: MetricFamily): MetricFamily {
  const { name, help, type, unit } = family;
  if (family.columns !== undefined && (type === 'counter' || type === 'gauge')) {
    if (family.columns.created === undefined) return family;
    const { created: _, ...columns } = family.columns;
    return new ColumnFamily(name, help, type, unit, columns);
  }
  if (family.histogram !== undefined) {
    const { rows } = family.histogram;
    if (rows.every((row) => row.created === undefined)) return family;
    const bare = rows.map((row) => (row.created === undefined ? row : { ...row, created: undefined }));
    return new HistogramFamily(name, help, unit, { ...family.histogram, rows: bare });
  }
  if (!WITH_CREATED.has(type)) return family;
  const createdName = `${name}_created`;
  if (!family.samples.some((sample) => sample.name === createdName)) return family;
  return { name, help, type, unit, samples: family.samples.filter((sample) => sample.name !== createdName) };
}

/**
 * Collects `registry` (its collectors get `timeoutMs`) and renders the body of a push.
 *
 * @throws CollectionError or CollectionTimeoutError from the collection, before anything is sent.
 */
export async function pushBody(registry: Registry, timeoutMs: number): Promise<Buffer> {
  const families = await registry.collect({ timeoutMs });
  return renderExpositionBytes(families.map(withoutCreated), 'protobuf');
}
