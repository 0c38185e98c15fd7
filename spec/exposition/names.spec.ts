import { expect } from 'chai';
import fc from 'fast-check';
import {
  ESCAPING_SCHEMES,
  escapeLabelName,
  escapeName,
  isLegacyLabelName,
  isLegacyMetricName,
  quoteName,
  type EscapingScheme,
} from '../../lib/exposition/names.js';

const ESCAPING: readonly EscapingScheme[] = ['underscores', 'dots', 'values'];

/** Per scheme: name -> what a scraper that asked for it reads (prometheus/docs escaping_schemes.md). */
const METRIC_CASES: Array<[string, Record<EscapingScheme, string>]> = [
  // The docs' own examples, one per scheme, then each name under the other schemes.
  [
    'metric.name/with/slashes',
    {
      'allow-utf-8': 'metric.name/with/slashes',
      underscores: 'metric_name_with_slashes',
      dots: 'metric_dot_name_with_slashes',
      values: 'U__metric_2E_name_2F_with_2F_slashes',
    },
  ],
  [
    'metric.name.with.dots',
    {
      'allow-utf-8': 'metric.name.with.dots',
      underscores: 'metric_name_with_dots',
      dots: 'metric_dot_name_dot_with_dot_dots',
      values: 'U__metric_2E_name_2E_with_2E_dots',
    },
  ],
  [
    'metric.name',
    { 'allow-utf-8': 'metric.name', underscores: 'metric_name', dots: 'metric_dot_name', values: 'U__metric_2E_name' },
  ],
  // Underscores are kept by `underscores` and doubled by `dots` and `values`, so those two can be undone.
  [
    'http_server.request_duration',
    {
      'allow-utf-8': 'http_server.request_duration',
      underscores: 'http_server_request_duration',
      dots: 'http__server_dot_request__duration',
      values: 'U__http__server_2E_request__duration',
    },
  ],
  // A digit cannot start a legacy name: escaped like any other character there, kept after.
  ['9lives', { 'allow-utf-8': '9lives', underscores: '_lives', dots: '_lives', values: 'U___39_lives' }],
  ['1.5x', { 'allow-utf-8': '1.5x', underscores: '__5x', dots: '__dot_5x', values: 'U___31__2E_5x' }],
  // Other characters: one underscore each under `underscores` and `dots`; hex code point under `values`.
  ['a-b c', { 'allow-utf-8': 'a-b c', underscores: 'a_b_c', dots: 'a_b_c', values: 'U__a_2D_b_20_c' }],
  [
    'température',
    { 'allow-utf-8': 'température', underscores: 'temp_rature', dots: 'temp_rature', values: 'U__temp_E9_rature' },
  ],
  // A character outside the BMP is one code point (two UTF-16 units): one underscore, one hex number.
  ['cpu😀load', { 'allow-utf-8': 'cpu😀load', underscores: 'cpu_load', dots: 'cpu_load', values: 'U__cpu_1F600_load' }],
  ['𝔵', { 'allow-utf-8': '𝔵', underscores: '_', dots: '_', values: 'U___1D535_' }],
  // The characters quoting has to deal with are escaped like any other.
  ['a"b\\c\nd', { 'allow-utf-8': 'a"b\\c\nd', underscores: 'a_b_c_d', dots: 'a_b_c_d', values: 'U__a_22_b_5C_c_A_d' }],
];

const LEGACY_METRIC_NAMES = [
  'http_requests_total',
  'ns:sub:name',
  ':colon',
  '_leading',
  'A9_b',
  'U__metric_2E_name',
  'a__b',
];

/** Any name, a few code points long, BMP or not. */
const anyName = fc.string({ unit: 'binary', minLength: 1, maxLength: 12 });
const anyEscaping = fc.constantFrom(...ESCAPING);

/** Undoes the `values` scheme, to check that no two non-legacy names escape to the same one. */
function unescapeValues(escaped: string): string {
  expect(escaped.startsWith('U__'), escaped).to.equal(true);
  return escaped
    .slice(3)
    .replace(/__|_([0-9A-F]+)_/g, (_all, hex: string | undefined) =>
      hex === undefined ? '_' : String.fromCodePoint(parseInt(hex, 16)),
    );
}

