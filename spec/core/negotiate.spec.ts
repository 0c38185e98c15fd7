import { expect } from 'chai';
import {
  CONTENT_TYPES,
  contentTypeFor,
  ESCAPING_SCHEMES,
  negotiate,
  type EscapingScheme,
  type NegotiableFormat,
  type Negotiated,
} from '../../lib/index.js';

const ALL: readonly NegotiableFormat[] = ['text', 'openmetrics', 'protobuf'];

const TEXT_0_0_4: Negotiated = {
  format: 'text',
  escaping: 'underscores',
  contentType: 'text/plain; version=0.0.4; charset=utf-8',
};
const OPENMETRICS_0_0_1: Negotiated = {
  format: 'openmetrics',
  escaping: 'underscores',
  contentType: 'application/openmetrics-text; version=0.0.1; charset=utf-8; escaping=underscores',
};
const text1 = (escaping: EscapingScheme): Negotiated => ({
  format: 'text',
  escaping,
  contentType: `text/plain; version=1.0.0; charset=utf-8; escaping=${escaping}`,
});
const openMetrics1 = (escaping: EscapingScheme): Negotiated => ({
  format: 'openmetrics',
  escaping,
  contentType: `application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=${escaping}`,
});
const protobuf = (escaping: EscapingScheme): Negotiated => ({
  format: 'protobuf',
  escaping,
  contentType:
    `application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited; ` +
    `escaping=${escaping}`,
});

/** The media range Prometheus sends for protobuf. */
const PROTO = 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited';

/**
 * The Accept headers Prometheus sends, verbatim (one media range a line): 2.42 from TOOLCHAIN.md
 * (scrape/scrape.go at v2.42.0); 3.x as scrape.go's acceptHeader() builds them from config.go's
 * protocol lists (3.4 on: `escaping` only on the 1.0.0 text formats; 3.0 to 3.3: on every range
 * when names are UTF-8, and twice on text 1.0.0, whose entry already carried it).
 */
const PROMETHEUS: Record<string, [string[], Negotiated]> = {
  '2.42': [
    [
      'application/openmetrics-text;version=1.0.0',
      'application/openmetrics-text;version=0.0.1;q=0.75',
      'text/plain;version=0.0.4;q=0.5',
      '*/*;q=0.1',
    ],
    openMetrics1('underscores'),
  ],
  '2.42 with native histograms': [
    [
      PROTO,
      'application/openmetrics-text;version=1.0.0;q=0.8',
      'application/openmetrics-text;version=0.0.1;q=0.75',
      'text/plain;version=0.0.4;q=0.5',
      '*/*;q=0.1',
    ],
    protobuf('underscores'),
  ],
  '3.x default': [
    [
      'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6',
      'application/openmetrics-text;version=0.0.1;q=0.5',
      'text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4',
      'text/plain;version=0.0.4;q=0.3',
      '*/*;q=0.2',
    ],
    openMetrics1('allow-utf-8'),
  ],
  // Prometheus asks for no escaping on the protobuf range, so names there are escaped with underscores.
  '3.x with native histograms': [
    [
      `${PROTO};q=0.6`,
      'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5',
      'application/openmetrics-text;version=0.0.1;q=0.4',
      'text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3',
      'text/plain;version=0.0.4;q=0.2',
      '*/*;q=0.1',
    ],
    protobuf('underscores'),
  ],
  '3.x with escaping=underscores': [
    [
      'application/openmetrics-text;version=1.0.0;escaping=underscores;q=0.6',
      'application/openmetrics-text;version=0.0.1;q=0.5',
      'text/plain;version=1.0.0;escaping=underscores;q=0.4',
      'text/plain;version=0.0.4;q=0.3',
      '*/*;q=0.2',
    ],
    openMetrics1('underscores'),
  ],
  '3.x with native histograms and escaping=underscores': [
    [
      `${PROTO};q=0.6`,
      'application/openmetrics-text;version=1.0.0;escaping=underscores;q=0.5',
      'application/openmetrics-text;version=0.0.1;q=0.4',
      'text/plain;version=1.0.0;escaping=underscores;q=0.3',
      'text/plain;version=0.0.4;q=0.2',
      '*/*;q=0.1',
    ],
    protobuf('underscores'),
  ],
  '3.x with scrape_protocols: [PrometheusText1.0.0]': [
    ['text/plain;version=1.0.0;escaping=allow-utf-8;q=0.6', '*/*;q=0.5'],
    text1('allow-utf-8'),
  ],
  '3.x with scrape_protocols: [PrometheusText0.0.4]': [['text/plain;version=0.0.4;q=0.6', '*/*;q=0.5'], TEXT_0_0_4],
  '3.0 to 3.3 default': [
    [
      'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6',
      'application/openmetrics-text;version=0.0.1;escaping=allow-utf-8;q=0.5',
      'text/plain;version=1.0.0;escaping=allow-utf-8;escaping=allow-utf-8;q=0.4',
      'text/plain;version=0.0.4;escaping=allow-utf-8;q=0.3',
      '*/*;q=0.2',
    ],
    openMetrics1('allow-utf-8'),
  ],
  '3.0 to 3.3 with native histograms': [
    [
      `${PROTO};escaping=allow-utf-8;q=0.6`,
      'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5',
      'application/openmetrics-text;version=0.0.1;escaping=allow-utf-8;q=0.4',
      'text/plain;version=1.0.0;escaping=allow-utf-8;escaping=allow-utf-8;q=0.3',
      'text/plain;version=0.0.4;escaping=allow-utf-8;q=0.2',
      '*/*;q=0.1',
    ],
    protobuf('allow-utf-8'),
  ],
};

