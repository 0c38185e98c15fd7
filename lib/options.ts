/**
 * The one check of every options object in the public API: metric constructors, the registry, the
 * server, collectDefaultMetrics and the decorators. An unknown key is a TypeError naming the call,
 * the key and the known keys, with a hint where one helps, because an ignored option fails
 * silently: prom-client's `registers: [r]` would land in the default registry, a typo such as
 * `bucket` would give the default buckets, `basicauth` would leave the endpoint open.
 */
import { show } from './validation.js';

/** What a call site adds to the shared hints. */
export interface OptionHints {
  /** Options of other calls, by key, with the call they belong to (`buckets: 'Histogram'`). */
  readonly elsewhere?: Readonly<Record<string, string>>;
  /** Hints for this call only, by unknown key; they win over the shared ones. */
  readonly hints?: Readonly<Record<string, string>>;
}

/** A hint that points to one option: given only where that option exists. */
interface PointingHint {
  readonly to: string;
  readonly text: string;
}

/** Other clients' names (prom-client, Python's client) for options that exist here under another name. */
const RENAMED: Readonly<Record<string, PointingHint>> = {
  registers: {
    to: 'registry',
    text: `prom-client's "registers" is called "registry" here: one Registry, or null for none`,
  },
  register: { to: 'registry', text: `prom-client's "register" is called "registry" here` },
  documentation: { to: 'help', text: `Python's "documentation" is called "help" here` },
  labels: { to: 'labelNames', text: 'did you mean "labelNames"?' },
  quantiles: { to: 'percentiles', text: 'did you mean "percentiles"?' },
  addr: { to: 'host', text: `Python's "addr" is called "host" here` },
  certfile: { to: 'tls', text: 'give the certificate as tls: { cert, key }' },
  keyfile: { to: 'tls', text: 'give the certificate as tls: { cert, key }' },
};

/**
 * Options of prom-client's and Python's metrics that have no counterpart here, and what to do
 * instead: the metric constructors pass them as their call-site hints.
 */
export const METRIC_HINTS: Readonly<Record<string, string>> = {
  collect: 'a metric takes no collect callback: use setFunction() (Gauge) or registry.registerCollector()',
  aggregator: `prom-client's "aggregator" has no counterpart: there is no cluster aggregation here`,
  enableExemplars: 'exemplars are not supported',
  multiprocess_mode: `Python's "multiprocess_mode" has no counterpart: there is no multi-process mode`,
};

/**
 * Throws unless `options` is an object whose own keys are all in `known`. A key present with the
 * value `undefined` counts as given: `{ bucket: undefined }` is still a typo.
 *
 * @param where - names the call in the message: `exposeMetrics`, `Counter requests`, `@Timed(latency)`.
 */
export function checkOptions(
  where: string,
  options: unknown,
  known: readonly string[],
  more: OptionHints = {},
): asserts options is Record<string, unknown> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${where}: options must be an object, got ${show(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const hint = hintFor(key, known, more);
    const list = known.length > 0 ? `the options are ${known.join(', ')}` : 'it takes no options';
    throw new TypeError(`${where}: unknown option ${show(key)}${hint === undefined ? '' : ` (${hint})`}; ${list}`);
  }
}

function hintFor(key: string, known: readonly string[], more: OptionHints): string | undefined {
  const { elsewhere = {}, hints = {} } = more;
  if (Object.hasOwn(hints, key)) return hints[key];
  const belongsTo = (option: string): string | undefined =>
    Object.hasOwn(elsewhere, option) ? `"${option}" is an option of ${elsewhere[option]} only` : undefined;
  if (Object.hasOwn(RENAMED, key)) {
    const { to, text } = RENAMED[key]!;
    if (known.includes(to)) return text;
    const other = belongsTo(to);
    if (other !== undefined) return other;
  }
  const exact = belongsTo(key);
  if (exact !== undefined) return exact;
  const near = nearest(key, known);
  if (near !== undefined) return `did you mean ${show(near)}?`;
  // A typo of a name the call site has a hint for (`lableNames` where label names are an argument).
  const nearHinted = nearest(key, Object.keys(hints));
  if (nearHinted !== undefined) return `did you mean ${show(nearHinted)}? ${hints[nearHinted]}`;
  const nearElsewhere = nearest(key, Object.keys(elsewhere));
  return nearElsewhere === undefined ? undefined : belongsTo(nearElsewhere);
}

/**
 * The candidate a typo most likely meant: case ignored, at most 2 edits away (1 for names of up to
 * 4 characters, where 2 edits reach unrelated words), a swap of two neighbours counting as one.
 */
function nearest(key: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const limit = Math.min(key.length, candidate.length) <= 4 ? 1 : 2;
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, d[(i - 2) * cols + j - 2]! + 1);
      }
      d[i * cols + j] = value;
    }
  }
  return d[rows * cols - 1]!;
}
