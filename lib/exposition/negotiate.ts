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
  return asked !== undefined && (ESCAPING_SCHEMES as readonly string[]).includes(asked)
    ? (asked as EscapingScheme)
    : 'underscores';
}

/** Every possible answer, built once: negotiating allocates nothing for its result. */
function answer(format: NegotiableFormat, escaping: EscapingScheme, version?: string): Negotiated {
  return Object.freeze({ format, escaping, contentType: contentTypeFor(format, escaping, version) });
}

function answerPerScheme(format: NegotiableFormat, version?: string): Readonly<Record<EscapingScheme, Negotiated>> {
  const answers = {} as Record<EscapingScheme, Negotiated>;
  for (const scheme of ESCAPING_SCHEMES) answers[scheme] = answer(format, scheme, version);
  return answers;
}

const TEXT_0_0_4 = answer('text', 'underscores', '0.0.4');
const TEXT_1_0_0 = answerPerScheme('text', '1.0.0');
const OPENMETRICS_0_0_1 = answer('openmetrics', 'underscores', '0.0.1');
const OPENMETRICS_1_0_0 = answerPerScheme('openmetrics', '1.0.0');
const PROTOBUF = answerPerScheme('protobuf');

/** Exact media types beat wildcards at the same q. */
function specificity(type: string): number {
  return type === '*/*' ? 0 : type === 'text/*' ? 1 : 2;
}

/** What a media range selects, if any, among the offered formats. */
function match(
  type: string,
  params: ReadonlyMap<string, string>,
  offered: readonly NegotiableFormat[],
): Negotiated | undefined {
  switch (type) {
    case 'text/plain': {
      if (!offered.includes('text')) return undefined;
      const version = params.get('version');
      if (version === undefined || version === '0.0.4') return TEXT_0_0_4;
      return version === '1.0.0' ? TEXT_1_0_0[askedEscaping(params)] : undefined;
    }
    case 'application/openmetrics-text': {
      if (!offered.includes('openmetrics')) return undefined;
      // No version means 0.0.1, as client_golang reads it. 0.0.1 has no UTF-8 names; the answer names
      // the version asked for (the body is valid for both) and, like client_golang's, the escaping used.
      const version = params.get('version');
      if (version === undefined || version === '0.0.1') return OPENMETRICS_0_0_1;
      return version === '1.0.0' ? OPENMETRICS_1_0_0[askedEscaping(params)] : undefined;
    }
    case PROTOBUF_MEDIA_TYPE:
      // Only the delimited MetricFamily stream is written; other encodings (text, compact-text) do not match.
      if (!offered.includes('protobuf')) return undefined;
      if (params.get('proto') !== METRIC_FAMILY_PROTO || params.get('encoding') !== 'delimited') return undefined;
      return PROTOBUF[askedEscaping(params)];
    case 'text/*':
      return offered.includes('text') ? TEXT_0_0_4 : undefined;
    case '*/*':
      return fallback(offered);
    default:
      return undefined;
  }
}

/** Text 0.0.4 when offered (the last resort the negotiation docs name), else the first offered format. */
function fallback(offered: readonly NegotiableFormat[]): Negotiated {
  if (offered.includes('text')) return TEXT_0_0_4;
  return offered[0] === 'openmetrics' ? OPENMETRICS_1_0_0.underscores : PROTOBUF.underscores;
}

/** The formats the renderer can write (one Content-Type each): what is offered unless told otherwise. */
const RENDERABLE_FORMATS = Object.freeze(Object.keys(CONTENT_TYPES) as ExpositionFormat[]);

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
  const header = Array.isArray(acceptHeader)
    ? acceptHeader.join(',')
    : typeof acceptHeader === 'string'
      ? acceptHeader
      : '';
  let best: Negotiated | undefined;
  let bestQ = 0;
  let bestSpecificity = 0;
  for (const range of header.split(',')) {
    const [rawType, ...rawParams] = range.split(';');
    const type = rawType!.trim().toLowerCase();
    if (type === '') continue;
    const params = new Map<string, string>();
    for (const param of rawParams) {
      const eq = param.indexOf('=');
      if (eq < 0) continue;
      const value = param
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1');
      params.set(param.slice(0, eq).trim().toLowerCase(), value);
    }
    const found = match(type, params, offered);
    if (!found) continue;
    const rawQ = params.get('q');
    const q = rawQ === undefined ? 1 : Number(rawQ);
    if (!(q > 0 && q <= 1)) continue; // q=0 means "not acceptable"; garbage q is ignored
    // Strictly better only: at equal q and specificity the earlier range stays.
    const rank = specificity(type);
    if (!best || q > bestQ || (q === bestQ && rank > bestSpecificity)) {
      best = found;
      bestQ = q;
      bestSpecificity = rank;
    }
  }
  return best ?? fallback(offered);
}
