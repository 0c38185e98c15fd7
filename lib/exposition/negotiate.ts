/**
 * Content negotiation: picks the exposition format, its version and the name escaping scheme from
 * an HTTP Accept header by q-value, among the media types Prometheus 2.x and 3.x send, falling
 * back to text 0.0.4 (prometheus/docs, "Scrape protocol content negotiation").
 */
import { ESCAPING_SCHEMES, type EscapingScheme } from './names.js';
import { CONTENT_TYPES, type ExpositionFormat } from './render.js';

/** Every format negotiation can choose; a caller offers those it can write. */
export type NegotiableFormat = 'text' | 'openmetrics' | 'protobuf';

/**
 * The chosen format, how names outside the legacy character set are to be written, and the
 * Content-Type to answer with.
 */
export interface Negotiated<F extends NegotiableFormat = NegotiableFormat> {
  readonly format: F;
  readonly escaping: EscapingScheme;
  readonly contentType: string;
}

/** An Accept header as Node gives it: absent, one line, or several. */
type AcceptHeader = string | readonly string[] | undefined | null;

const NEGOTIABLE_FORMATS: readonly NegotiableFormat[] = ['text', 'openmetrics', 'protobuf'];

const PROTOBUF_MEDIA_TYPE = 'application/vnd.google.protobuf';
const METRIC_FAMILY_PROTO = 'io.prometheus.client.MetricFamily';

/**
 * The Content-Type for a body in `format` whose names are escaped with `escaping`.
 *
 * Text 0.0.4 has no UTF-8 names, so its Content-Type is the classic one without an `escaping`
 * parameter and it only takes `underscores`. Every other answer names its escaping, as the 1.0.0
 * formats must and as client_golang does for all of its answers. Without `version`, text is
 * 0.0.4 under `underscores` and 1.0.0 otherwise (the oldest version that can say which escaping
 * was used); OpenMetrics is 1.0.0. Protobuf has no version.
 *
 * @param format `'text'`, `'openmetrics'` or `'protobuf'`.
 * @param escaping one of {@link ESCAPING_SCHEMES}; default `'underscores'`.
 * @param version text: `'0.0.4'` or `'1.0.0'`; OpenMetrics: `'0.0.1'` or `'1.0.0'`.
 * @throws TypeError for an unknown format; RangeError for an unknown escaping scheme or version, or a
 *   version that cannot carry the escaping scheme.
 */
export function contentTypeFor(
  format: NegotiableFormat,
  escaping: EscapingScheme = 'underscores',
  version?: string,
): string {
  if (!ESCAPING_SCHEMES.includes(escaping)) {
    const schemes = ESCAPING_SCHEMES.join(', ');
    throw new RangeError(`contentTypeFor: escaping must be one of ${schemes}, got ${JSON.stringify(escaping)}`);
  }
  const legacyOnly = (v: string): void => {
    if (escaping === 'underscores') return;
    const why = `${format} ${v} has no UTF-8 names, so only "underscores" escaping`;
    throw new RangeError(`contentTypeFor: ${why}, got ${JSON.stringify(escaping)}`);
  };
  switch (format) {
    case 'text': {
      const v = version ?? (escaping === 'underscores' ? '0.0.4' : '1.0.0');
      if (v === '0.0.4') {
        legacyOnly(v);
        return 'text/plain; version=0.0.4; charset=utf-8';
      }
      if (v === '1.0.0') return `text/plain; version=1.0.0; charset=utf-8; escaping=${escaping}`;
      break;
    }
    case 'openmetrics': {
      const v = version ?? '1.0.0';
      if (v === '0.0.1') legacyOnly(v);
      if (v === '0.0.1' || v === '1.0.0') {
        return `application/openmetrics-text; version=${v}; charset=utf-8; escaping=${escaping}`;
      }
      break;
    }
    case 'protobuf':
      if (version === undefined) {
        return `${PROTOBUF_MEDIA_TYPE}; proto=${METRIC_FAMILY_PROTO}; encoding=delimited; escaping=${escaping}`;
      }
      break;
    default: {
      const formats = NEGOTIABLE_FORMATS.join(', ');
      throw new TypeError(`contentTypeFor: format must be one of ${formats}, got ${JSON.stringify(format)}`);
    }
  }
  throw new RangeError(`contentTypeFor: ${format} has no version ${JSON.stringify(version)}`);
}

/** The escaping a range asks for: its `escaping` parameter, or `underscores` when absent or unknown. */
function askedEscaping(params: ReadonlyMap<string, string>): EscapingScheme {
  const asked = params.get('escaping');
  return ESCAPING_SCHEMES.find((scheme) => scheme === asked) ?? 'underscores';
}

interface Match {
  format: NegotiableFormat;
  escaping: EscapingScheme;
  contentType: string;
  /** Exact media types beat wildcards at the same q. */
  specificity: number;
}

type Answer = Omit<Match, 'specificity'>;

const TEXT_0_0_4: Answer = { format: 'text', escaping: 'underscores', contentType: contentTypeFor('text') };