describe('names: the legacy character set and the escaping schemes', () => {
  it('ESCAPING_SCHEMES lists the four schemes as the escaping parameter spells them', () => {
    expect(ESCAPING_SCHEMES).to.deep.equal(['allow-utf-8', 'underscores', 'dots', 'values']);
    expect(Object.isFrozen(ESCAPING_SCHEMES)).to.equal(true);
  });

  it('isLegacyMetricName / isLegacyLabelName: [a-zA-Z_:][a-zA-Z0-9_:]* and [a-zA-Z_][a-zA-Z0-9_]*', () => {
    for (const name of LEGACY_METRIC_NAMES) expect(isLegacyMetricName(name), name).to.equal(true);
    for (const name of ['', '9a', 'a.b', 'a-b', 'é', 'a b', '😀']) {
      expect(isLegacyMetricName(name), name).to.equal(false);
    }
    for (const name of ['a', '_x', 'Upper_9', '__name__']) expect(isLegacyLabelName(name), name).to.equal(true);
    for (const name of ['', '9a', 'a:b', ':x', 'a.b', 'é']) expect(isLegacyLabelName(name), name).to.equal(false);
  });

  describe('escapeName()', () => {
    for (const [name, expected] of METRIC_CASES) {
      for (const scheme of ESCAPING_SCHEMES) {
        it(`${JSON.stringify(name)} under ${scheme} is ${JSON.stringify(expected[scheme])}`, () => {
          expect(escapeName(name, scheme)).to.equal(expected[scheme]);
        });
      }
    }

    it('legacy names are written as they are under every scheme (underscores are not doubled)', () => {
      for (const name of LEGACY_METRIC_NAMES) {
        for (const scheme of ESCAPING_SCHEMES) expect(escapeName(name, scheme), `${name} ${scheme}`).to.equal(name);
      }
    });

    it('every scheme but allow-utf-8 gives a legacy metric name, from any name', () => {
      fc.assert(
        fc.property(anyName, anyEscaping, (name, scheme) => {
          expect(isLegacyMetricName(escapeName(name, scheme)), `${JSON.stringify(name)} ${scheme}`).to.equal(true);
        }),
        { numRuns: 500 },
      );
    });

    it('values can be undone: two names outside the legacy set never escape to the same name', () => {
      // Hex digits and underscores next to escaped characters are where a decoder could go wrong.
      const unit = fc.constantFrom('a', 'Z', '0', '9', '_', ':', '.', '-', 'é', '😀', 'A', 'F', ' ');
      const name = fc.string({ unit, minLength: 1, maxLength: 8 });
      fc.assert(
        fc.property(
          name.filter((n) => !isLegacyMetricName(n)),
          (n) => {
            expect(unescapeValues(escapeName(n, 'values'))).to.equal(n);
          },
        ),
        { numRuns: 500 },
      );
    });
  });

  describe('escapeLabelName()', () => {
    it('escapes ":" too, which only metric names may hold', () => {
      expect(escapeLabelName('a:b', 'underscores')).to.equal('a_b');
      expect(escapeLabelName('a:b', 'dots')).to.equal('a_b');
      expect(escapeLabelName('a:b', 'values')).to.equal('U__a_3A_b');
      expect(escapeLabelName('a:b', 'allow-utf-8')).to.equal('a:b');
      // escapeName keeps it: a legacy metric name.
      expect(escapeName('a:b', 'underscores')).to.equal('a:b');
    });

    it('otherwise escapes as escapeName does', () => {
      for (const [name, expected] of METRIC_CASES) {
        if (name.includes(':')) continue;
        for (const scheme of ESCAPING_SCHEMES) {
          expect(escapeLabelName(name, scheme), `${name} ${scheme}`).to.equal(expected[scheme]);
        }
      }
    });

    it('legacy label names are written as they are under every scheme', () => {
      for (const name of ['method', 'status_code', '_x', 'A9']) {
        for (const scheme of ESCAPING_SCHEMES) {
          expect(escapeLabelName(name, scheme), `${name} ${scheme}`).to.equal(name);
        }
      }
    });

    it('every scheme but allow-utf-8 gives a legacy label name, from any name', () => {
      fc.assert(
        fc.property(anyName, anyEscaping, (name, scheme) => {
          expect(isLegacyLabelName(escapeLabelName(name, scheme)), `${JSON.stringify(name)} ${scheme}`).to.equal(true);
        }),
        { numRuns: 500 },
      );
    });
  });

  describe('quoteName()', () => {
    it('puts a name in double quotes, escaping backslash, newline and the quote', () => {
      expect(quoteName('http.server.duration')).to.equal('"http.server.duration"');
      expect(quoteName('température 😀')).to.equal('"température 😀"');
      expect(quoteName('a"b\\c\nd')).to.equal('"a\\"b\\\\c\\nd"');
      expect(quoteName('tab\tstays')).to.equal('"tab\tstays"');
    });
  });
});