const PROMETHEUS_HEADERS = Object.values(PROMETHEUS).map(([ranges]) => ranges.join(','));

/** [what, Accept, expected answer] */
type Case = [string, string | string[] | undefined | null, Negotiated];

const TEXT_CASES: Case[] = [
  ['text/plain without a version is 0.0.4', 'text/plain', TEXT_0_0_4],
  ['text/plain;version=0.0.4', 'text/plain;version=0.0.4', TEXT_0_0_4],
  ['text 0.0.4 has no UTF-8 names: escaping is ignored', 'text/plain;version=0.0.4;escaping=allow-utf-8', TEXT_0_0_4],
  ['text/plain with escaping but no version is 0.0.4', 'text/plain;escaping=dots', TEXT_0_0_4],
  ['text 1.0.0 without escaping means underscores', 'text/plain;version=1.0.0', text1('underscores')],
  ['text 1.0.0 with allow-utf-8', 'text/plain;version=1.0.0;escaping=allow-utf-8', text1('allow-utf-8')],
  ['text 1.0.0 with underscores', 'text/plain;version=1.0.0;escaping=underscores', text1('underscores')],
  ['text 1.0.0 with dots', 'text/plain;version=1.0.0;escaping=dots', text1('dots')],
  ['text 1.0.0 with values', 'text/plain;version=1.0.0;escaping=values', text1('values')],
  ['text 1.0.0 with an unknown escaping', 'text/plain;version=1.0.0;escaping=rot13', text1('underscores')],
  // As client_golang compares them.
  ['escaping values are case-sensitive', 'text/plain;version=1.0.0;escaping=Allow-UTF-8', text1('underscores')],
  [
    'an unknown text version is not matched',
    'text/plain;version=9.9.9,application/openmetrics-text;version=1.0.0;q=0.1',
    openMetrics1('underscores'),
  ],
];

const OM = 'application/openmetrics-text';
const OPENMETRICS_CASES: Case[] = [
  ['OpenMetrics 1.0.0 without escaping means underscores', `${OM};version=1.0.0`, openMetrics1('underscores')],
  ['OpenMetrics 1.0.0 with allow-utf-8', `${OM};version=1.0.0;escaping=allow-utf-8`, openMetrics1('allow-utf-8')],
  ['OpenMetrics 1.0.0 with underscores', `${OM};version=1.0.0;escaping=underscores`, openMetrics1('underscores')],
  ['OpenMetrics 1.0.0 with dots', `${OM};version=1.0.0;escaping=dots`, openMetrics1('dots')],
  ['OpenMetrics 1.0.0 with values', `${OM};version=1.0.0;escaping=values`, openMetrics1('values')],
  ['OpenMetrics 1.0.0 with an empty escaping', `${OM};version=1.0.0;escaping=`, openMetrics1('underscores')],
  ['OpenMetrics 0.0.1', `${OM};version=0.0.1`, OPENMETRICS_0_0_1],
  ['OpenMetrics 0.0.1 has no UTF-8 names', `${OM};version=0.0.1;escaping=allow-utf-8`, OPENMETRICS_0_0_1],
  ['OpenMetrics without a version is 0.0.1 (as client_golang reads it)', OM, OPENMETRICS_0_0_1],
  ['an unknown OpenMetrics version is not matched', `${OM};version=2.0.0`, TEXT_0_0_4],
];

