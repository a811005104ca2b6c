// A load run with wrk (Debian's `wrk`, written in C): a fixed number of keep-alive connections
// for a fixed time, sending a list of paths in order. Used where responses differ in size
// (bench:catalog): a generator in Node on the same cores decodes every body into a string
// (autocannon does, whatever the options), so its own cost would grow with the answer and
// count against the bigger responses. wrk reads bodies without copying them anywhere.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = new URL('./wrk-paths.lua', import.meta.url).pathname;

export type WrkOptions = { durationSeconds: number; connections: number; threads: number };

export type WrkMeasurement = {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  total: number;
  /** Answers with a status of 400 or more. */
  non2xx: number;
  /** Socket errors and timeouts. */
  errors: number;
};

/** Fails with the install command when wrk is not on the machine. */
export function requireWrk(): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile('wrk', ['--version'], (error) =>
      // wrk --version exits 1 after printing its version; only a missing binary is an error.
      error && (error as NodeJS.ErrnoException).code === 'ENOENT' ? reject(new Error('wrk is not installed: sudo apt-get install wrk')) : resolve(),
    ),
  );
}

/** The one JSON line our wrk scripts print from done() ("WRK_RESULT {…}"). */
export function readWrkResult(output: string): Record<string, unknown> {
  const line = output.split('\n').find((l) => l.startsWith('WRK_RESULT '));
  if (!line) throw new Error(`wrk printed no result:\n${output}`);
  return JSON.parse(line.slice('WRK_RESULT '.length)) as Record<string, unknown>;
}

export async function runWrk(baseUrl: string, paths: string[], opts: WrkOptions): Promise<WrkMeasurement> {
  const dir = mkdtempSync(join(tmpdir(), 'wrk-'));
  const pathsFile = join(dir, 'paths.txt');
  writeFileSync(pathsFile, `${paths.join('\n')}\n`);
  try {
    const args = ['-t', String(opts.threads), '-c', String(opts.connections), '-d', `${opts.durationSeconds}s`, '--timeout', '10s', '-s', SCRIPT, baseUrl];
    const output = await new Promise<string>((resolve, reject) =>
      execFile('wrk', args, { env: { ...process.env, WRK_PATHS: pathsFile, WRK_THREADS: String(opts.threads) }, maxBuffer: 1 << 20 }, (error, stdout, stderr) =>
        error ? reject(new Error(`wrk failed: ${stderr || error.message}`)) : resolve(stdout),
      ),
    );
    const r = readWrkResult(output) as Record<'requests' | 'duration_us' | 'non2xx' | 'connect' | 'read' | 'write' | 'timeout' | 'p50_us' | 'p99_us', number>;
    return {
      requestsPerSecond: r.requests / (r.duration_us / 1e6),
      p50Ms: r.p50_us / 1000,
      p99Ms: r.p99_us / 1000,
      total: r.requests,
      non2xx: r.non2xx,
      errors: r.connect + r.read + r.write + r.timeout,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
