import { expect } from 'chai';
import { negotiate } from '../../lib/index.js';

const TEXT = { format: 'text', contentType: 'text/plain; version=0.0.4; charset=utf-8' };
const OPENMETRICS = { format: 'openmetrics', contentType: 'application/openmetrics-text; version=1.0.0; charset=utf-8' };

describe('negotiate()', () => {
  const cases: Array<[string, string | string[] | undefined | null, typeof TEXT]> = [
    // What Prometheus 2.42 sends (TOOLCHAIN.md), verbatim.
    [
      'Prometheus 2.42',
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      OPENMETRICS,
    ],
    [
      'Prometheus 2.42 with native histograms (protobuf first, which we do not offer)',
      'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,application/openmetrics-text;version=1.0.0;q=0.8,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      OPENMETRICS,
    ],
    // Prometheus 3.x defaults: escaping= parameters, text/plain;version=1.0.0.
    [
      'Prometheus 3.x default',
      'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2',
      OPENMETRICS,
    ],
    [
      'Prometheus 3.x proto-first',
      'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1',
      OPENMETRICS,
    ],
    [
      'Prometheus 3.3 with escaping on every range',
      'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;escaping=allow-utf-8;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;escaping=allow-utf-8;q=0.3,*/*;q=0.2',
      OPENMETRICS,
    ],
    ['Prometheus 3.x with scrape_protocols: [PrometheusText1.0.0]', 'text/plain;version=1.0.0;escaping=underscores,*/*;q=0.1', TEXT],
    ['text/plain;version=0.0.4', 'text/plain;version=0.0.4', TEXT],
    ['text first by q-value', 'application/openmetrics-text;version=1.0.0;q=0.2,text/plain;version=0.0.4;q=0.9', TEXT],
    ['OpenMetrics 0.0.1 only', 'application/openmetrics-text;version=0.0.1', OPENMETRICS],
    ['OpenMetrics without a version', 'application/openmetrics-text', OPENMETRICS],
    ['spaces, case and quoted parameters', ' Application/OpenMetrics-Text ; Version="1.0.0" ; q=0.9 , text/plain ; q=0.5', OPENMETRICS],
    ['q=0 means not acceptable', 'application/openmetrics-text;version=1.0.0;q=0,text/plain;version=0.0.4;q=0.1', TEXT],
    ['q=0 on the only range', 'application/openmetrics-text;q=0', TEXT],
    ['an unknown OpenMetrics version is not matched', 'application/openmetrics-text;version=2.0.0', TEXT],
    ['an unknown text version is not matched; OpenMetrics at a lower q wins', 'text/plain;version=9.9.9,application/openmetrics-text;q=0.1', OPENMETRICS],
    ['wildcard', '*/*', TEXT],
    ['text/*', 'text/*', TEXT],
    ['an exact type beats a wildcard at the same q', '*/*;q=0.5,application/openmetrics-text;q=0.5', OPENMETRICS],
    ['the earlier of two exact types at the same q', 'text/plain;q=0.5,application/openmetrics-text;q=0.5', TEXT],
    ['garbage', 'garbage,,;;;===', TEXT],
    ['garbage q-values are ignored', 'application/openmetrics-text;q=abc,text/plain;q=0.1', TEXT],
    ['q above 1 is ignored', 'application/openmetrics-text;q=2', TEXT],
    ['only unsupported types', 'application/json, image/png', TEXT],
    ['empty', '', TEXT],
    ['undefined', undefined, TEXT],
    ['null', null, TEXT],
    ['several header lines (array)', ['text/plain;q=0.2', 'application/openmetrics-text;version=1.0.0;q=0.9'], OPENMETRICS],
  ];
  for (const [what, header, expected] of cases) {
    it(`${what} -> ${expected.format}`, () => {
      expect(negotiate(header)).to.deep.equal(expected);
    });
  }
});
