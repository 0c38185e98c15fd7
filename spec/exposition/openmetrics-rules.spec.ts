/**
 * The OpenMetrics rules of issue 10: canonical `le`/`quantile` values, histograms with a negative
 * bound, summaries with a negative sum, and collector timestamps in every text format.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { CollectionError, Histogram, Registry, Summary, type CollectedFamily } from '../../lib/index.js';
import { PythonParsers } from '../support/exposition-tools.js';
import { canonicalFloat } from '../support/protobuf-decoder.js';
import { PYTHON, hasPythonClient, rejection, requireTool } from '../support/tools.js';

/** The values of the OpenMetrics specification's list: 0 to 10 in steps of 0.001, powers of ten from 1e-10 to 1e+10. */
function specValues(): string[] {
  const values: string[] = [];
  for (let i = 0; i <= 10_000; i++) values.push(`${i}/1000`);
  for (let k = -10; k <= 10; k++) values.push(`1e${k}`);
  return values;
}

/** Each value (an expression Python and JavaScript read alike) as Python's prometheus_client writes it. */
function pythonCanonical(expressions: readonly string[]): string[] {
  const script = [
    'import sys, json',
    'from prometheus_client.utils import floatToGoString',
    'print(json.dumps([floatToGoString(eval(e)) for e in json.loads(sys.stdin.read())]))',
  ].join('\n');
  const run = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify(expressions), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`python failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as string[];
}

function evaluate(expression: string): number {
  const [a, b] = expression.split('/');
  return b === undefined ? Number(a) : Number(a) / Number(b);
}

/** The `le` values of a histogram family's bucket lines in a body, in order. */
function leValues(body: string, name: string): string[] {
  return [...body.matchAll(new RegExp(`^${name}_bucket\\{(?:[^}]*,)?le="([^"]*)"\\}`, 'gm'))].map((m) => m[1]!);
}

