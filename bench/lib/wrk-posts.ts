// A burst of distinct POSTs with wrk (one per buyer: its own token and Idempotency-Key), each
// sent once over a fixed number of keep-alive connections — the load generator bench:flash uses
// for our worker and for the reference design alike, so the two are driven the same way.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWrkResult } from './wrk';

const SCRIPT = new URL('./wrk-posts.lua', import.meta.url).pathname;

export type PostRequest = { path: string; token: string; idempotencyKey: string; body: string };

export type PostBurst = {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  seconds: number;
  created: number;
  soldOut: number;
  perUserLimit: number;
  /** Every answer that was not a 201, by "status code" (e.g. "409 room_full"). */
  refusals: Map<string, number>;
  /** Answers that were neither 201 nor an expected refusal, and the last such status and code. */
  other: number;
  otherCode: string;
  /** Requests sent that got no answer at all. */
  unanswered: number;
  /** Seconds from the start to the last 201 (0 when nothing was created). */
  lastWinAfterSeconds: number;
  errors: number;
  timeouts: number;
};

/** The refusals counted apart (soldOut, perUserLimit); every other kind of answer counts as `other`. */
const EXPECTED_REFUSALS = ['409 sold_out', '422 per_user_limit'];

/** For a slow route under load (answers can take seconds): how long wrk waits for the last ones. */
export const SLOW_ROUTE_WAIT_MS = 15_000;

/** `quietMs`: how long after its last answer a thread that has sent its share waits for stragglers. */
export async function burstPosts(baseUrl: string, requests: PostRequest[], connections: number, threads = 2, quietMs = 2000): Promise<PostBurst> {
  const dir = mkdtempSync(join(tmpdir(), 'wrk-posts-'));
  const file = join(dir, 'requests.tsv');
  writeFileSync(file, `${requests.map((r) => [r.path, `Bearer ${r.token}`, r.idempotencyKey, r.body].join('\t')).join('\n')}\n`);
  try {
    // A duration long enough for any burst; wrk is stopped (SIGINT) once every thread says it is done.
    const args = ['-t', String(threads), '-c', String(Math.max(connections, threads)), '-d', '600s', '--timeout', '30s', '-s', SCRIPT, baseUrl];
    const output = await new Promise<string>((resolve, reject) => {
      const wrk = spawn('wrk', args, { env: { ...process.env, WRK_REQUESTS: file, WRK_THREADS: String(threads), WRK_QUIET_MS: String(quietMs) } });
      let stdout = '';
      let stderr = '';
      wrk.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if ((stdout.match(/WRK_THREAD_DONE/g) ?? []).length === threads) wrk.kill('SIGINT');
      });
      wrk.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      wrk.on('error', reject);
      wrk.on('exit', (code) => (stdout.includes('WRK_RESULT ') ? resolve(stdout) : reject(new Error(`wrk exited with ${code}: ${stderr}`))));
    });
    // The fields are the JSON line wrk-posts.lua writes.
    const r = readWrkResult(output) as any;
    // wrk's own request count and duration include its filler requests and the wait for SIGINT
    // (see the script): count the answers, over the time from the first request to the last answer.
    const seconds = r.answering_us / 1e6;
    const refusals = new Map(Object.entries(r.refusals as Record<string, number>));
    const others = [...refusals].filter(([kind]) => !EXPECTED_REFUSALS.includes(kind));
    return {
      requestsPerSecond: r.answered / seconds,
      unanswered: requests.length - r.answered,
      p50Ms: r.p50_us / 1000,
      p99Ms: r.p99_us / 1000,
      seconds,
      created: r.created,
      soldOut: refusals.get('409 sold_out') ?? 0,
      perUserLimit: refusals.get('422 per_user_limit') ?? 0,
      refusals,
      other: others.reduce((n, [, count]) => n + count, 0),
      otherCode: others.at(-1)?.[0] ?? '',
      lastWinAfterSeconds: r.last_win_after_us / 1e6,
      errors: r.errors,
      timeouts: r.timeouts,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
