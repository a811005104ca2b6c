// Running the project's own wrangler from the dev scripts: no npx, no shell (so SQL passed with
// --command needs no quoting), and no usage metrics unless the caller asked for them.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const wranglerBin = path.join(projectRoot, 'node_modules', 'wrangler', 'bin', 'wrangler.js');

export function wranglerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, WRANGLER_SEND_METRICS: process.env.WRANGLER_SEND_METRICS ?? 'false', ...extra };
}

export function spawnWrangler(args: string[], options: SpawnOptions = {}): ChildProcess {
  if (!existsSync(wranglerBin)) throw new Error(`wrangler is not installed (${wranglerBin}); run npm install first`);
  return spawn(process.execPath, [wranglerBin, ...args], { cwd: projectRoot, env: wranglerEnv(), ...options });
}

export type WranglerResult = { code: number; stdout: string; stderr: string };

/** Runs wrangler to completion, capturing its output. */
export function runWrangler(args: string[], opts: { env?: Record<string, string> } = {}): Promise<WranglerResult> {
  return new Promise((resolve, reject) => {
    const child = spawnWrangler(args, { stdio: ['ignore', 'pipe', 'pipe'], env: wranglerEnv(opts.env) });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), stdout, stderr }));
  });
}

/** Like runWrangler, but a failure throws with wrangler's output in the message. */
export async function runWranglerOrThrow(what: string, args: string[], opts: { env?: Record<string, string> } = {}): Promise<WranglerResult> {
  const result = await runWrangler(args, opts);
  if (result.code !== 0) {
    throw new Error(`${what} failed (wrangler ${args.join(' ').slice(0, 200)}):\n${result.stdout}\n${result.stderr}`.trim());
  }
  return result;
}

export type D1StatementResult<Row = Record<string, unknown>> = { results?: Row[]; success?: boolean };

/** The results `wrangler d1 execute --json` prints: one entry per statement. */
export function parseD1Json<Row = Record<string, unknown>>(stdout: string): D1StatementResult<Row>[] {
  // The JSON array starts on a line of its own; warnings such as "[wrangler:warn] …" may precede it.
  const start = stdout.search(/^\[\s*$/m);
  try {
    return JSON.parse(start < 0 ? stdout : stdout.slice(start)) as D1StatementResult<Row>[];
  } catch {
    throw new Error(`could not read wrangler's JSON output:\n${stdout}`);
  }
}
