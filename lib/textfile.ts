/**
 * writeToTextfile: a registry's text 0.0.4 exposition written for node_exporter's textfile
 * collector, the way batch jobs on a host without a scrape endpoint report (Python's
 * `write_to_textfile`).
 */
import { defaultRegistry, Registry } from './registry.js';
import { show } from './validation.js';

const FN = 'writeToTextfile';

/** Node's fs/promises, loaded at the first write: importing the package needs none of it. */
const fsPromises = () => process.getBuiltinModule('node:fs/promises');

/**
 * Writes the registry's metrics in the Prometheus text format 0.0.4 to `path`, atomically: the
 * body goes to a temporary file in the same directory, which is flushed to disk and then renamed
 * over `path`. A reader (node_exporter's textfile collector) opens either the previous file or the
 * new one, whole, never half of one. Name the file `*.prom`: that is what the collector reads. The
 * temporary file is named `<path>.<pid>.<random>.tmp`, which the collector never reads.
 *
 * Metrics, render errors and write errors all reject; when the call fails after creating the
 * temporary file, it removes that file and `path` is left as it was.
 *
 * @param path the file to write: its directory must exist, and `path` must not be a directory.
 * @param registry the registry to write; default `defaultRegistry`.
 * @throws (rejects) TypeError when `path` is not a non-empty string or `registry` not a Registry;
 *   Error naming `path` when its directory does not exist, when it is a directory, or when the
 *   write or the rename fails (the file system's error is its `cause`, its `code` copied);
 *   CollectionError or CollectionTimeoutError when collecting the registry fails.
 */
export async function writeToTextfile(path: string, registry?: Registry): Promise<void> {
  checkPath(path);
  const source = checkRegistry(registry);
  const fs = fsPromises();
  await checkDestination(fs, path);
  const body = await source.metrics('text');
  // Unique per process and call, so that concurrent writers never share a temporary file; the
  // `.tmp` ending keeps the collector, which reads `*.prom`, away from it.
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`;
  let created = false;
  try {
    const file = await fs.open(temporary, 'wx', 0o666);
    created = true;
    try {
      await file.writeFile(body, 'utf8');
      // Flushed before the rename, so that after a crash the name never points at a file whose
      // blocks were not written yet.
      await file.sync();
    } finally {
      await file.close();
    }
    await fs.rename(temporary, path);
  } catch (error) {
    if (created) await fs.rm(temporary, { force: true }).catch(() => {});
    throw fileError(`could not write ${show(path)}`, error);
  }
}

function checkPath(path: unknown): asserts path is string {
  if (typeof path !== 'string' || path === '') {
    throw new TypeError(`${FN}: path must be a non-empty string, got ${show(path)}`);
  }
  if (path.includes('\0')) throw new TypeError(`${FN}: path must not contain a NUL character, got ${show(path)}`);
  if (path.endsWith('/') || (process.platform === 'win32' && path.endsWith('\\'))) {
    throw new TypeError(`${FN}: path must name a file, not a directory, got ${show(path)}`);
  }
}

function checkRegistry(registry: unknown): Registry {
  if (registry === undefined) return defaultRegistry;
  if (!(registry instanceof Registry)) throw new TypeError(`${FN}: registry must be a Registry, got ${show(registry)}`);
  return registry;
}

/** Refuses, before anything is rendered or written, a path that is a directory or whose directory is missing. */
async function checkDestination(fs: ReturnType<typeof fsPromises>, path: string): Promise<void> {
  const { dirname } = process.getBuiltinModule('node:path');
  const directory = dirname(path);
  const stats = await fs.stat(directory).catch((error: unknown) => {
    const state = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be used';
    throw fileError(`path ${show(path)}: its directory ${show(directory)} ${state}`, error);
  });
  if (!stats.isDirectory()) throw new Error(`${FN}: path ${show(path)}: ${show(directory)} is not a directory`);
  const existing = await fs.stat(path).catch(() => undefined);
  if (existing?.isDirectory()) throw new Error(`${FN}: path ${show(path)} is a directory; name a file in it`);
}

/** An Error naming the call and what failed, keeping the file system's error as cause and its code. */
function fileError(what: string, cause: unknown): Error {
  const reason = cause instanceof Error ? cause.message : show(cause);
  const error = new Error(`${FN}: ${what}: ${reason}`, { cause }) as NodeJS.ErrnoException;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') error.code = code;
  return error;
}
