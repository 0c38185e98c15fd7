/**
 * The README's "## API" section lists every name lib/index.ts exports, and nothing else: values
 * (`` - `Counter`: ... ``) against the module's runtime keys, types (`` - type `CounterConfig`: ... ``)
 * against the type-only exports read from lib/index.ts's source. A subsection whose heading names a
 * subpath export (`` ### Testing (`prometric/testing`) ``) lists that entry's exports instead,
 * checked the same way against lib/<subpath>/index.ts.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const ROOT = new URL('../../../', import.meta.url);
const README = fileURLToPath(new URL('README.md', ROOT));
const INDEX_SOURCE = fileURLToPath(new URL('lib/index.ts', ROOT));

interface ApiSection {
  readonly values: string[];
  readonly types: string[];
  /** Bullets in the section that name nothing in the expected form. */
  readonly malformed: string[];
  /** The bullets of each subpath's subsection, by subpath (`testing` for `prometric/testing`). */
  readonly subpaths: Map<string, ApiSection>;
}

const emptySection = (): ApiSection => ({ values: [], types: [], malformed: [], subpaths: new Map() });

/** A third-level heading naming a subpath export: `` ### Testing (`prometric/testing`) ``. */
const SUBPATH_HEADING = /^### .*`prometric\/([a-z][a-z-]*)`/;

/** The `## API` section: from its heading to the next second-level heading. */
function readApiSection(markdown: string): ApiSection | undefined {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => /^## API\s*$/.test(line));
  if (start < 0) return undefined;
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => /^## /.test(line));
  const section = end < 0 ? rest : rest.slice(0, end);
  const main = emptySection();
  let current = main;
  for (const line of section) {
    if (line.startsWith('### ')) {
      const subpath = SUBPATH_HEADING.exec(line)?.[1];
      current = subpath === undefined ? main : emptySection();
      if (subpath !== undefined) main.subpaths.set(subpath, current);
      continue;
    }
    if (!line.startsWith('- ')) continue;
    const match = /^- (type )?`([A-Za-z_$][\w$]*)[^`]*`: \S/.exec(line);
    if (match === null) current.malformed.push(line);
    else (match[1] === undefined ? current.values : current.types).push(match[2]!);
  }
  return main;
}

/**
 * The type-only exports of lib/index.ts: every specifier of `export type { ... }`, the `type X`
 * specifiers of `export { ... }`, and `export type X =` / `export interface X` declarations.
 * `A as B` exports B.
 */
function typeExports(source: string): string[] {
  const names: string[] = [];
  const exportedName = (specifier: string): string =>
    specifier
      .trim()
      .split(/\s+as\s+/)
      .pop()!
      .trim();
  for (const [, typeOnly, list] of source.matchAll(/export\s+(type\s+)?\{([^}]*)\}/g)) {
    for (const raw of list!.split(',')) {
      const specifier = raw.trim();
      if (specifier === '') continue;
      if (typeOnly !== undefined) names.push(exportedName(specifier));
      else if (specifier.startsWith('type ')) names.push(exportedName(specifier.slice('type '.length)));
    }
  }
  for (const [, name] of source.matchAll(/^export\s+(?:type|interface)\s+([A-Za-z_$][\w$]*)/gm)) names.push(name!);
  return names;
}

/** What `actual` lacks of `expected`, and what it has beyond it. */
function compare(expected: readonly string[], actual: readonly string[]): { missing: string[]; extra: string[] } {
  return {
    missing: expected.filter((name) => !actual.includes(name)).sort(),
    extra: actual.filter((name) => !expected.includes(name)).sort(),
  };
}

function duplicates(names: readonly string[]): string[] {
  return names.filter((name, i) => names.indexOf(name) !== i);
}

describe('README: the API section matches the exports of lib/index.ts', () => {
  const section = readApiSection(readFileSync(README, 'utf8'));
  const source = readFileSync(INDEX_SOURCE, 'utf8');

  it('has an "## API" section whose every bullet names one export', () => {
    expect(section, 'README.md has no "## API" section').not.to.equal(undefined);
    expect(section!.malformed, 'bullets not of the form - `Name`: text  or  - type `Name`: text').to.deep.equal([]);
    expect(duplicates([...section!.values, ...section!.types]), 'names listed twice').to.deep.equal([]);
  });

  it('lists every exported value, and no value that is not exported', async () => {
    const exported = Object.keys(await import('../../lib/index.js'));
    const { missing, extra } = compare(exported, section?.values ?? []);
    expect({ missingFromReadme: missing, notExported: extra }).to.deep.equal({
      missingFromReadme: [],
      notExported: [],
    });
  });

  it('lists every exported type, and no type that is not exported', () => {
    const exported = typeExports(source);
    expect(exported.length, 'no type exports parsed from lib/index.ts').to.be.greaterThan(0);
    const { missing, extra } = compare(exported, section?.types ?? []);
    expect({ missingFromReadme: missing, notExported: extra }).to.deep.equal({
      missingFromReadme: [],
      notExported: [],
    });
  });

  it('reads type exports in each form lib/index.ts may use', () => {
    const sample = [
      "export { A, type B, C as D, type E as F } from './x.js';",
      'export type {',
      '  G,',
      '  H as I,',
      "} from './y.js';",
      'export type J = string;',
      'export interface K {}',
    ].join('\n');
    expect(typeExports(sample).sort()).to.deep.equal(['B', 'F', 'G', 'I', 'J', 'K']);
  });
});

describe('README: the API subsection of prometric/testing matches the exports of lib/testing/index.ts', () => {
  const section = readApiSection(readFileSync(README, 'utf8'))?.subpaths.get('testing');
  const source = readFileSync(fileURLToPath(new URL('lib/testing/index.ts', ROOT)), 'utf8');

  it('has a subsection for prometric/testing whose every bullet names one export', () => {
    expect(section, 'no "### ... (`prometric/testing`)" subsection under "## API"').not.to.equal(undefined);
    expect(section!.malformed).to.deep.equal([]);
    expect(duplicates([...section!.values, ...section!.types]), 'names listed twice').to.deep.equal([]);
  });

  it('lists every exported value and type, and nothing that is not exported', async () => {
    const values = Object.keys(await import('../../lib/testing/index.js'));
    expect(values.length, 'values exported by lib/testing/index.ts').to.be.greaterThan(0);
    expect({
      values: compare(values, section?.values ?? []),
      types: compare(typeExports(source), section?.types ?? []),
    }).to.deep.equal({ values: { missing: [], extra: [] }, types: { missing: [], extra: [] } });
  });
});
