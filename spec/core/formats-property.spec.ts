/**
 * Property: random registries (the model of spec/support/registry-model.ts, here with names
 * outside the legacy set and a collector's families with sample timestamps) go through all four
 * formats, and every reader must return exactly the samples the model records (names, label sets,
 * values, timestamps):
 * - text 0.0.4: `promtool check metrics` accepts it, Python's text parser reads it;
 * - text 1.0.0 under `allow-utf-8`: this spec's reader of quoted names (text-utf8-parser.ts) reads
 *   it with the names as given (Debian's Python parser and promtool predate quoted names); with
 *   legacy names only, it is the 0.0.4 body byte for byte;
 * - OpenMetrics 1.0.0: Python's OpenMetrics parser reads it (names escaped with underscores);
 * - protobuf (delimited MetricFamily): the independent decoder (protobufjs over metrics.proto)
 *   reads it, flattened by Prometheus' rules, under `underscores` and under `allow-utf-8`.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import sinon from 'sinon';
import type { Registry } from '../../lib/index.js';
import { PythonParsers, promtoolCheck } from '../support/exposition-tools.js';
import { decodeDelimited, flattenFamilies } from '../support/protobuf-decoder.js';
import {
  build,
  caseArb,
  checkPython,
  compareSamples,
  expectedFamilies,
  expectedProtobufFamilies,
  expectedSamples,
  hasUtf8Names,
  type CaseModel,
  type NameScheme,
} from '../support/registry-model.js';
import { parseTextUtf8 } from '../support/text-utf8-parser.js';
import { hasPromtool, hasPythonClient, requireTool } from '../support/tools.js';

/** The registry of a model, `_created` read from a clock that says `createdAt`. */
function buildAt(model: CaseModel): Registry {
  const { createdAt } = model;
  const clock = createdAt === undefined ? undefined : sinon.useFakeTimers({ now: createdAt, toFake: ['Date'] });
  try {
    return build(model);
  } finally {
    clock?.restore();
  }
}

/** Text 1.0.0 with UTF-8 names, read by the spec's reader: the families and samples the model records. */
function checkTextUtf8(model: CaseModel, body: string): void {
  let families: ReturnType<typeof parseTextUtf8>;
  try {
    families = parseTextUtf8(body);
  } catch (error) {
    throw new Error(`text 1.0.0: ${(error as Error).message}\n${body}`);
  }
  const got = families.map((f) => JSON.stringify([f.name, f.type, f.help]));
  expect(got, `text 1.0.0 families\n${body}`).to.deep.equal(expectedFamilies(model, 'text', 'allow-utf-8'));
  const read = families.flatMap((f) => f.samples);
  compareSamples(expectedSamples(model, 'text', 'allow-utf-8'), read, 'text 1.0.0', body);
}

/** A protobuf body, decoded and flattened by Prometheus' rules: the families and samples the model records. */
function checkProtobuf(model: CaseModel, body: Buffer, names: NameScheme): void {
  const label = `protobuf (${names})`;
  const context = `${body.toString('hex')}\n${JSON.stringify(model)}`;
  let families: ReturnType<typeof decodeDelimited>;
  try {
    families = decodeDelimited(body);
  } catch (error) {
    throw new Error(`${label}: ${(error as Error).message}\n${context}`);
  }
  const got = families.map((f) => JSON.stringify([f.name, f.type, f.help ?? '', f.unit ?? '']));
  expect(got, `${label} families\n${context}`).to.deep.equal(expectedProtobufFamilies(model, names));
  // A `_created` value comes back from created_timestamp as seconds + nanos / 1e9, which must be
  // the very number the text formats write.
  compareSamples(expectedSamples(model, 'protobuf', names), flattenFamilies(families), label, context);
}

describe('property: random registries through all four exposition formats', () => {
  let python: PythonParsers | undefined;
  after(() => python?.close());

  it("the spec's text 1.0.0 reader reads legacy and quoted names, and refuses what it does not know", () => {
    const body =
      '# HELP "a.b_total" Help with \\\\ and \\n.\n# TYPE "a.b_total" counter\n' +
      '{"a.b_total","c.d"="x\\"y\\\\z\\n",e="1"} 2.5\n' +
      '# HELP plain plain\n# TYPE plain untyped\nplain -Inf 1700000000123\nplain{"q\\"r"="s",} NaN\n';
    expect(parseTextUtf8(body)).to.deep.equal([
      {
        name: 'a.b_total',
        type: 'counter',
        help: 'Help with \\ and \n.',
        samples: [{ name: 'a.b_total', labels: { 'c.d': 'x"y\\z\n', e: '1' }, value: 2.5 }],
      },
      {
        name: 'plain',
        type: 'untyped',
        help: 'plain',
        samples: [
          { name: 'plain', labels: {}, value: -Infinity, timestampMs: 1700000000123 },
          { name: 'plain', labels: { 'q"r': 's' }, value: NaN },
        ],
      },
    ]);
    const head = '# HELP x h\n# TYPE x gauge\n';
    for (const bad of ['x{a="\\t"} 1\n', 'x{a="1",a="2"} 1\n', 'x 1 1.5\n', 'x one\n', 'y 1\n', '{x} 1\n', 'x 1']) {
      expect(() => parseTextUtf8(head + bad), JSON.stringify(bad)).to.throw(Error);
    }
  });

  it('text 0.0.4, text 1.0.0, OpenMetrics and protobuf read back to the recorded samples', async function () {
    requireTool(this, 'promtool', hasPromtool());
    requireTool(this, 'python3-prometheus-client', hasPythonClient());
    python ??= new PythonParsers();
    const parsers = python;
    await fc.assert(
      fc.asyncProperty(caseArb({ utf8Names: true, collectors: true }), async (model) => {
        const registry = buildAt(model);
        const text = await registry.metrics('text');
        const textUtf8 = await registry.metrics('text', { escaping: 'allow-utf-8' });
        const openmetrics = await registry.metrics('openmetrics');
        const protobuf = await registry.metrics('protobuf');
        const protobufUtf8 = await registry.metrics('protobuf', { escaping: 'allow-utf-8' });

        const [textResult, omResult] = await Promise.all([
          parsers.parse('text', text),
          parsers.parse('openmetrics', openmetrics),
        ]);
        checkPython(model, 'text', textResult, text);
        checkPython(model, 'openmetrics', omResult, openmetrics);
        const lint = promtoolCheck(text);
        if (!lint.ok) throw new Error(`promtool check metrics refused the body: ${lint.output}\n${text}`);

        checkTextUtf8(model, textUtf8);
        if (!hasUtf8Names(model)) expect(textUtf8, 'legacy names: text 1.0.0 is text 0.0.4').to.equal(text);

        checkProtobuf(model, protobuf, 'underscores');
        checkProtobuf(model, protobufUtf8, 'allow-utf-8');
      }),
      { numRuns: 100 },
    );
  });
});
