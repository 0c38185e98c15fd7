/**
 * The reader of expectMetrics' expected text (lib/testing/parse-text.ts) against a reference:
 * prometheus_client's text 0.0.4 parser reads the same lines to the same samples (names,
 * unescaped label values, values with NaN and the infinities, timestamps).
 */
import { expect } from 'chai';
import { parseExpectedText } from '../../lib/testing/parse-text.js';
import { PythonParsers } from '../support/exposition-tools.js';
import { hasPythonClient, requireTool } from '../support/tools.js';

/** Bodies with no TYPE lines: Python then keeps every sample name as written (no `_total` added). */
const BODIES = [
  'plain 1\nwith_labels{a="x",b="y"} 2.5\n',
  'escaped{v="quote \\" backslash \\\\ newline \\n end"} 3\n',
  'unicode{v="é 🙂 日本"} -4e-3\n',
  'specials{k="a"} NaN\nspecials{k="b"} +Inf\nspecials{k="c"} -Inf\n',
  'exponents 1e+06\nexponents_b 1.5E-7\nnegative -0.25\n',
  'stamped 7 1700000000000\nstamped_b{x="1"} 8 -5\n',
  '# HELP h_total Some help\n\n  indented{a="b"}   9  \nspaced { a = "b" , c="d" , } 10\n',
  'trailing{a="b",} 11\nempty_value{a=""} 12\ncolons:in:name 13\n',
];

describe("expectMetrics' text reader against prometheus_client's text parser", () => {
  let python: PythonParsers | undefined;
  after(() => python?.close());

  it('reads the same samples from each body', async function () {
    requireTool(this, "Python's prometheus_client", hasPythonClient());
    python = new PythonParsers();
    for (const body of BODIES) {
      const parsed = await python.parse('text', body);
      if (!parsed.ok) expect.fail(`Python refused ${JSON.stringify(body)}: ${parsed.error}`);
      const reference = parsed.families.flatMap((family) =>
        family.samples.map((s) => ({
          name: s.name,
          labels: s.labels,
          value: String(s.value),
          timestamp: s.timestamp === null ? undefined : Math.round(s.timestamp * 1000),
        })),
      );
      const ours = parseExpectedText('spec', body).map((s) => ({
        name: s.name,
        labels: s.labels,
        value: String(s.value),
        timestamp: s.timestamp,
      }));
      expect(ours, JSON.stringify(body)).to.deep.equal(reference);
    }
  });
});
