/**
 * Access to the real tools the specs check against (promtool, Python's prometheus_client
 * parsers). Under CI=true a missing tool fails the test; elsewhere it skips it, saying why.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const PYTHON = '/usr/bin/python3';

const cache = new Map<string, boolean>();

function available(check: () => boolean, key: string): boolean {
  let ok = cache.get(key);
  if (ok === undefined) {
    ok = check();
    cache.set(key, ok);
  }
  return ok;
}

export function hasPromtool(): boolean {
  return available(() => spawnSync('promtool', ['--version']).status === 0, 'promtool');
}

export function hasPrometheus(): boolean {
  return available(() => spawnSync('prometheus', ['--version']).status === 0, 'prometheus');
}

export function hasPythonClient(): boolean {
  return available(
    () =>
      existsSync(PYTHON) &&
      spawnSync(PYTHON, ['-c', 'import prometheus_client.parser, prometheus_client.openmetrics.parser']).status === 0,
    'python',
  );
}

/** Call at the top of a test (`function` form) that needs a tool. */
export function requireTool(ctx: Mocha.Context, name: string, present: boolean): void {
  if (present) return;
  if (process.env.CI === 'true') throw new Error(`${name} is required under CI=true but is not installed`);
  console.warn(`      (skipped: ${name} is not installed)`);
  ctx.skip();
}

/** The error a promise rejects with; fails when it resolves instead. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}