const PB = 'application/vnd.google.protobuf';
const FAMILY = 'proto=io.prometheus.client.MetricFamily';
const PROTOBUF_CASES: Case[] = [
  ['protobuf, delimited', PROTO, protobuf('underscores')],
  ['protobuf with allow-utf-8', `${PROTO};escaping=allow-utf-8`, protobuf('allow-utf-8')],
  ['protobuf, parameters in another order', `${PB};encoding=delimited;escaping=values;${FAMILY}`, protobuf('values')],
  ['protobuf without encoding is not matched', `${PB};${FAMILY}`, TEXT_0_0_4],
  ['protobuf without proto is not matched', `${PB};encoding=delimited`, TEXT_0_0_4],
  ['protobuf in the text encoding is not matched', `${PB};${FAMILY};encoding=text`, TEXT_0_0_4],
  ['another message is not matched', `${PB};proto=io.prometheus.client.Metric;encoding=delimited`, TEXT_0_0_4],
];

const FALLBACK_CASES: Case[] = [
  ['*/* is text 0.0.4', '*/*', TEXT_0_0_4],
  ['text/* is text 0.0.4', 'text/*;escaping=allow-utf-8', TEXT_0_0_4],
  ['only unsupported types', 'application/json, image/png', TEXT_0_0_4],
  ['garbage', 'garbage,,;;;===', TEXT_0_0_4],
  ['empty', '', TEXT_0_0_4],
  ['undefined', undefined, TEXT_0_0_4],
  ['null', null, TEXT_0_0_4],
];

const Q_VALUE_CASES: Case[] = [
  ['text first by q-value', `${OM};version=1.0.0;q=0.2,text/plain;version=0.0.4;q=0.9`, TEXT_0_0_4],
  [
    'the escaping of the chosen range, not of a better-placed one',
    `text/plain;version=1.0.0;escaping=values;q=0.3,${OM};version=1.0.0;escaping=dots;q=0.4`,
    openMetrics1('dots'),
  ],
  ['q=0 means not acceptable', `${OM};version=1.0.0;q=0,text/plain;version=0.0.4;q=0.1`, TEXT_0_0_4],
  ['q=0 on the only range', `${OM};q=0`, TEXT_0_0_4],
  ['garbage q-values are ignored', `${OM};q=abc,text/plain;q=0.1`, TEXT_0_0_4],
  ['q above 1 is ignored', `${OM};q=2`, TEXT_0_0_4],
  ['an exact type beats a wildcard at the same q', `*/*;q=0.5,${OM};version=1.0.0;q=0.5`, openMetrics1('underscores')],
  ['the earlier of two exact types at the same q', `text/plain;q=0.5,${OM};q=0.5`, TEXT_0_0_4],
  [
    'the earlier of one type with two escapings at the same q',
    'text/plain;version=1.0.0;escaping=dots;q=0.5,text/plain;version=1.0.0;escaping=values;q=0.5',
    text1('dots'),
  ],
  [
    'spaces, case and quoted parameters',
    ' Application/OpenMetrics-Text ; Version="1.0.0" ; Escaping="allow-utf-8" ; q=0.9 , text/plain ; q=0.5',
    openMetrics1('allow-utf-8'),
  ],
  [
    'several header lines (array)',
    ['text/plain;q=0.2', `${OM};version=1.0.0;escaping=values;q=0.9`],
    openMetrics1('values'),
  ],
];

