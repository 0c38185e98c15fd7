/**
 * Helpers for the package specs: a fresh checkout of the working tree to build and pack in (so the
 * specs never rebuild the repo's own dist/ under the other specs), commands with bounded run time,
 * and the process table as /proc shows it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (build/spec/package -> .). */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/** A temporary directory, removed by `removeDir` in the spec's after hook. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `prometric-${prefix}-`));
}

export function removeDir(dir: string | undefined): void {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}

/**
 * What a fresh clone holds, plus files not yet committed: every file git tracks or would track,
 * copied from the working tree. Nothing ignored comes along (dist/, build/), so a build step the
 * package needs must run by itself. node_modules links to the repo's, as `npm ci` would fill it.
 */
export function freshCheckout(prefix: string): string {
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: REPO,
    encoding: 'utf8',
  });
  if (listed.status !== 0) throw new Error(`git ls-files failed in ${REPO}: ${listed.stderr}`);
  const dir = tempDir(prefix);
  for (const file of listed.stdout.split('\0')) {
    // A tracked file deleted in the working tree is not part of what would be committed.
    if (file === '' || !existsSync(join(REPO, file))) continue;
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(REPO, file), join(dir, file));
  }
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end (killed after `timeoutMs`) and resolves with its exit status and output. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: 'pipe' });
    child.stdin.end();
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Like `run`, but rejects unless the command exits with 0, showing its output. */
export async function runOk(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    const how = result.signal ?? `exit code ${result.code}`;
    throw new Error(`${command} ${args.join(' ')} failed (${how}):\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

/** One process as /proc/<pid>/stat describes it. */
export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  /** R, S, D, Z (a zombie: ended, not yet reaped), ... */
  readonly state: string;
  readonly argv: readonly string[];
}

export function processInfo(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name in parentheses may itself hold spaces and parentheses: read past the last ')'.
    const [state = '?', ppid = '0'] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'latin1')
      .split('\0')
      .filter((arg) => arg !== '');
    return { pid, ppid: Number(ppid), state, argv };
  } catch {
    return undefined; // gone between the listing and the read
  }
}

/** The processes whose parent is `pid`. */
export function childrenOf(pid: number): ProcessInfo[] {
  const children: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const info = processInfo(Number(entry));
    if (info?.ppid === pid) children.push(info);
  }
  return children;
}

/** Every process below `pid`, children before grandchildren. */
export function descendantsOf(pid: number): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (let parents = [pid]; parents.length > 0 && found.length < 1000; ) {
    const children = parents.flatMap(childrenOf);
    found.push(...children);
    parents = children.map((child) => child.pid);
  }
  return found;
}

/** Running, in the sense of still able to hold a port: present in /proc and not a zombie. */
export function isRunning(pid: number): boolean {
  const info = processInfo(pid);
  return info !== undefined && info.state !== 'Z';
}

/** Polls `check` every 50 ms until it returns true or `timeoutMs` has passed; resolves with its last answer. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