describe('OpenMetrics rules (issue 10)', () => {
  let python: PythonParsers | undefined;
  after(() => python?.close());
  function parsers(ctx: Mocha.Context): PythonParsers {
    requireTool(ctx, "Python's prometheus_client", hasPythonClient());
    return (python ??= new PythonParsers());
  }

  describe('canonical le and quantile values', () => {
    it("bounds the specification's list as Python's floatToGoString and Go's %g write them", function () {
      requireTool(this, "Python's prometheus_client", hasPythonClient());
      const expressions = specValues();
      const expected = pythonCanonical(expressions);
      const registry = new Registry();
      // One histogram per chunk: bounds must ascend, and 0 is in the list only once.
      const bounds = [...new Set(expressions.map(evaluate))].sort((a, b) => a - b);
      new Histogram({ name: 'spec_list', help: 'h', buckets: bounds, registry });
      return registry.metrics('openmetrics').then((body) => {
        const les = leValues(body, 'spec_list');
        expect(les).to.have.length(bounds.length + 1);
        expect(les.at(-1)).to.equal('+Inf');
        // The independent rendering of Go's rule in the protobuf specs' decoder.
        expect(les.slice(0, -1)).to.deep.equal(bounds.map(canonicalFloat));
        // Python's floatToGoString, but for exponents of two digits: it writes 1e10 as "1e+010"
        // where Go (and the OpenMetrics examples) write "1e+10".
        const byValue = new Map(expressions.map((e, i) => [evaluate(e), expected[i]!]));
        const belowTwoDigitExponents = bounds.filter((b) => b < 1e10);
        expect(les.slice(0, belowTwoDigitExponents.length)).to.deep.equal(
          belowTwoDigitExponents.map((b) => byValue.get(b)),
        );
        expect(byValue.get(1e10)).to.equal('1e+010');
        expect(les.at(-2)).to.equal('1e+10');
      });
    });

    it("writes the issue's examples in both text formats, and quantiles the same way", async () => {
      const registry = new Registry();
      new Histogram({ name: 'h', help: 'h', buckets: [0.00001, 0.0001, 1, 100000, 1000000, 1e10], registry });
      new Summary({ name: 's', help: 'h', percentiles: [0.00001, 0.5, 1], registry }).observe(1);
      const expected = ['1e-05', '0.0001', '1.0', '100000.0', '1e+06', '1e+10', '+Inf'];
      for (const format of ['text', 'openmetrics'] as const) {
        const body = await registry.metrics(format);
        expect(leValues(body, 'h'), format).to.deep.equal(expected);
        expect(
          [...body.matchAll(/^s\{quantile="([^"]*)"\}/gm)].map((m) => m[1]),
          format,
        ).to.deep.equal(['1e-05', '0.5', '1.0']);
      }
    });

    it('gives collector buckets and quantiles the canonical form, however they were written', async () => {
      const registry = new Registry();
      registry.registerCollector(() => [
        {
          name: 'c',
          help: 'h',
          type: 'histogram',
          samples: [
            { name: 'c_bucket', labels: { le: '0.00001' }, value: 1 },
            { name: 'c_bucket', labels: { le: '1000000' }, value: 2 },
            { name: 'c_bucket', labels: { le: 'Inf' }, value: 2 },
          ],
        },
      ]);
      expect(leValues(await registry.metrics('openmetrics'), 'c')).to.deep.equal(['1e-05', '1e+06', '+Inf']);
    });
  });

  describe('histograms with a negative bound', () => {
    it('have no _count and no _sum in OpenMetrics, whatever they observed; the text format keeps them', async function () {
      const python = parsers(this);
      const registry = new Registry();
      const h = new Histogram({ name: 'hh', help: 'h', labelNames: ['k'], buckets: [-1, 1], registry });
      h.labels('none');
      h.labels('positive').observe(5);
      h.labels('negative').observe(-5);
      const om = await registry.metrics('openmetrics');
      expect(om).not.to.match(/^hh_(count|sum)/m);
      expect(om.match(/^hh_bucket/gm)).to.have.length(9);
      const parsed = await python.parse('openmetrics', om);
      expect(parsed.ok, parsed.ok ? '' : parsed.error).to.equal(true);
      const text = await registry.metrics('text');
      expect(text).to.contain('hh_count{k="none"} 0').and.contain('hh_sum{k="negative"} -5');
    });
  });

  describe('summaries with a negative sum', () => {
    it('keep their _count in OpenMetrics and leave out only the _sum', async function () {
      const python = parsers(this);
      const registry = new Registry();
      const s = new Summary({ name: 'ss', help: 'h', registry });
      s.observe(-2);
      s.observe(-3);
      const om = await registry.metrics('openmetrics');
      expect(om).to.contain('ss_count 2\n');
      expect(om).not.to.contain('ss_sum');
      const parsed = await python.parse('openmetrics', om);
      expect(parsed.ok, parsed.ok ? '' : parsed.error).to.equal(true);
    });
  });

  describe('collector timestamps', () => {
    const stamped: CollectedFamily[] = [
      {
        name: 'queue_depth',
        help: 'Jobs queued',
        type: 'gauge',
        samples: [
          { labels: { q: 'a' }, value: 3, timestamp: 1_700_000_000_123 },
          { labels: { q: 'b' }, value: 4 },
        ],
      },
      { name: 'jobs', help: 'Jobs done', type: 'counter', samples: [{ value: 7, timestamp: 1_700_000_001_000 }] },
    ];

    it('are written in integer milliseconds in the text format and in seconds in OpenMetrics, and read back by Python', async function () {
      const python = parsers(this);
      const registry = new Registry();
      registry.registerCollector(() => stamped, 'stamped');
      const text = await registry.metrics('text');
      expect(text)
        .to.contain('queue_depth{q="a"} 3 1700000000123\n')
        .and.contain('queue_depth{q="b"} 4\n')
        .and.contain('jobs_total 7 1700000001000\n');
      const om = await registry.metrics('openmetrics');
      expect(om).to.contain('queue_depth{q="a"} 3 1700000000.123\n').and.contain('jobs_total 7 1700000001\n');
      for (const [format, body] of [
        ['text', text],
        ['openmetrics', om],
      ] as const) {
        const parsed = await python.parse(format, body);
        if (!parsed.ok) throw new Error(parsed.error);
        const samples = parsed.families.flatMap((f) => f.samples);
        const a = samples.find((x) => x.labels.q === 'a')!;
        const b = samples.find((x) => x.labels.q === 'b')!;
        expect(a.timestamp, format).to.be.closeTo(1_700_000_000.123, 1e-6);
        expect(b.timestamp, format).to.equal(null);
      }
    });

    it('refuses a timestamp that is not an integer of milliseconds, naming the collector', async () => {
      for (const timestamp of [1.5, NaN, Infinity, '1700000000000']) {
        const registry = new Registry();
        registry.registerCollector(
          () => [{ name: 'g', help: 'h', type: 'gauge', samples: [{ value: 1, timestamp: timestamp as number }] }],
          'clocky',
        );
        const error = await rejection(registry.metrics());
        expect(error).to.be.instanceOf(CollectionError);
        expect(error.message).to.contain('clocky').and.contain('timestamp');
      }
    });
  });
});
