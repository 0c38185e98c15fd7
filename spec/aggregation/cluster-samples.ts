/**
 * Reading the primary's text exposition in cluster.spec: each sample's value by its name and
 * labels. Enough for the families the spec looks at (simple label values); the real parsers
 * (prometheus_client, Prometheus itself) check the same bodies separately.
 */

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/;
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The key of a sample in {@link readSamples}: its name and its labels sorted by name. */
export function sampleKey(name: string, labels: Readonly<Record<string, string>> = {}): string {
  const pairs = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${labels[k]}"`);
  return pairs.length === 0 ? name : `${name}{${pairs.join(',')}}`;
}

/** Every sample of a text-format body, by {@link sampleKey}. */
export function readSamples(body: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of body.split('\n')) {
    const match = SAMPLE_LINE.exec(line);
    if (match === null) continue;
    const labels: Record<string, string> = {};
    for (const [, name, value] of (match[2] ?? '').matchAll(LABEL_PAIR)) labels[name!] = value!;
    samples.set(sampleKey(match[1]!, labels), Number(match[3]));
  }
  return samples;
}

/** One sample's value; a failure naming it when the body does not have it. */
export function sampleValue(
  samples: ReadonlyMap<string, number>,
  name: string,
  labels?: Record<string, string>,
): number {
  const key = sampleKey(name, labels);
  const value = samples.get(key);
  if (value === undefined) throw new Error(`no sample ${key} in the scrape`);
  return value;
}
