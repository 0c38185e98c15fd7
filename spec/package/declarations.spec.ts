/**
 * The published declarations hold exactly the documented API (issue 11): no `@internal` member
 * survives in dist/*.d.ts, and every type that an exported declaration refers to is exported from
 * the package too, so a consumer can name what it is given. Reads dist/, which `npm test` builds
 * first with the published settings (tsconfig.build.json, `stripInternal`).
 */
import { expect } from 'chai';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIST = fileURLToPath(new URL('../../../dist/', import.meta.url));

function declarationFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return declarationFiles(path);
    return entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Names in a `{ a, type b, c as d }` list, as the exporting module calls them and as they are seen outside. */
function specifiers(list: string): Array<{ local: string; exported: string }> {
  return list
    .split(',')
    .map((item) => item.trim().replace(/^type\s+/, ''))
    .filter((item) => item !== '')
    .map((item) => {
      const [local, exported] = item.split(/\s+as\s+/);
      return { local: local!, exported: exported ?? local! };
    });
}

/** A module's re-exports (`export { X } from './m.js'`): exported name -> [module path, name there]. */
function reexports(file: string): Map<string, [string, string]> {
  const found = new Map<string, [string, string]>();
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/^export\s+(?:type\s+)?\{([^}]*)\}\s*from\s*'(\.[^']+)'/gm)) {
    const target = normalize(join(dirname(file), m[2]!.replace(/\.js$/, '.d.ts')));
    for (const { local, exported } of specifiers(m[1]!)) found.set(exported, [target, local]);
  }
  return found;
}

/** The text of a top-level exported declaration of `name` in a declaration file, or undefined. */
function declarationOf(text: string, name: string): string | undefined {
  const start = new RegExp(
    `^export (?:declare )?(?:abstract )?(?:class|interface|type|function|const|enum) ${name}\\b`,
    'm',
  ).exec(text);
  if (start === null) return undefined;
  const rest = text.slice(start.index);
  const next = /\n(?:export |\/\*\*)/.exec(rest.slice(1));
  return next === null ? rest : rest.slice(0, next.index + 1);
}

/** Names a declaration file imports from other modules of the package. */
function importedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/^import\s+(?:type\s+)?\{([^}]*)\}\s*from\s*'\.[^']+'/gm)) {
    for (const { exported } of specifiers(m[1]!)) names.add(exported);
  }
  return names;
}

describe('published declarations (dist/*.d.ts)', () => {
  before(() => {
    if (!existsSync(join(DIST, 'index.d.ts'))) throw new Error('dist/ is not built: run npm run build (npm test does)');
  });

  it('hold no @internal member', () => {
    const leaking = declarationFiles(DIST).filter((file) => readFileSync(file, 'utf8').includes('@internal'));
    expect(leaking.map((f) => relative(DIST, f))).to.deep.equal([]);
  });

  it('export every type that an exported declaration refers to', () => {
    const index = join(DIST, 'index.d.ts');
    const publicNames = reexports(index);
    expect(publicNames.size).to.be.above(50);
    const missing: string[] = [];
    for (const [exported, [file, local]] of publicNames) {
      // Follow re-export chains (lib/decorators/index.ts re-exports the instruments' types).
      let [where, name] = [file, local];
      for (let hop = reexports(where).get(name); hop !== undefined; hop = reexports(where).get(name))
        [where, name] = hop;
      const text = readFileSync(where, 'utf8');
      const declaration = declarationOf(text, name);
      if (declaration === undefined) {
        missing.push(`${exported}: no declaration found in ${relative(DIST, where)}`);
        continue;
      }
      const imported = importedNames(text);
      for (const identifier of new Set(declaration.match(/\b[A-Za-z_]\w*\b/g) ?? [])) {
        if (imported.has(identifier) && !publicNames.has(identifier))
          missing.push(`${exported} (${relative(DIST, where)}) refers to ${identifier}`);
      }
      for (const m of declaration.matchAll(/import\("[^"]+"\)\.(\w+)/g)) {
        if (!publicNames.has(m[1]!)) missing.push(`${exported} refers to ${m[1]}`);
      }
    }
    expect(missing, missing.join('\n')).to.deep.equal([]);
  });
});