describe('negotiate()', () => {
  describe('the Accept headers Prometheus sends', () => {
    for (const [version, [ranges, expected]] of Object.entries(PROMETHEUS)) {
      it(`Prometheus ${version} -> ${expected.contentType}`, () => {
        expect(negotiate(ranges.join(','), ALL)).to.deep.equal(expected);
      });
    }
  });

  const groups: Record<string, Case[]> = {
    'text/plain': TEXT_CASES,
    OpenMetrics: OPENMETRICS_CASES,
    protobuf: PROTOBUF_CASES,
    'wildcards and the fallback': FALLBACK_CASES,
    'q-values and parsing': Q_VALUE_CASES,
  };
  for (const [group, cases] of Object.entries(groups)) {
    describe(group, () => {
      for (const [what, header, expected] of cases) {
        it(`${what} -> ${expected.contentType}`, () => {
          expect(negotiate(header, ALL)).to.deep.equal(expected);
        });
      }
    });
  }

  it('answers with frozen objects, shared between calls', () => {
    const answer = negotiate('text/plain;version=1.0.0;escaping=dots', ALL);
    expect(Object.isFrozen(answer)).to.equal(true);
    expect(negotiate('text/plain; version=1.0.0; escaping=dots', ALL)).to.equal(answer);
  });

  describe('the formats offered', () => {
    it('by default, those the renderer writes (the keys of CONTENT_TYPES)', () => {
      const renderable = Object.keys(CONTENT_TYPES) as NegotiableFormat[];
      for (const header of [...PROMETHEUS_HEADERS, PROTO]) {
        expect(negotiate(header), header).to.deep.equal(negotiate(header, renderable));
      }
    });

    it('a format not offered is skipped for the next acceptable range', () => {
      const nativeHistograms = PROMETHEUS['3.x with native histograms']![0].join(',');
      expect(negotiate(nativeHistograms, ['text', 'openmetrics'])).to.deep.equal(openMetrics1('allow-utf-8'));
      expect(negotiate(nativeHistograms, ['text'])).to.deep.equal(text1('allow-utf-8'));
      expect(negotiate(nativeHistograms, ['protobuf'])).to.deep.equal(protobuf('underscores'));
    });

    it('without text offered, the fallback and */* are the first format offered', () => {
      expect(negotiate('image/png', ['openmetrics', 'protobuf'])).to.deep.equal(openMetrics1('underscores'));
      expect(negotiate('*/*', ['protobuf'])).to.deep.equal(protobuf('underscores'));
      expect(negotiate('text/*', ['protobuf'])).to.deep.equal(protobuf('underscores'));
    });

    it('refuses a list that is empty, not an array, or names an unknown format', () => {
      for (const formats of [[], 'text', ['text', 'json'], null]) {
        const call = () => negotiate('*/*', formats as never);
        expect(call, String(formats)).to.throw(TypeError, /negotiate: formats must .*got/);
      }
    });
  });
});

describe('contentTypeFor()', () => {
  it('text: 0.0.4 for underscores, 1.0.0 naming any other escaping', () => {
    expect(contentTypeFor('text')).to.equal('text/plain; version=0.0.4; charset=utf-8');
    expect(contentTypeFor('text', 'underscores')).to.equal('text/plain; version=0.0.4; charset=utf-8');
    expect(contentTypeFor('text', 'allow-utf-8')).to.equal(text1('allow-utf-8').contentType);
    expect(contentTypeFor('text', 'dots')).to.equal('text/plain; version=1.0.0; charset=utf-8; escaping=dots');
    expect(contentTypeFor('text', 'underscores', '1.0.0')).to.equal(text1('underscores').contentType);
  });

  it('OpenMetrics: 1.0.0 unless 0.0.1 is asked for; the escaping always named', () => {
    expect(contentTypeFor('openmetrics')).to.equal(openMetrics1('underscores').contentType);
    expect(contentTypeFor('openmetrics', 'values')).to.equal(
      'application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=values',
    );
    expect(contentTypeFor('openmetrics', 'underscores', '0.0.1')).to.equal(
      'application/openmetrics-text; version=0.0.1; charset=utf-8; escaping=underscores',
    );
  });

  it('protobuf: the delimited MetricFamily stream', () => {
    expect(contentTypeFor('protobuf', 'allow-utf-8')).to.equal(
      'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited; ' +
        'escaping=allow-utf-8',
    );
  });

  it('every answer to Prometheus names its version (protobuf has none) and escaping (text 0.0.4 has none)', () => {
    for (const header of PROMETHEUS_HEADERS) {
      const { contentType, escaping } = negotiate(header, ALL);
      expect(ESCAPING_SCHEMES).to.include(escaping);
      const [type, ...params] = contentType.split('; ');
      expect(type).to.match(/^[a-z]+\/[a-z.+-]+$/);
      const named = Object.fromEntries(params.map((p) => p.split('=') as [string, string]));
      if (contentType !== TEXT_0_0_4.contentType) expect(named.escaping, contentType).to.equal(escaping);
      if (type !== PB) expect(named.version, contentType).to.match(/^\d+\.\d+\.\d+$/);
    }
  });

  it('refuses what it cannot name', () => {
    expect(() => contentTypeFor('text', 'allow-utf-8', '0.0.4')).to.throw(RangeError, /text 0\.0\.4 .*"allow-utf-8"/);
    expect(() => contentTypeFor('openmetrics', 'dots', '0.0.1')).to.throw(RangeError, /openmetrics 0\.0\.1 .*"dots"/);
    expect(() => contentTypeFor('text', 'underscores', '2.0.0')).to.throw(RangeError, /text has no version "2\.0\.0"/);
    expect(() => contentTypeFor('protobuf', 'underscores', '1.0.0')).to.throw(RangeError, /protobuf has no version/);
    expect(() => contentTypeFor('text', 'utf8' as never)).to.throw(RangeError, /escaping must be one of .*got "utf8"/);
    expect(() => contentTypeFor('json' as never)).to.throw(TypeError, /format must be one of .*got "json"/);
  });
});