/** What a media range selects, if any, among the offered formats. */
function match(
  type: string,
  params: ReadonlyMap<string, string>,
  offered: readonly NegotiableFormat[],
): Match | undefined {
  switch (type) {
    case 'text/plain': {
      if (!offered.includes('text')) return undefined;
      const version = params.get('version');
      if (version === undefined || version === '0.0.4') return { ...TEXT_0_0_4, specificity: 2 };
      if (version !== '1.0.0') return undefined;
      const escaping = askedEscaping(params);
      return { format: 'text', escaping, contentType: contentTypeFor('text', escaping, '1.0.0'), specificity: 2 };
    }
    case 'application/openmetrics-text': {
      if (!offered.includes('openmetrics')) return undefined;
      // No version means 0.0.1, as client_golang reads it. 0.0.1 has no UTF-8 names; the answer names
      // the version asked for (the body is valid for both) and, like client_golang's, the escaping used.
      const version = params.get('version') ?? '0.0.1';
      if (version !== '0.0.1' && version !== '1.0.0') return undefined;
      const escaping = version === '1.0.0' ? askedEscaping(params) : 'underscores';
      const contentType = contentTypeFor('openmetrics', escaping, version);
      return { format: 'openmetrics', escaping, contentType, specificity: 2 };
    }
    case PROTOBUF_MEDIA_TYPE: {
      // Only the delimited MetricFamily stream is written; other encodings (text, compact-text) do not match.
      if (!offered.includes('protobuf')) return undefined;
      if (params.get('proto') !== METRIC_FAMILY_PROTO || params.get('encoding') !== 'delimited') return undefined;
      const escaping = askedEscaping(params);
      return { format: 'protobuf', escaping, contentType: contentTypeFor('protobuf', escaping), specificity: 2 };
    }
    case 'text/*':
      return offered.includes('text') ? { ...TEXT_0_0_4, specificity: 1 } : undefined;
    case '*/*':
      return { ...fallback(offered), specificity: 0 };
    default:
      return undefined;
  }
}

/** Text 0.0.4 when offered (the last resort the negotiation docs name), else the first offered format. */
function fallback(offered: readonly NegotiableFormat[]): Answer {
  if (offered.includes('text')) return TEXT_0_0_4;
  const format = offered[0]!;
  return { format, escaping: 'underscores', contentType: contentTypeFor(format) };
}

/** The formats the renderer can write (one Content-Type each): what is offered unless told otherwise. */
const RENDERABLE_FORMATS: readonly ExpositionFormat[] = Object.freeze(Object.keys(CONTENT_TYPES) as ExpositionFormat[]);

function checkOffered(formats: unknown): readonly NegotiableFormat[] {
  if (!Array.isArray(formats) || formats.length === 0 || !formats.every((f) => NEGOTIABLE_FORMATS.includes(f))) {
    const shown = Array.isArray(formats) ? JSON.stringify(formats) : String(formats);
    const known = NEGOTIABLE_FORMATS.join(', ');
    throw new TypeError(`negotiate: formats must be a non-empty array of ${known}, got ${shown}`);
  }
  return formats as readonly NegotiableFormat[];
}

/**
 * Picks the exposition format for an Accept header: the acceptable media range with the highest
 * q-value wins (exact types before wildcards, then the earliest). `text/plain;version=1.0.0`,
 * `application/openmetrics-text;version=1.0.0` and protobuf take an `escaping` parameter
 * (`allow-utf-8`, `underscores`, `dots`, `values`; absent or unknown means `underscores`); text 0.0.4
 * and OpenMetrics 0.0.1 always get `underscores`. Anything unparsable or unsupported falls back to
 * Prometheus text 0.0.4.
 *
 * @param acceptHeader the Accept header, as Node gives it (several lines are joined).
 * @param formats the formats the caller can write; default: those the renderer writes.
 * @throws TypeError when `formats` is not a non-empty array of known formats.
 */
export function negotiate(acceptHeader: AcceptHeader): Negotiated<ExpositionFormat>;
export function negotiate<F extends NegotiableFormat>(acceptHeader: AcceptHeader, formats: readonly F[]): Negotiated<F>;
export function negotiate(acceptHeader: AcceptHeader, formats?: readonly NegotiableFormat[]): Negotiated {
  const offered = formats === undefined ? RENDERABLE_FORMATS : checkOffered(formats);
  const header =
    Array.isArray(acceptHeader) ? acceptHeader.join(',') : typeof acceptHeader === 'string' ? acceptHeader : '';
  let best: (Match & { q: number }) | undefined;
  for (const range of header.split(',')) {
    const [rawType, ...rawParams] = range.split(';');
    const type = rawType!.trim().toLowerCase();
    if (type === '') continue;
    const params = new Map<string, string>();
    for (const param of rawParams) {
      const eq = param.indexOf('=');
      if (eq < 0) continue;
      const value = param.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
      params.set(param.slice(0, eq).trim().toLowerCase(), value);
    }
    const found = match(type, params, offered);
    if (!found) continue;
    const rawQ = params.get('q');
    const q = rawQ === undefined ? 1 : Number(rawQ);
    if (!(q > 0 && q <= 1)) continue; // q=0 means "not acceptable"; garbage q is ignored
    // Strictly better only: at equal q and specificity the earlier range stays.
    if (!best || q > best.q || (q === best.q && found.specificity > best.specificity)) best = { ...found, q };
  }
  const chosen = best ?? fallback(offered);
  return { format: chosen.format, escaping: chosen.escaping, contentType: chosen.contentType };
}
