/**
 * Content negotiation: picks the exposition format from an HTTP Accept header by q-value,
 * among the media types Prometheus 2.x and 3.x send, falling back to text 0.0.4.
 */
import { CONTENT_TYPES, type ExpositionFormat } from './render.js';

/** The chosen format and the Content-Type to answer with. */
export interface Negotiated {
  readonly format: ExpositionFormat;
  readonly contentType: string;
}

interface Candidate {
  format: ExpositionFormat;
  q: number;
  /** Exact media types beat wildcards at the same q; earlier entries beat later ones. */
  specificity: number;
  position: number;
}

/** Which format a media range selects, if any; and how specific the match is. */
function match(type: string, params: Map<string, string>): { format: ExpositionFormat; specificity: number } | undefined {
  switch (type) {
    case 'application/openmetrics-text': {
      const version = params.get('version');
      // 1.0.0 and the older 0.0.1 are the versions Prometheus asks for; this body is valid for both.
      if (version === undefined || version === '1.0.0' || version === '0.0.1') return { format: 'openmetrics', specificity: 2 };
      return undefined;
    }
    case 'text/plain': {
      const version = params.get('version');
      // Prometheus 3 asks for version=1.0.0, which reads 0.0.4 bodies (our names are all legacy-valid).
      if (version === undefined || version === '0.0.4' || version === '1.0.0') return { format: 'text', specificity: 2 };
      return undefined;
    }
    case 'text/*':
      return { format: 'text', specificity: 1 };
    case '*/*':
      return { format: 'text', specificity: 0 };
    default:
      return undefined;
  }
}

/**
 * Picks the exposition format for an Accept header: the acceptable media range with the highest
 * q-value wins (exact types before wildcards, then the earliest). Anything unparsable or
 * unsupported falls back to Prometheus text 0.0.4.
 */
export function negotiate(acceptHeader: string | readonly string[] | undefined | null): Negotiated {
  const header = Array.isArray(acceptHeader) ? acceptHeader.join(',') : typeof acceptHeader === 'string' ? acceptHeader : '';
  let best: Candidate | undefined;
  header.split(',').forEach((range, position) => {
    const [rawType, ...rawParams] = range.split(';');
    const type = rawType!.trim().toLowerCase();
    if (type === '') return;
    const params = new Map<string, string>();
    for (const param of rawParams) {
      const eq = param.indexOf('=');
      if (eq < 0) continue;
      const value = param.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
      params.set(param.slice(0, eq).trim().toLowerCase(), value);
    }
    const found = match(type, params);
    if (!found) return;
    const rawQ = params.get('q');
    const q = rawQ === undefined ? 1 : Number(rawQ);
    if (!(q > 0 && q <= 1)) return; // q=0 means "not acceptable"; garbage q is ignored
    const candidate = { format: found.format, q, specificity: found.specificity, position };
    if (!best || q > best.q || (q === best.q && found.specificity > best.specificity)) best = candidate;
  });
  const format = best?.format ?? 'text';
  return { format, contentType: CONTENT_TYPES[format] };
}
