/** Label sets as exposition text, for specs that compare them as text (`a="x",le="0.5"`). */
import type { Labels } from '../../lib/index.js';

/** `a="x",b="y"`, values escaped as the text formats write them; '' for no labels. */
export function labelText(labels: Labels): string {
  return Object.entries(labels)
    .map(([name, value]) => `${name}="${value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))}"`)
    .join(',');
}
